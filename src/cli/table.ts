import { fmt } from '../report/format.ts';
import { printable } from './printable.ts';

/**
 * Plain-text table with aligned columns: numeric columns (blank cells allowed) right-aligned, the rest left. The one
 * table printer of the CLI.
 */
export function renderTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header.map((h) => printable(h)), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c)
    : printable(c))))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)));
  // A column is numeric (right-aligned) when every cell that is not blank is a number.
  const isNumber = (c: string | number | undefined) => typeof c === 'number' || /^[-+0-9.e]+[%x]?$/i.test(String(c))
    || /^-?(Infinity|NaN)$/.test(String(c));
  const blank = (c: string | number | undefined) => c === undefined || (typeof c === 'string'
    && /^(|-|—|n\/a|none)$/.test(c.trim()));
  const numeric = header.map((_,
    j) => rows.some((r) => !blank(r[j])) && rows.every((r) => blank(r[j]) || isNumber(r[j])));
  const line = (r: string[]) => r.map((c,
    j) => (numeric[j] ? String(c).padStart(widths[j]!) : String(c).padEnd(widths[j]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map((r) => line(r.map(String)))].join('\n');
}


/** Key/value block. */
export function renderPairs(pairs: [string, string | number][]): string {
  const shown = pairs.map(([k, v]) => [printable(k), typeof v === 'number' ? fmt(v) : printable(v)] as const);
  const w = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
