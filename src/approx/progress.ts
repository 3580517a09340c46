import { WorkError } from '../errors.ts';
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

/**
 * withProgress, and a wall-clock stop: the first report after `seconds` throws `overTime()`, so
 * the request ends where it is. The safety net under a request's estimate, which is refused at
 * once when over its --max-seconds: an estimate that fell far short (ECEF at 1 cm, estimated
 * 86 s, ran past 300 s) ends here instead of running on. Reports come from inside every long
 * loop, so the stop is prompt; a request that ends in time is not changed by it.
 */
export function withProgressUntil<T>(
  s: ProgressSink | undefined, seconds: number, overTime: (elapsed: number) => Error, run: () => T,
): T {
  const started = performance.now();
  return sink.run((stage, detail) => {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= seconds) throw overTime(elapsed);
    s?.(stage, detail);
  }, run);
}

/** The wall-clock stop of a request allowed `maxSeconds` of estimated work: twice that, at least 10 s more. */
export function hardStopSeconds(maxSeconds: number): number {
  return Math.max(2 * maxSeconds, maxSeconds + 10);
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

/** The error of a request stopped by withProgressUntil, in the user's terms (--max-seconds). */
export function overTime(maxSeconds: number): (elapsed: number) => WorkError {
  return (elapsed) => new WorkError(`stopped after ${Math.round(elapsed)} s, over twice --max-seconds ${maxSeconds}: ` +
    'the estimate of the work fell short; raise the tolerance or --max-seconds.');
}
