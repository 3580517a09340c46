/**
 * A value in force for the duration of one synchronous call and the calls it makes (the
 * previous value restored after, also on a throw): how a request hands its progress sink
 * (progress.ts) and its work pool (budget.ts) to the loops deep inside it without threading
 * them through every signature. The calls run to completion without awaiting, so two
 * requests never interleave.
 */
export interface Scoped<T> {
  /** The value in force, if any. */
  readonly current: T | undefined;
  /** Runs `body` with `value` in force. */
  run<R>(value: T | undefined, body: () => R): R;
}

export function scoped<T>(): Scoped<T> {
  let current: T | undefined;
  return {
    get current() { return current; },
    run(value, body) {
      const previous = current;
      current = value;
      try {
        return body();
      } finally {
        current = previous;
      }
    },
  };
}
