import { WorkError } from '../errors.ts';
import { scoped } from './scoped.ts';

/**
 * Progress of a long approximation for whoever asked (the CLI's progress line): the stage and
 * how far it got, reported from inside the long loops (f on the scale grid, the tube's samples
 * and enclosures, the minimum-link walk, the certificate's segments, the measurement). One sink
 * for the duration of an `approximate` or `compileFormula` call (it runs to completion without
 * awaiting, so calls never interleave); a report costs a clock read (withProgress's stop).
 */
export type ProgressSink = (stage: string, detail: string) => void;

const sink = scoped<ProgressSink>();

/**
 * Runs `run` with `s` receiving its reports (the previous sink restored after), under a
 * wall-clock stop: the first report after `stopAfter` seconds (twice the request's maxSeconds,
 * hardStopSeconds) throws a WorkError naming --max-seconds, so the request ends where it is.
 * The safety net under a request's estimate, which is refused at once when over maxSeconds: an
 * estimate that fell far short (ECEF at 1 cm, estimated 86 s, ran past 300 s) ends here instead
 * of running on. Reports come from inside every long loop, so the stop is prompt; a request
 * that ends in time is not changed by it.
 */
export function withProgress<T>(
  s: ProgressSink | undefined, maxSeconds: number, run: () => T, stopAfter = hardStopSeconds(maxSeconds),
): T {
  const started = performance.now();
  return sink.run((stage, detail) => {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= stopAfter) {
      throw new WorkError(`stopped after ${Math.round(elapsed)} s, over twice --max-seconds ${maxSeconds}: the ` +
        'estimate of the work fell short; raise the tolerance or --max-seconds.');
    }
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
