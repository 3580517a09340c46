/**
 * The page's builds, run off the main thread so typing stays responsive: what the page asks
 * the build worker for, what it answers, and the pure function the worker runs (the page's
 * side is client.ts). Errors cross the worker boundary as data (the InputIssue), so the page
 * can still put each message beside its field.
 */
import { approximate, type ApproxResult, type SizeBy } from '../../approx/approximate.ts';
import { compileFormula, type CompileResult } from '../../compile/compile.ts';
import { InputError, type InputIssue } from '../../errors.ts';
import type { FitKind } from '../../approx/fit.ts';
import type { Placement } from '../../approx/placement.ts';

export type BuildRequest =
  | { kind: 'approx'; expr: string; domain: [number, number]; size: SizeBy; placement: Placement; fit: FitKind }
  | { kind: 'compile'; expr: string; vars: Record<string, [number, number]>; ranges: Record<string, [number, number]>; maxError: number };

export type BuildResult =
  | { kind: 'approx'; result: ApproxResult; seconds: number }
  | { kind: 'compile'; result: CompileResult; seconds: number };

/** What the worker posts back; `id` is the request's. */
export type BuildMessage =
  | { id: number; type: 'progress'; segments: number; error: number }
  | { id: number; type: 'done'; built: BuildResult }
  | { id: number; type: 'failed'; issue: InputIssue | null; message: string };

/** Samples for the measured error of a compiled network: enough to see, quick in a page. */
export const PAGE_MEASURE_COUNT = 20_000;

/** Runs one build exactly as the CLI would; `onProgress` hears every sizing trial. */
export function runBuild(req: BuildRequest, onProgress: (segments: number, error: number) => void = () => {}): BuildResult {
  const started = performance.now();
  if (req.kind === 'approx') {
    const result = approximate({
      expr: req.expr, domain: req.domain, size: req.size, placement: req.placement, fit: req.fit,
      onTrial: (t) => onProgress(t.segments, t.error),
    });
    return { kind: 'approx', result, seconds: (performance.now() - started) / 1000 };
  }
  const result = compileFormula({ expr: req.expr, vars: req.vars, ranges: req.ranges, maxError: req.maxError, measureCount: PAGE_MEASURE_COUNT });
  return { kind: 'compile', result, seconds: (performance.now() - started) / 1000 };
}

/** The answer to one request: the result, or the failure as data. */
export function answer(id: number, req: BuildRequest, post: (m: BuildMessage) => void): void {
  try {
    post({ id, type: 'done', built: runBuild(req, (segments, error) => post({ id, type: 'progress', segments, error })) });
  } catch (e) {
    post({ id, type: 'failed', issue: e instanceof InputError ? e.issue : null, message: (e as Error)?.message ?? String(e) });
  }
}
