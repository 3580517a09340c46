import { assertMeasuredWithinCertified, InputError, WorkError } from '../errors.ts';
import { variablesOf, type Expr } from '../expr/ast.ts';
import { parseFormula } from '../expr/parse.ts';
import { networkSummary, nonFiniteParameter, type Network } from '../net/network.ts';
import { roundingErrorBound, roundingErrorBoundSplit } from '../net/rounding.ts';
import { buildGraph, operands, type Graph } from './graph.ts';
import { approximateOnRange, CBRT_HOLDER, costConstant, holderError, isCbrt, isSqrt, lipschitzOf, type OneD } from './oned.ts';
import { lowerForCompile } from './lower.ts';
import { combine, constantForm, Program, scale, toNetworkOutputs, type Form } from '../net/program.ts';
import { checkOutputs, multiResult } from './outputs.ts';
import { deepSquareError, deepSquareLevels, deepSquareUnits, deepSquareUnitsPrecise } from './deep.ts';
import { propagateRanges, type Range } from './ranges.ts';
import { measureOnRegion } from './measure.ts';
import { foldNorm } from './foldunits.ts';
import { checkToleranceFloor } from './floor.ts';
import { foldRoundingBound, type FoldTrace } from './foldround.ts';
import { compileRemedies, forNode, NodeToleranceError, nodeFailureText, type FailureKind } from './failure.ts';

const SQUARE: Expr = { op: 'pow', a: { op: 'var', name: 'u' }, b: { op: 'const', value: 2 } };

/** Options of `compileFormula`: a formula, the box of its inputs, and the max error to certify. */
export interface CompileOptions {
  /** Formula in one or more variables, e.g. "sqrt(dx^2+dy^2+dz^2)". */
  expr: string;
  /** Range [a, b] of every variable, a < b finite; the keys' order is the network's input order. */
  vars: Record<string, Range>;
  /** Ranges of subexpressions, keyed by their text (e.g. "dx^2+dy^2+dz^2"). */
  ranges?: Record<string, Range>;
  /** Certified max error to reach over the region (> 0). */
  maxError: number;
  /** Most segments any one node may use. */
  maxSegments?: number;
  /** Fresh samples for the measured error (rows × vars, in `vars` order); default: uniform in the region. */
  samples?: Float64Array;
  /** How many fresh uniform samples measure the error when `samples` is not given. */
  measureCount?: number;
  /** Called as each long step starts (planning attempts, float32 analysis, measuring), for progress lines. */
  onProgress?: (step: string, detail: string) => void;
  /** Seed of those samples (a whole number >= 0). */
  seed?: number;
  /** Deep (sawtooth) squares: 'auto' picks per node what needs fewer units (default). */
  deep?: 'auto' | 'never' | 'always';
  /** Most hidden layers (default 64). */
  maxDepth?: number;
  /** Force this many sawtooth levels for every deep square (else sized to its budget). */
  deepLevels?: number;
  /**
   * The dtype the network must keep --max-error in. 'float32' certifies the float32 evaluation
   * (and builds sums of at most `maxFanIn` terms, 4 by default, so its rounding stays small).
   */
  dtype?: 'float64' | 'float32';
  /** Most terms per sum (at least 2; default 4 for float32, unlimited for float64). */
  maxFanIn?: number;
  /** What 'auto' minimizes: ReLUs (default) or parameters. */
  minimize?: 'relus' | 'params';
  /**
   * Euclidean norms sqrt(Σ a_i²) of affine forms: 'fold' builds them by angle folding
   * (compile/fold.ts), 'squares' as squares and a sqrt, 'auto' (default) builds both and keeps
   * the smaller network (by `minimize`).
   */
  norm?: 'auto' | 'fold' | 'squares';
  /**
   * Several outputs in one network (then `expr` is only a label): one graph with shared
   * subexpressions, one budget split, a certificate per output (`maxError` for those without
   * their own).
   */
  outputs?: OutputSpec[];
}

export interface OutputSpec { name: string; expr: string; maxError?: number }

/** The certificate and measurement of one output of a several-output network. */
export interface OutputReport {
  name: string;
  expr: string;
  maxError: number;
  certifiedMax: number;
  certifiedConstruction: number;
  roundingBound: number;
  certifiedMaxFloat32: number;
  measuredMax: number;
  measuredRms: number;
  outputRange: [number, number];
}

export interface NodeReport {
  id: number;
  text: string;
  kind: string;
  /** Exact range of the node's value, and the range its approximation was built on. */
  range: Range;
  builtOn?: Range;
  /** How the node was built: 'shallow' PWL, 'deep' sawtooth square (with its levels) or 'fold' (a norm). */
  construction?: 'shallow' | 'deep' | 'fold';
  levels?: number;
  /** A folded norm: the k of each fold, per level of its pairwise tree (compile/fold.ts). */
  folds?: number[][];
  /** Error budget given and certified error of this node's own approximation. */
  budget?: number;
  certified?: number;
  /** Error of the node's value including everything upstream (sound composition). */
  errorIn: number;
  relus: number;
  segments?: number;
}

/** What `compileFormula` built: the network, its certified and measured errors, per-node details. */
export interface CompileResult {
  expr: string;
  inputs: string[];
  network: Network;
  certifiedMax: number;
  /** The construction's own bound and the float64 rounding bound of the network. */
  certifiedConstruction: number;
  roundingBound: number;
  measuredMax: number;
  measuredRms: number;
  measuredSamples: number;
  /** Certified max error of the network evaluated in float32 (construction + float32 rounding). */
  certifiedMaxFloat32: number;
  /** Range of the formula's value over the certified region. */
  outputRange: [number, number];
  /** Known pre-activation ranges per hidden layer, for rounding analyses of exports. */
  hints: { lo: Float64Array; hi: Float64Array }[];
  /** Samples outside the certified region (never counted as measured inside it). */
  outsideRegion: number;
  nodes: NodeReport[];
  region: { box: Record<string, Range>; ranges: Record<string, Range> };
  /** Several outputs: one report each, in network output order (top-level errors are their maxima). */
  outputs?: OutputReport[];
}

/**
 * One plain ReLU network for a formula in several inputs: the expression graph's squares and
 * unary functions are approximated (shallow PWLs, or Yarotsky's deep sawtooth squares) on
 * the ranges of their approximate inputs, the error budget split by sensitivity, and the
 * errors composed soundly (e_out <= e_g + L·e_in). `certifiedMax` is proven over the region
 * (the box, restricted by `ranges`), float64 rounding included; `measuredMax` is sampled.
 */
export function compileFormula(o: CompileOptions): CompileResult {
  if ((o.norm ?? 'auto') === 'auto' && !(o.outputs && o.outputs.length > 0)) return compileBestNorm(o);
  const multi = o.outputs !== undefined && o.outputs.length > 0;
  const formulas = multi ? o.outputs!.map((out) => parseFormula(out.expr, `--out ${out.name}`)) : [parseFormula(o.expr)];
  const formula = formulas[0]!;
  const variables = [...new Set(formulas.flatMap((f) => f.variables))];
  const inputs = Object.keys(o.vars);
  for (const v of variables) if (!(v in o.vars)) throw new InputError('--var', `give a range for every variable of the expression (missing ${v})`, inputs.join(', ') || 'none', { field: 'vars', code: 'missing' });
  for (const v of inputs) if (!variables.includes(v)) throw new InputError('--var', 'name only variables of the expression', v, { field: 'vars', code: 'unknown-name' });
  if (multi) checkOutputs(o.outputs!, inputs, o.dtype);
  for (const [v, [a, b]] of Object.entries(o.vars)) {
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new InputError(`--var ${v}`, 'be a non-empty interval a:b with finite a < b', `${a}:${b}`, { field: 'vars', code: 'empty-interval', key: v });
  }
  if (!(o.maxError > 0) || !Number.isFinite(o.maxError)) throw new InputError('--max-error', 'be a positive number', o.maxError, { field: 'maxError', code: 'not-positive' });
  const tolerances = multi ? o.outputs!.map((out) => out.maxError ?? o.maxError) : [o.maxError];
  // The budget is split for the tightest tolerance; sensitivities weigh each output by it.
  const maxError = Math.min(...tolerances);
  const g = buildGraph(lowerForCompile(formula.expr, o.vars), inputs, { norms: o.norm === 'fold' });
  const outIds = [g.output, ...formulas.slice(1).map((f) => g.intern(lowerForCompile(f.expr, o.vars)))];
  const given = new Map<number, { range: Range; argument: string }>();
  for (const [text, range] of Object.entries(o.ranges ?? {})) {
    const sub = parseFormula(text, '--range');
    for (const v of variablesOf(sub.expr)) if (!inputs.includes(v)) throw new InputError('--range', 'use only variables of the expression', `${text} (${v})`, { field: 'ranges', code: 'unknown-name' });
    const before = g.nodes.length;
    const id = g.intern(lowerForCompile(sub.expr, o.vars));
    if (id >= before || !ancestors(g, outIds, true).has(id)) throw new InputError('--range', 'name a subexpression of the expression', text, { field: 'ranges', code: 'not-subexpression' });
    given.set(id, { range, argument: `--range ${text}` });
  }
  const ranges = propagateRanges(g, o.vars, given);
  const limit = o.maxSegments ?? 1_000_000;
  const live = ancestors(g, outIds);

  // Cost model for the split: segments_j ≈ c_j / sqrt(e_j); sensitivities S_j by backward
  // Lipschitz propagation; e_j ∝ (c_j / S_j)^(2/3) minimizes Σ c_j/sqrt(e_j) s.t. Σ S_j e_j = E.
  const approxNodes = g.nodes.filter((n) => live.has(n.id) && (n.kind === 'square' || n.kind === 'unary' || n.kind === 'norm'));
  const outFeeds = multi ? outIds.map((id) => ancestors(g, [id])) : [];
  // Several outputs: S_j = max_k S_jk·E/E_k, so Σ_j S_j·e_j ≤ E keeps every output k within E_k.
  const sens = multi ? maxOf(outIds.map((id, k) => sensitivities(g, ranges, live, maxError, [[id, maxError / tolerances[k]!]]))) : sensitivities(g, ranges, live, maxError);
  // A folded norm costs about log(1/e) units; weighted here like a PWL of its range's scale.
  const cost = new Map(approxNodes.map((n) => [n.id, n.kind === 'norm' ? Math.sqrt(ranges[n.id]![1]) : costConstant(fnOf(n), halfRange(n, ranges))]));
  const weights = new Map(approxNodes.map((n) => [n.id, Math.pow(Math.max(cost.get(n.id)!, 1e-300) / Math.max(sens.get(n.id)!, 1e-300), 2 / 3)]));

  const box = inputs.map((v) => o.vars[v]!);
  const boxLo = box.map((b) => b[0]);
  const boxHi = box.map((b) => b[1]);
  const dtype = o.dtype ?? 'float64';
  const fanIn = o.maxFanIn ?? (dtype === 'float32' ? 4 : Infinity);
  const maxDepth = o.maxDepth ?? 64;
  const squares = approxNodes.filter((n) => n.kind === 'square');
  const mode = o.deep ?? 'auto';
  // Candidate plans: all shallow; and deep squares holding a share ρ of the tolerance.
  const plans: { deepShare: number }[] = [];
  if (mode !== 'never' && squares.length > 0) for (const rho of [0.001, 0.01, 0.1, 0.5]) plans.push({ deepShare: rho });
  if (mode !== 'always' || squares.length === 0) plans.push({ deepShare: 0 });
  let best: { built: ReturnType<typeof assemble>; rounding: number; total: number; total32: number } | null = null;
  // The float32 bound: for float32 builds, over sub-boxes that meet the stated ranges (branch
  // and bound, roundingErrorBoundSplit); else over the whole box at once.
  const givenIds = [...given.keys()];
  const inRegion = (lo: number[], hi: number[]): boolean => {
    if (givenIds.length === 0) return true;
    const sub: Record<string, Range> = {};
    inputs.forEach((v, i) => { sub[v] = [lo[i]!, hi[i]!]; });
    let r: Range[];
    try { r = propagateRanges(g, sub, new Map()); } catch { return true; }
    return givenIds.every((id) => r[id]![1] >= given.get(id)!.range[0] && r[id]![0] <= given.get(id)!.range[1]);
  };
  checkToleranceFloor(formulas.map((f) => f.expr), multi ? o.outputs!.map((out) => out.name) : ['f'], inputs, box, tolerances, dtype, inRegion);
  const float32Rounding = (built: ReturnType<typeof assemble>, evaluations = FLOAT32_SPLIT_EVALUATIONS): number => {
    o.onProgress?.('float32 analysis', `rounding bound of ${built.summary.relus} ReLUs`);
    return built.foldRounding ? built.foldRounding('float32') : dtype === 'float32'
      ? roundingErrorBoundSplit(built.network, boxLo, boxHi, 'float32', built.hints, { evaluations, inRegion })
      : roundingErrorBound(built.network, boxLo, boxHi, 'float32', built.hints)[0]!;
  };
  let lastFailure = '';
  let failureKind: FailureKind = 'construction';
  let squaresHelp = squares.length > 0;
  let closest = Infinity;
  for (const [planIndex, plan] of plans.entries()) {
    const deepSet = new Set(plan.deepShare > 0 ? squares.map((n) => n.id) : []);
    const shallow = approxNodes.filter((n) => !deepSet.has(n.id));
    const deepSens = [...deepSet].reduce((s2, id) => s2 + sens.get(id)!, 0);
    const shareDeep = shallow.length === 0 ? 1 : plan.deepShare;
    const denomShallow = shallow.reduce((s2, n) => s2 + sens.get(n.id)! * weights.get(n.id)!, 0);
    let factor = 0.97; // share of the tolerance for the construction; the rest covers rounding
    let rebalanced = false;
    // Several outputs: a node's budget is scaled by the slack of the outputs it feeds (below).
    const nodeScale = new Map<number, number>();
    for (let attempt = 0; attempt < 6; attempt++) {
      o.onProgress?.('planning', `plan ${planIndex + 1} of ${plans.length}${plan.deepShare > 0 ? ` (deep squares, ${plan.deepShare * 100}% of the tolerance)` : ''}, attempt ${attempt + 1}`);
      const budgets = new Map<number, number>();
      for (const id of deepSet) budgets.set(id, (factor * maxError * shareDeep * (nodeScale.get(id) ?? 1)) / deepSens);
      for (const n of shallow) budgets.set(n.id, (denomShallow > 0 ? (factor * maxError * (1 - shareDeep) * weights.get(n.id)!) / denomShallow : maxError) * (nodeScale.get(n.id) ?? 1));
      // A plan whose budgets are not positive numbers (an infinite or NaN error upstream) is
      // discarded with its reason, never passed on as a tolerance.
      const badBudget = [...budgets].find(([, b]) => !(b > 0 && b < Infinity));
      if (badBudget) { lastFailure ||= `the error budget of ${g.nodes[badBudget[0]]!.text} came out as ${badBudget[1]}`; break; }
      // Skip a plan the cost model says is far bigger than one already found (no need to build
      // a network with hundreds of thousands of units to learn that it loses).
      const estimate = shallow.reduce((s2, n) => s2 + cost.get(n.id)! / Math.sqrt(budgets.get(n.id)!), 0);
      if (best && estimate > 4 * best.built.summary.relus) { lastFailure = 'a smaller plan was found'; break; }
      let built: ReturnType<typeof assemble>;
      try {
        built = assemble(g, ranges, live, budgets, limit, deepSet, o.deepLevels, fanIn, dtype === 'float32', { maxDepth, minimize: o.minimize ?? 'relus' }, multi ? { ids: outIds, names: o.outputs!.map((out) => out.name) } : undefined);
      } catch (e) {
        // A node that cannot be built within its share ends this plan; another may fit.
        if (!(e instanceof NodeToleranceError)) throw e;
        if (closest === Infinity) { lastFailure = nodeFailureText(e); failureKind = 'construction'; squaresHelp = e.square; }
        break;
      }
      if (built.summary.layers > maxDepth) { lastFailure = `it needs ${built.summary.layers} hidden layers, more than --max-depth ${maxDepth}`; failureKind = 'depth'; break; }
      if (multi) {
        const roundingAll = roundingErrorBound(built.network, boxLo, boxHi, 'float64', built.hints);
        const totals = built.errorOuts.map((e, k) => e + roundingAll[k]!);
        if (totals.every((t, k) => t <= tolerances[k]!)) {
          if (!best || built.summary.relus < best.built.summary.relus) best = { built, rounding: roundingAll[0]!, total: Math.max(...totals), total32: NaN };
          // The split guards the output with the least room; the others end below their
          // tolerance. Rebuild once with each node's budget scaled by the least slack among
          // the outputs it feeds (every output stays within its own; the smaller net is kept).
          const slack = built.errorOuts.map((e, k) => (0.998 * tolerances[k]! - roundingAll[k]!) / Math.max(e, 1e-300));
          if (rebalanced || Math.max(...slack) < 1.05) break;
          rebalanced = true;
          for (const n of approxNodes) nodeScale.set(n.id, Math.min(4, ...outFeeds.flatMap((f, k) => (f.has(n.id) ? [slack[k]!] : []))));
          continue;
        }
        if (rebalanced) break;
        const worst = Math.max(...totals.map((t, k) => t / tolerances[k]!));
        if (worst < closest) { closest = worst; lastFailure = `the composed bounds came down to ${totals.map((t) => t.toPrecision(4)).join(', ')} for ${tolerances.join(', ')}`; }
        factor *= Math.min(0.9, 0.97 * Math.min(...built.errorOuts.map((e, k) => (tolerances[k]! - roundingAll[k]!) / Math.max(e, 1e-300))));
        if (!(factor > 0)) break;
        continue;
      }
      const rounding = built.foldRounding ? built.foldRounding('float64') : roundingErrorBound(built.network, boxLo, boxHi, 'float64', built.hints)[0]!;
      const total = built.errorOut + rounding;
      const unfit = unfitPlan(built, rounding);
      if (unfit) { if (closest === Infinity) lastFailure = unfit; break; }
      let total32 = dtype === 'float32' ? built.errorOut + float32Rounding(built) : total;
      // Near the tolerance, a finer split may prove what the coarse one could not.
      if (dtype === 'float32' && total32 > o.maxError && total32 < 1.25 * o.maxError) total32 = Math.min(total32, built.errorOut + float32Rounding(built, FLOAT32_FINE_EVALUATIONS));
      const target = dtype === "float32" ? total32 : total;
      if (target <= o.maxError) {
        const score = (b: typeof built) => (o.minimize === 'params' ? b.summary.params : b.summary.relus);
        if (!best || score(built) < score(best.built)) best = { built, rounding, total, total32 };
        // Part of the tolerance went unused (the rounding reserve, whole segment counts): one
        // more build with the budgets scaled up to use it; the smaller network is kept.
        if (rebalanced || target >= 0.99 * o.maxError) break;
        rebalanced = true;
        factor *= Math.min(1.5, (0.998 * o.maxError - (target - built.errorOut)) / Math.max(built.errorOut, 1e-300));
        continue;
      }
      if (rebalanced) break;
      const roundingPart = target - built.errorOut;
      // Report the closest any attempt came, not the last one.
      if (target < closest) {
        closest = target;
        failureKind = dtype === 'float32' ? 'float32' : 'construction';
        lastFailure = dtype === 'float32'
          ? `the certified float32 bound came down to ${target.toPrecision(4)}, of which ${roundingPart.toPrecision(4)} is float32 rounding (|f| reaches ${outputMagnitude(ranges[g.output]!).toPrecision(3)}, where float32 resolves about ${(outputMagnitude(ranges[g.output]!) * 2 ** -24).toPrecision(3)})`
          : `the composed bound came down to ${target.toPrecision(4)}`;
      }
      if (roundingPart >= o.maxError) break; // no construction budget can help
      factor *= Math.min(0.9, ((o.maxError - roundingPart) / Math.max(built.errorOut, 1e-300)) * 0.97);
      if (!(factor > 0)) break;
    }
  }
  if (!best) throw new WorkError(`--max-error ${multi ? tolerances.join(', ') : o.maxError} could not be met: ${lastFailure}; ${compileRemedies({ kind: failureKind, dtype, deep: mode, hasSquares: squaresHelp })}.`);
  if (multi) return multiResult(o, formulas.map((f) => f.expr), inputs, best.built, g, ranges, live, outIds, tolerances, Object.fromEntries([...given.keys()].map((id) => [g.nodes[id]!.text, ranges[id]!])));
  const { built, rounding, total, total32 } = best;
  o.onProgress?.('measuring', `${o.samples ? o.samples.length / inputs.length : o.measureCount ?? 'default'} samples`);
  const m = measureOnRegion(formula.expr, inputs, built.network, g, ranges, live, { ...o, absTol: 1e-3 * total });
  assertMeasuredWithinCertified(`compile ${o.expr}`, m.max, total, outputMagnitude(ranges[g.output]!));
  const rangeOut: Record<string, Range> = {};
  for (const id of given.keys()) rangeOut[g.nodes[id]!.text] = ranges[id]!;
  return {
    expr: o.expr, inputs, network: built.network, certifiedMax: total, certifiedConstruction: built.errorOut, roundingBound: rounding,
    measuredMax: m.max, measuredRms: m.rms, measuredSamples: m.count, outsideRegion: m.outside,
    nodes: built.reports, region: { box: o.vars, ranges: rangeOut }, hints: built.hints,
    certifiedMaxFloat32: dtype === 'float32' ? total32 : built.errorOut + float32Rounding(built),
    outputRange: ranges[g.output]!,
  };
}

/**
 * Why a built plan cannot be used — a weight that is not finite, or an error bound that is
 * infinite or NaN (naming the piece it comes from) — or null when it can.
 */
function unfitPlan(built: ReturnType<typeof assemble>, rounding: number): string | null {
  const piece = built.reports.find((r) => !(r.errorIn < Infinity));
  if (piece) return `the composed bound is not finite: ${piece.text}${piece.builtOn ? ` on [${piece.builtOn[0]}, ${piece.builtOn[1]}]` : ''} could not be certified within ${piece.budget ?? 'its budget'} (its error came out as ${piece.errorIn}; float64 resolves too little of that range at this tolerance)`;
  const bad = nonFiniteParameter(built.network);
  if (bad) return `the network would carry a weight that is not finite (${bad})`;
  if (!(built.errorOut < Infinity && rounding < Infinity)) return `the composed bound is not finite (construction ${built.errorOut}, float64 rounding ${rounding})`;
  return null;
}

/** Analyses spent on a float32 build's rounding bound (sub-boxes of the region); more near the tolerance. */
const FLOAT32_SPLIT_EVALUATIONS = 256;
const FLOAT32_FINE_EVALUATIONS = 2048;

function outputMagnitude(r: Range): number {
  return Math.max(Math.abs(r[0]), Math.abs(r[1]));
}

function fnOf(n: Graph['nodes'][number]): Expr {
  return n.kind === 'unary' ? n.fn : SQUARE;
}

/** Input range of an approximated node as it will be built (squares on the half range |u|). */
function halfRange(n: Graph['nodes'][number], ranges: Range[]): Range {
  const [a, b] = ranges[(n as { arg: number }).arg]!;
  if (n.kind === 'square') return a >= 0 ? [a, b] : b <= 0 ? [-b, -a] : [0, Math.max(-a, b)];
  return [a, b];
}

function maxOf(maps: Map<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of maps) for (const [id, v] of m) out.set(id, Math.max(out.get(id) ?? 0, v));
  return out;
}

/** Nodes the outputs (`roots`) depend on; `withSums`: also the Σ a_i² behind each norm (a --range may name it). */
function ancestors(g: Graph, roots: number[] = [g.output], withSums = false): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = g.nodes[id]!;
    stack.push(...operands(n));
    if (withSums && n.kind === 'norm') stack.push(n.sum);
  }
  return seen;
}

/** --norm auto: the formula built with its norms folded and as squares; the smaller network wins. */
function compileBestNorm(o: CompileOptions): CompileResult {
  const formula = parseFormula(o.expr);
  const hasNorm = buildGraph(lowerForCompile(formula.expr, o.vars), Object.keys(o.vars), { norms: true }).nodes.some((n) => n.kind === 'norm');
  if (!hasNorm) return compileFormula({ ...o, norm: 'squares' });
  const results: CompileResult[] = [];
  let failure: unknown = null;
  for (const norm of ['fold', 'squares'] as const) {
    // A measured error above the certified one is a bug to report, never a reason to switch.
    try { results.push(compileFormula({ ...o, norm })); } catch (e) { if (!(e instanceof WorkError) || /a bug in knotnet/.test(e.message)) throw e; failure = e; }
  }
  if (!results.length) throw failure;
  const score = (r: CompileResult) => { const s = networkSummary(r.network); return o.minimize === 'params' ? s.params : s.relus; };
  return results.reduce((b, r) => (score(r) < score(b) ? r : b));
}

/** Lipschitz sensitivity of the output to each node's value (sum over paths). */
function sensitivities(g: Graph, ranges: Range[], live: Set<number>, maxError: number, seeds: [number, number][] = [[g.output, 1]]): Map<number, number> {
  const s = new Map<number, number>();
  for (const [id, w] of seeds) s.set(id, (s.get(id) ?? 0) + w);
  for (let id = g.nodes.length - 1; id >= 0; id--) {
    if (!live.has(id)) continue;
    const n = g.nodes[id]!;
    const here = s.get(id) ?? 0;
    const give = (child: number, k: number) => s.set(child, (s.get(child) ?? 0) + here * k);
    switch (n.kind) {
      case 'affine': for (const t of n.terms) give(t.node, Math.abs(t.coef)); break;
      case 'abs': case 'relu': give(n.arg, 1); break;
      case 'max': case 'min': give(n.a, 1); give(n.b, 1); break;
      case 'norm': for (const a of n.args) give(a, 1); break; // 1-Lipschitz in each argument
      case 'square': case 'unary': {
        let k = lipschitzOf(fnOf(n), halfRange(n, ranges));
        // sqrt from 0: not Lipschitz, but ½-Hölder: an input error (E/2)² costs E/2, as a
        // slope of 2/E would at that error.
        if (!Number.isFinite(k) && n.kind === 'unary' && isSqrt(n.fn)) k = 2 / maxError;
        // cbrt through 0: an input error (E/(2·2^(2/3)))³ costs E/2.
        else if (!Number.isFinite(k) && n.kind === 'unary' && isCbrt(n.fn)) k = (maxError / 2) / Math.pow(maxError / (2 * CBRT_HOLDER), 3);
        give(n.arg, k);
        break;
      }
      default: break;
    }
  }
  return s;
}

/** Builds the layered program for given budgets with sound error composition. */
function assemble(g: Graph, ranges: Range[], live: Set<number>, budgets: Map<number, number>, limit: number, deepSet: Set<number>, deepLevels?: number, maxFanIn = Infinity, precise = false, normOpts = { maxDepth: 64, minimize: 'relus' as 'relus' | 'params' }, several?: { ids: number[]; names: string[] }) {
  const prog = new Program(g.inputs.length, maxFanIn);
  const forms: Form[] = [];
  const err: number[] = [];
  const reports: NodeReport[] = [];
  let foldTrace: { trace: FoldTrace; R: number } | null = null;
  // Lower bound of the computed (approximate) value of a node: its range widened by its error.
  const lowOf = (id: number) => ranges[id]![0] - err[id]!;
  const hiOf = (id: number) => ranges[id]![1] + err[id]!;
  const lift = (id: number, layer: number): Form => {
    const f = forms[id]!;
    if (f.terms.size === 0 || f.layer >= layer) return f;
    const carried = prog.carry(f, layer, lowOf(id), hiOf(id));
    forms[id] = carried; // later users share the carried copy
    return carried;
  };
  /** Operands carried to one common layer (at least `atLeast`); carrying may go deeper. */
  const liftAll = (ids: number[], atLeast = -1): Form[] => {
    let layer = Math.max(atLeast, ...ids.map((id) => (forms[id]!.terms.size ? forms[id]!.layer : -1)));
    for (;;) {
      const fs = ids.map((id) => lift(id, layer));
      const deepest = Math.max(layer, ...fs.map((f) => (f.terms.size ? f.layer : -1)));
      if (deepest === layer) return fs.map((f) => (f.terms.size ? f : { ...f, layer }));
      layer = deepest;
    }
  };
  for (const n of g.nodes) {
    if (!live.has(n.id)) { forms.push(constantForm(0)); err.push(0); continue; }
    const unitsBefore = prog.layers.reduce((s, l) => s + l.length, 0);
    const report: NodeReport = { id: n.id, text: n.text, kind: n.kind, range: ranges[n.id]!, errorIn: 0, relus: 0 };
    let form: Form;
    let e = 0;
    switch (n.kind) {
      case 'input': form = prog.inputForm(g.inputs.indexOf(n.name)); break;
      case 'affine': {
        const lifted = liftAll(n.terms.map((t) => t.node));
        form = combine(n.terms.map((t, i) => ({ form: lifted[i]!, coef: t.coef })), n.constant);
        e = n.terms.reduce((s, t) => s + Math.abs(t.coef) * err[t.node]!, 0);
        break;
      }
      case 'abs': case 'relu': {
        const a = forms[n.arg]!;
        const lo = lowOf(n.arg);
        const hi = ranges[n.arg]![1] + err[n.arg]!;
        e = err[n.arg]!;
        if (lo >= 0) form = a;
        else if (hi <= 0) form = n.kind === 'abs' ? scale(a, -1) : constantForm(0);
        else {
          const p = prog.addUnit(a, 0, [lo, hi]);
          const terms = new Map([[p.index, 1]]);
          if (n.kind === 'abs') terms.set(prog.addUnit(scale(a, -1), 0, [-hi, -lo]).index, 1);
          form = { layer: p.layer, terms, constant: 0 };
        }
        break;
      }
      case 'max': case 'min': {
        // max(a,b) = a + relu(b − a); min(a,b) = a − relu(a − b)
        const [A, B] = liftAll([n.a, n.b], 0) as [Form, Form];
        const diff = n.kind === 'max' ? combine([{ form: B, coef: 1 }, { form: A, coef: -1 }], 0) : combine([{ form: A, coef: 1 }, { form: B, coef: -1 }], 0);
        const u = prog.addUnit(diff, 0, n.kind === 'max' ? [lowOf(n.b) - hiOf(n.a), hiOf(n.b) - lowOf(n.a)] : [lowOf(n.a) - hiOf(n.b), hiOf(n.a) - lowOf(n.b)]);
        const [a2] = liftAll([n.a], u.layer) as [Form];
        let uf: Form = { layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 };
        if (a2.layer > uf.layer) uf = prog.carry(uf, a2.layer, 0, Math.max(0, hiOf(n.b) - lowOf(n.a), hiOf(n.a) - lowOf(n.b)));
        form = combine([{ form: a2, coef: 1 }, { form: uf, coef: n.kind === 'max' ? 1 : -1 }], 0);
        e = Math.max(err[n.a]!, err[n.b]!);
        break;
      }
      case 'norm': {
        const built = foldNorm(prog, n.args.map((id) => ({ form: forms[id]!, lo: lowOf(id), hi: hiOf(id), err: err[id]! })), ranges[n.id]![1], budgets.get(n.id)!, { ...normOpts, maxK: precise ? 3 : 16, extraLayers: precise ? 1 : 0 });
        form = built.form;
        e = built.errorIn;
        if (n.id === g.output && built.trace) foldTrace = { trace: built.trace, R: built.R };
        Object.assign(report, { builtOn: [0, built.R], budget: budgets.get(n.id)!, certified: built.certified, construction: 'fold', folds: built.folds });
        break;
      }
      case 'square': case 'unary': {
        const eIn = err[n.arg]!;
        const [a, b] = ranges[n.arg]!;
        let input = forms[n.arg]!;
        let W: Range = [a - eIn, b + eIn];
        let scaledAbs = false;
        if (n.kind === 'square') {
          const single = input.terms.size === 1 && input.constant === 0;
          if (W[1] <= 0) { input = scale(input, -1); W = [-W[1], -W[0]]; }
          else if (W[0] < 0 && precise && deepSet.has(n.id) && single) {
            // float32: |u|/hi as relu(u/hi) + relu(−u/hi), one rounding shared by both halves
            // (they are exact negatives), feeding exact sawtooth teeth.
            const top = Math.max(-W[0], W[1]);
            const p = prog.addUnit(scale(input, 1 / top), 0, [W[0] / top, W[1] / top]);
            const q = prog.addUnit(scale(input, -1 / top), 0, [-W[1] / top, -W[0] / top]);
            input = { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
            W = [0, top];
            scaledAbs = true;
          } else if (W[0] < 0) {
            // |u| = relu(u) + relu(−u): 2 ReLUs, then the square on the half range.
            const p = prog.addUnit(input, 0, [W[0], W[1]]);
            const q = prog.addUnit(scale(input, -1), 0, [-W[1], -W[0]]);
            input = { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
            W = [0, Math.max(-W[0], W[1])];
          }
        }
        const fn = fnOf(n);
        const budget = budgets.get(n.id)!;
        if (deepSet.has(n.id)) {
          // Deep square on [0, hi] (W[0] ≥ 0 here): error hi²·2^(−2m−2), Lipschitz 2·hi.
          const hi = W[1];
          const levels = deepLevels ?? deepSquareLevels(hi, budget);
          form = precise ? deepSquareUnitsPrecise(prog, input, hi, levels, scaledAbs) : deepSquareUnits(prog, input, hi, levels);
          const own = deepSquareError(hi, levels);
          e = own + 2 * hi * eIn;
          Object.assign(report, { builtOn: [0, hi], budget, certified: own, construction: 'deep', levels });
          break;
        }
        // sqrt of a value ≥ 0 whose computed input may dip below 0 by its error: clamp the
        // input with relu (1-Lipschitz, and the identity on [0, ∞) where the true value lies)
        // and build on [0, W[1]]; sqrt is ½-Hölder there, |√a − √b| ≤ √|a − b|.
        const sqrtNode = n.kind === 'unary' && isSqrt(fn);
        if (sqrtNode && W[0] < 0 && a >= 0) {
          const p = prog.addUnit(input, 0, [W[0], W[1]]);
          input = { layer: p.layer, terms: new Map([[p.index, 1]]), constant: 0 };
          W = [0, W[1]];
        }
        const piece: OneD = forNode(n.text, W, () => approximateOnRange(fn, W, budget, limit), n.kind === 'square');
        // Wide fan-in feeding many units: carry the value as one unit first (1 ReLU) rather
        // than a dense block of fan-in × units weights.
        const segs = piece.pwl.x.length - 1;
        if (precise && W[0] > 0 && segs > 1 && (input.terms.size > 1 || input.constant !== 0)) {
          // float32: carry the value itself (not value − W[0]), so that each unit's u − k_i
          // subtracts numbers within a factor 2 of each other (exact, by Sterbenz's lemma)
          // when W[1] ≤ 2·W[0].
          input = prog.carry(input, input.layer + 1, 0, W[1]);
        } else if (input.terms.size > 2 && segs > 2 && input.terms.size * segs > 10 * (input.terms.size + segs)) {
          input = prog.carry(input, input.layer + 1, W[0], W[1]);
        }
        form = pwlUnits(prog, input, piece, W);
        // Exact input (eIn = 0) adds nothing even where f is not Lipschitz (sqrt at 0).
        const holder = eIn === 0 ? null : holderError(fn, eIn);
        e = piece.certified + (eIn === 0 ? 0 : holder !== null ? Math.min(piece.lipschitz * eIn, holder) : piece.lipschitz * eIn);
        Object.assign(report, { builtOn: W, budget, certified: piece.certified, segments: segs, construction: 'shallow' });
        break;
      }
    }
    forms.push(form!);
    err.push(e);
    report.errorIn = e;
    report.relus = prog.layers.reduce((s, l) => s + l.length, 0) - unitsBefore;
    if (n.kind !== 'input') reports.push(report);
  }
  const out = forms[g.output]!;
  const network = several
    ? toNetworkOutputs(prog, several.ids.map((id) => forms[id]!), several.ids.map((id) => [lowOf(id), hiOf(id)]), g.inputs, several.names)
    : prog.toNetwork(out, lowOf(g.output), g.inputs, 'y', hiOf(g.output), precise);
  const errorOuts = (several?.ids ?? [g.output]).map((id) => err[id]!);
  // A network that is one folded norm of coordinates: its rounding by foldRoundingBound.
  const foldRounding = foldTrace && !several ? (dtype: 'float64' | 'float32') => foldRoundingBound(network, foldTrace!.trace, dtype, foldTrace!.R, hiOf(g.output)) : null;
  return { network, errorOut: err[g.output]!, errorOuts, reports, summary: networkSummary(network), hints: prog.preRanges(), foldRounding };
}

/** y0 + s0·relu(u − k0) + Σ (s_i − s_{i−1})·relu(u − k_i), as units reading `input`. */
function pwlUnits(prog: Program, input: Form, piece: OneD, W: Range): Form {
  const { x, y } = piece.pwl;
  const n = x.length - 1;
  const terms = new Map<number, number>();
  let prevSlope = 0;
  let layer = input.layer + 1;
  for (let i = 0; i < n; i++) {
    const u = prog.addUnit(input, -x[i]!, [W[0] - x[i]!, W[1] - x[i]!]);
    layer = u.layer;
    const slope = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
    terms.set(u.index, slope - prevSlope);
    prevSlope = slope;
  }
  return { layer, terms, constant: y[0]! };
}
