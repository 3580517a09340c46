import { scoped } from './scoped.ts';

/**
 * Progress of a long approximation for whoever asked (the CLI's progress line): the stage and
 * how far it got, reported from inside the long loops (f on the scale grid, the tube's samples
 * and enclosures, the minimum-link walk, the certificate's segments, the measurement). One sink
 * for the duration of an `approximate` call (it runs to completion without awaiting, so calls
 * never interleave); none by default, and a report then costs one comparison.
 */
export type ProgressSink = (stage: string, detail: string) => void;

const sink = scoped<ProgressSink>();

/** Runs `run` with `s` receiving its reports (the previous sink restored after). */
export function withProgress<T>(s: ProgressSink | undefined, run: () => T): T {
  return sink.run(s, run);
}

/** Reports `detail` of `stage` to the current sink, if any. */
export function report(stage: string, detail: string): void {
  sink.current?.(stage, detail);
}

/**
 * Step i of a loop of n: every 256th reports `what i of n` (no text is built otherwise). Loops whose
 * steps cost a microsecond or more call it each step; the sink decides what to show and when.
 */
export function reportEvery(i: number, stage: string, what: string, n: number): void {
  if ((i & 255) === 0) sink.current?.(stage, `${what} ${i} of ${n}`);
}
