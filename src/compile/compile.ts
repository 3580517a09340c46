import type { Expr } from '../expr/ast.ts';
import { DEFAULT_MAX_SECONDS, DEFAULT_MAX_SEGMENTS } from '../approx/approximate.ts';
import { withWork } from '../approx/budget.ts';
import { withProgress } from '../approx/progress.ts';
import { WorkError } from '../errors.ts';
import { networkSummary, type Network } from '../net/network.ts';
import { splitModel, type SplitModel } from './budget.ts';
import { CompileFailure, compileFailure } from './failure.ts';
import { compileWork, estimateCost, LongRequestError, refuseLongCompile } from './cost.ts';
import { defaultMeasureCount, formulaNodes } from './measure.ts';
import { checkFloorOnBox, checkToleranceFloor } from './floor.ts';
import { checkCompileOptions } from './options.ts';
import { chargeRequest, type ChargedRequest } from './constants.ts';
import type { RoundingScope } from './float32cert.ts';
import { buildFusedGraph, fuseOptions } from './fuseplan.ts';
import { ancestors } from './graph.ts';
import { layoutFor } from './layout.ts';
import { lowerForCompile, lowerOutput } from './lower.ts';
import { rewrittenText } from './rewritesearch.ts';
import { multiResult } from './outputs.ts';
import { searchPlans } from './plansearch.ts';
import { propagateRanges, withExactArgs, type Range } from './ranges.ts';
import { graphRegion, type Region } from './region.ts';
import { givenRanges, readRequest, type Request } from './request.ts';
import { singleResult, type Compiled } from './result.ts';
import type { CompileOptions, CompileResult } from './types.ts';

export type { CompileOptions, CompileResult, NodeReport, OutputReport, OutputSpec } from './types.ts';

/**
 * One plain ReLU network for a formula in several inputs: the expression graph's squares and
 * unary functions are approximated (shallow PWLs, or Yarotsky's deep sawtooth squares) on
 * the ranges of their approximate inputs, the error budget split by sensitivity, and the
 * errors composed soundly (e_out <= e_g + L·e_in). `certifiedMax` is proven over the region
 * (the box, restricted by `ranges`), float64 rounding included; `measuredMax` is sampled.
 * Steps: readRequest (validation) → prepare (graph, ranges, region) → splitModel (the
 * tolerance split) → checkToleranceFloor → searchPlans (plans, float32 certification,
 * failure text) → the result, measured (result.ts, outputs.ts).
 */
export function compileFormula(options: CompileOptions): CompileResult {
  const o = checkCompileOptions(options);
  // One work pool for all the request's pieces; the approx stages report to onProgress.
  const maxSeconds = o.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const work = compileWork(maxSeconds);
  return withWork(work, () => withProgress(o.onProgress, maxSeconds, () => {
    if ((o.norm ?? 'auto') === 'auto' && !(o.outputs && o.outputs.length > 0)) return compileBestNorm(o);
    return buildFormula(o).finish();
  }));
}

/** readRequest with the constant subexpressions' charges taken from the tolerances (constants.ts). */
function chargedRequest(o: CompileOptions): ChargedRequest {
  return chargeRequest(readRequest(o), o.vars);
}

/** A built network, not yet measured: `finish` measures it and makes the result. */
interface Built { network: Network; finish: () => CompileResult }

/** `req` is chargedRequest(o), which does not depend on o.norm (--norm auto reads it once for both builds). */
function buildFormula(o: CompileOptions, toBeat?: number, req: ChargedRequest = chargedRequest(o)): Built {
  checkFloorOnBox(req, o.vars, o.ranges, o.dtype ?? 'float64');
  const p = prepare(o, req);
  const model = splitModel(p.g, withExactArgs(p.g, p.ranges, p.exactArgs), p.live, p.outIds, req.tolerances,
    req.multi, p.exactSteps);
  const dtype = o.dtype ?? 'float64';
  const box = req.inputs.map((v) => o.vars[v]!);
  const mayMeet = (lo: number[], hi: number[]) => p.region.mayMeet(lo, hi);
  checkToleranceFloor(req.formulas.map((f) => f.expr), req.names, req.inputs, box, req.tolerances, dtype, mayMeet);
  const deep = o.deep ?? 'auto';
  const limit = o.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  refuseLongRequest(o, req, model, limit);
  const [boxLo, boxHi] = [box.map((b) => b[0]), box.map((b) => b[1])];
  const scope: RoundingScope = { dtype, boxLo, boxHi, region: p.region, onProgress: o.onProgress };
  const s = searchPlans({
    req, g: p.g, ranges: p.ranges, live: p.live, outIds: p.outIds, model, rounding: scope, layout: layoutFor(dtype),
    deep, deepLevels: o.deepLevels, limit,
    fanIn: o.maxFanIn ?? (dtype === 'float32' ? 4 : Infinity),
    maxDepth: o.maxDepth ?? 64, minimize: o.minimize ?? 'relus', toBeat, onProgress: o.onProgress,
    exactSteps: p.exactSteps, exactArgs: p.exactArgs,
  });
  if (!s.best) {
    const tolerances = req.multi ? req.tolerances.join(', ') : String(o.maxError);
    throw compileFailure(tolerances, s.lastFailure, { kind: s.failureKind, dtype, deep, hasSquares: s.squaresHelp },
      s.closest);
  }
  const best = s.best;
  const finish = req.multi ? () => withRewritten(multiResult(o, req, p, p.outIds, best.built, req.charges), p.rewritten)
    : () => withRewritten(singleResult(o, req, p, best, scope, req.charges[0]), p.rewritten);
  return { network: best.built.network, finish };
}

/** The request refused at once when the estimate of its work (cost.ts) is over maxSeconds. */
function refuseLongRequest(o: CompileOptions, req: ChargedRequest, model: SplitModel, limit: number): void {
  const nodes = formulaNodes(req.formulas.map((f) => f.expr));
  const samples = o.samples ? o.samples.length / req.inputs.length
    : o.measureCount ?? defaultMeasureCount(nodes, req.inputs.length);
  const measured = { samples, nodes };
  const cost = estimateCost(model, req.maxError, o.deep ?? 'auto', limit, measured);
  refuseLongCompile(cost, req.maxError, o.maxSeconds ?? DEFAULT_MAX_SECONDS);
}

/**
 * The request's graph: its output nodes, the stated ranges, every node's range, the live nodes, the region and
 * the nodes of jump ramps' steps.
 */
interface Prepared extends Compiled {
  outIds: number[]; region: Region; exactSteps: Set<number>; exactArgs: Map<number, Range>;
  /** Per output, the rewritten formula built in its place (null: built as written). */
  rewritten: (string | null)[];
}

/**
 * The output formulas as built: lowered and rewritten for size (lower.ts lowerOutput), except
 * where --range or --exclude name subexpressions a rewrite could remove.
 */
function builtForms(o: CompileOptions, req: Request): BuiltForms {
  let forms = formsByRequest.get(req);
  if (!forms) { forms = rewriteForms(o, req); formsByRequest.set(req, forms); }
  return forms;
}

interface BuiltForms { exprs: Expr[]; rewritten: (string | null)[] }

/**
 * builtForms by request: --norm auto reads one request (chargedRequest) for its check and both
 * builds, whose options differ only in the norm, which the forms do not depend on; the rewrite
 * search (seconds for a few-term formula) runs once, not three times.
 */
const formsByRequest = new WeakMap<Request, BuiltForms>();

function rewriteForms(o: CompileOptions, req: Request): BuiltForms {
  const rewrite = Object.keys(o.ranges ?? {}).length === 0 && req.bands.length === 0;
  const fusion = fuseOptions(o, req);
  const forms = req.formulas.map((f, k) => lowerOutput(f.expr, o.vars, req.tolerances[k]!, rewrite,
    (e) => buildFusedGraph(e, req.inputs, { ...fusion, maxError: req.tolerances[k]! })));
  return { exprs: forms.map((r) => r.expr), rewritten: forms.map(rewrittenText) };
}

/** The result with each rewritten output's `rewritten` formula (the key only where a rewrite was built). */
function withRewritten(r: CompileResult, rewritten: (string | null)[]): CompileResult {
  if (r.outputs) {
    const outputs = r.outputs.map((out, k) => (rewritten[k] ? { ...out, rewritten: rewritten[k] } : out));
    return { ...r, outputs };
  }
  return rewritten[0] ? { ...r, rewritten: rewritten[0] } : r;
}

function prepare(o: CompileOptions, req: Request): Prepared {
  const { exprs, rewritten } = builtForms(o, req);
  const g = buildFusedGraph(exprs[0]!, req.inputs, { norms: o.norm === 'fold', ...fuseOptions(o, req) });
  const outIds = [g.output, ...exprs.slice(1).map((e) => g.intern(e))];
  const given = givenRanges(o, g, outIds, req.inputs);
  // The steps as graph nodes (the same nodes as in the outputs: interning finds them).
  const exactSteps = new Set(req.steps.map((e) => g.intern(lowerForCompile(e, o.vars))));
  const exactArgs = new Map<number, Range>();
  const ranges = propagateRanges(g, o.vars, given, exactArgs);
  const live = ancestors(g, outIds);
  // The certified region: the box where the stated ranges hold (as stated, not as propagated).
  const region = graphRegion(g, o.vars, [...given].map(([id, v]) => ({ id, range: v.range })), req.bands);
  return { g, outIds, given, ranges, live, region, exactSteps, exactArgs, rewritten };
}

/**
 * How close a layout's failure came, for --norm auto's choice of the failure to report: a plan search's
 * bound (CompileFailure); −Infinity for a limit (the estimate refused at once, the work pool spent), which
 * says what to raise and so is reported first.
 */
const closestOf = (e: Error): number => (e instanceof CompileFailure ? e.closest : -Infinity);

/** --norm auto: the formula built with its norms folded and as squares; the smaller network wins. */
function compileBestNorm(o: CompileOptions): CompileResult {
  const req = chargedRequest(o);
  checkFloorOnBox(req, o.vars, o.ranges, o.dtype ?? 'float64');
  const graph = buildFusedGraph(builtForms(o, req).exprs[0]!, req.inputs, { norms: true, ...fuseOptions(o, req) });
  if (!graph.nodes.some((n) => n.kind === 'norm')) {
    return buildFormula({ ...o, norm: 'squares' }, undefined, req).finish();
  }
  const built: Built[] = [];
  let failure: Error | null = null;
  const score = (b: Built) => {
    const s = networkSummary(b.network);
    return o.minimize === 'params' ? s.params : s.relus;
  };
  for (const norm of ['fold', 'squares'] as const) {
    try {
      built.push(buildFormula({ ...o, norm }, built[0] && score(built[0]), req));
    } catch (e) {
      // A layout whose estimate is too long is skipped: the other may be cheap (a norm's fold needs no x² pieces).
      if (!(e instanceof WorkError || e instanceof LongRequestError) || /a bug in knotnet/.test(e.message)) throw e;
      // The layout that came closest says why (T3 float32 at 8.5: the fold's 8.99, not the squares' 26.56).
      if (!failure || closestOf(e) < closestOf(failure)) failure = e;
    }
  }
  if (!built.length) throw failure;
  // Only the network kept is measured: a measured error above the certified one is a bug, never a reason to switch.
  return built.reduce((b, r) => (score(r) < score(b) ? r : b)).finish();
}
