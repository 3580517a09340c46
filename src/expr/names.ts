/**
 * Records keyed by names users choose (variables, subexpression texts). A plain object
 * literal inherits `constructor`, `toString`, `__proto__`, … from Object.prototype, so a
 * variable of that name would read a function, or set the prototype instead of an entry; these
 * records have no prototype, and lookups in records a caller gave take only own entries.
 */

/** A record without a prototype, holding `entries`. */
export function nameRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [name, value] of entries) out[name] = value;
  return out;
}

/** `record[name]` when it is the record's own entry (never an inherited member such as `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
