/**
 * The page's builds, run off the main thread so typing stays responsive: what the page asks
 * the build worker for, what it answers, and the pure function the worker runs (the page's
 * side is client.ts). Errors cross the worker boundary as data (the InputIssue), so the page
 * can still put each message beside its field. A one-variable build's float32 layout (the
 * network of the float32 ONNX download, with its certified float32 error) is a job of its own,
 * asked for once the build is shown: it can take much longer than the build itself.
 */
import { approximate, type ApproxResult, type SizeBy } from '../../approx/approximate.ts';
import { CLAMP_SEGMENTS_LIMIT, float32Layout, type Float32Layout } from '../../approx/clampform.ts';
import { float32Adversary } from '../../certify/adversary.ts';
import { accurateFunction } from '../../expr/accurate.ts';
import { networkSummary } from '../../net/network.ts';
import { parseFormula } from '../../expr/parse.ts';
import { compileFormula, type CompileResult, type OutputSpec } from '../../compile/compile.ts';
import { InputError, type InputIssue } from '../../errors.ts';
import type { FitKind } from '../../approx/fit.ts';
import type { Placement } from '../../approx/placement.ts';
import { UNIT_ROUNDOFF } from '../../net/floatformat.ts';

export type BuildRequest =
  | { kind: 'approx'; expr: string; domain: [number, number]; size: SizeBy; placement: Placement; fit: FitKind }
  | { kind: 'compile'; expr: string; vars: Record<string, [number, number]>; ranges: Record<string,
    [number, number]>; maxError: number; outputs?: OutputSpec[] }
  | { kind: 'float32'; result: ApproxResult };

export type BuildResult =
  | { kind: 'approx'; result: ApproxResult; seconds: number }
  | { kind: 'compile'; result: CompileResult; seconds: number }
  | { kind: 'float32'; layout: PageFloat32Layout; seconds: number };

/**
 * Beside a float32 certificate: the worst float32 error an adversarial search found (null when
 * the network is too large for the page's budget) and the floor u·max|f| (u = 2^-24).
 */
export interface Float32Figures { adversarial: number | null; floor: number }

/** The float32 layout as the page's worker answers it: with its search figures. */
export type PageFloat32Layout = Float32Layout & { figures?: Float32Figures };

/** The float32 unit roundoff. */
/** Weights the page's float32 search may visit (evaluations × parameters): about a second of work. */
const SEARCH_WEIGHTS = 3e7;
/** Fewer evaluations than this in the budget: no search (the network is too large for the page). */
const SEARCH_LEAST = 2_000;
/** Evaluations at most, and the compass searches' share of them. */
const SEARCH_MOST = 40_000;
const SEARCH_ASCENT = 2_000;

/** Segments up to which the float32 download is the clamp form, as for `approx --dtype float32`. */
export const FLOAT32_LAYOUT_SEGMENTS = CLAMP_SEGMENTS_LIMIT;

/** Whether a one-variable build's float32 download is laid out for float32 (the clamp form). */
export function hasFloat32Layout(r: ApproxResult): boolean {
  return r.segments <= FLOAT32_LAYOUT_SEGMENTS;
}

/**
 * The search figures of a one-variable build's float32 layout: the floor u·max|f| always, and
 * certify/adversary.ts's worst error (seeded; samples of the domain, then 8 compass searches)
 * when the clamp form is small enough for about a second of search.
 */
export function float32Figures(r: ApproxResult, layout: Float32Layout): Float32Figures {
  const floor = UNIT_ROUNDOFF.float32 * r.scale;
  const budget = Math.min(SEARCH_MOST, Math.floor(SEARCH_WEIGHTS / networkSummary(layout.network).params));
  if (budget < SEARCH_LEAST) return { adversarial: null, floor };
  const adv = float32Adversary({ net: layout.network, expr: parseFormula(r.expr).expr, box: [r.domain],
    n: budget - SEARCH_ASCENT, starts: 8, maxEvaluations: budget, seed: 32 });
  return { adversarial: adv.worst, floor };
}

/** What the worker posts back; `id` is the request's. */
export type BuildMessage =
  | { id: number; type: 'progress'; segments: number; error: number }
  | { id: number; type: 'done'; built: BuildResult }
  | { id: number; type: 'failed'; issue: InputIssue | null; message: string };

/** Samples for the measured error of a compiled network: enough to see, quick in a page. */
export const PAGE_MEASURE_COUNT = 20_000;

/** Runs one build exactly as the CLI would; `onProgress` hears every sizing trial. */
export function runBuild(req: BuildRequest,
  onProgress: (segments: number, error: number) => void = () => {}): BuildResult {
  const started = performance.now();
  if (req.kind === 'float32') {
    const r = req.result;
    const layout = float32Layout(r, accurateFunction(parseFormula(r.expr).expr, [r.variable]));
    return { kind: 'float32', layout: { ...layout, figures: float32Figures(r, layout) },
      seconds: (performance.now() - started) / 1000 };
  }
  if (req.kind === 'approx') {
    const result = approximate({
      expr: req.expr, domain: req.domain, size: req.size, placement: req.placement, fit: req.fit,
      onTrial: (t) => onProgress(t.segments, t.error),
    });
    return { kind: 'approx', result, seconds: (performance.now() - started) / 1000 };
  }
  const result = compileFormula({ expr: req.expr, vars: req.vars, ranges: req.ranges, maxError: req.maxError,
    ...(req.outputs ? { outputs: req.outputs } : {}), measureCount: PAGE_MEASURE_COUNT });
  return { kind: 'compile', result, seconds: (performance.now() - started) / 1000 };
}

/** The answer to one request: the result, or the failure as data. */
export function answer(id: number, req: BuildRequest, post: (m: BuildMessage) => void): void {
  try {
    post({ id, type: 'done',
      built: runBuild(req, (segments, error) => post({ id, type: 'progress', segments, error })) });
  } catch (e) {
    post({ id, type: 'failed', issue: e instanceof InputError ? e.issue : null,
      message: (e as Error)?.message ?? String(e) });
  }
}
