import { roomForAgain, workLeft } from '../approx/budget.ts';
import { roundingErrorBound } from '../net/rounding.ts';
import { assemble, type Assembled } from './assemble.ts';
import { estimatedRelus, planSplit, splitBudgets, type PlanSplit, type SplitModel } from './budget.ts';
import {
  badBudgetText, composedBoundsText, composedBoundText, depthText, nodeFailureText, NodeToleranceError, PlanTooLarge,
  unfitPlan,
  type FailureKind,
} from './failure.ts';
import { certifyFloat32, float64Rounding, type RoundingScope } from './float32cert.ts';
import type { Graph } from './graph.ts';
import type { LayoutStrategy } from './layout.ts';
import { magnitude, type Range } from './ranges.ts';
import type { Request } from './request.ts';

/**
 * The plan search: candidate plans (all shallow; deep squares holding a share ρ of the
 * tolerance), each tried in up to 6 attempts that rescale the construction's part of the
 * tolerance to what the last attempt left (rounding reserve, whole segment counts); the
 * smallest network whose certified bound meets the tolerance wins.
 */
export interface SearchContext {
  req: Request;
  g: Graph;
  ranges: Range[];
  live: Set<number>;
  outIds: number[];
  model: SplitModel;
  rounding: RoundingScope;
  layout: LayoutStrategy;
  deep: 'auto' | 'never' | 'always';
  deepLevels?: number | undefined;
  limit: number;
  fanIn: number;
  maxDepth: number;
  minimize: 'relus' | 'params';
  /** The score (ReLUs or parameters) of a network built another way, which this search must beat. */
  toBeat?: number | undefined;
  onProgress?: ((step: string, detail: string) => void) | undefined;
  /** Graph nodes of jump ramps' steps (AssembleOptions.exactSteps). */
  exactSteps?: ReadonlySet<number> | undefined;
  /** True-value ranges of unary nodes' arguments where their widened ranges leave the domain (AssembleOptions). */
  exactArgs?: ReadonlyMap<number, Range> | undefined;
}

/** The best network found: its construction, float64 rounding, certified total and float32 total. */
export interface Best { built: Assembled; rounding: number; total: number; total32: number }

/** The search's outcome: the best network, or why the closest attempt failed. */
export interface SearchState {
  best: Best | null;
  lastFailure: string;
  failureKind: FailureKind;
  /** The failure is about squares, which --deep always could build instead. */
  squaresHelp: boolean;
  /** The closest an attempt came (its bound, or its worst bound/tolerance ratio); Infinity before any. */
  closest: number;
  /**
   * Nodes whose shallow PWL could not be built (too many segments, or float64 rounding over the
   * budget), with the largest budget that failed: a plan giving such a node no more is not built.
   */
  failed: Map<number, number>;
}

/** The share of the tolerance a plan's first attempt gives its construction (the rest: rounding); cost.ts too. */
export const CONSTRUCTION_SHARE = 0.97;

/**
 * One plan's attempts: the part of the tolerance for the construction, per-node scales, and the
 * work left (approx/budget.ts) when the last attempt began: the rescaling that only makes the
 * network smaller is not built when the request's pool cannot pay for another such attempt (a
 * 500-term sum of sin(kx): a second build of 29 s for one segment fewer).
 */
interface Attempt { factor: number; rebalanced: boolean; nodeScale: Map<number, number>; before: number }

type Next = 'again' | 'stop';

/** Candidate plans: deep squares holding a share ρ of the tolerance, and all shallow. */
export function candidatePlans(deep: 'auto' | 'never' | 'always', squares: number): { deepShare: number }[] {
  const plans: { deepShare: number }[] = [];
  if (deep !== 'never' && squares > 0) for (const rho of [0.001, 0.01, 0.1, 0.5]) plans.push({ deepShare: rho });
  if (deep !== 'always' || squares === 0) plans.push({ deepShare: 0 });
  return plans;
}

export function searchPlans(c: SearchContext): SearchState {
  const squares = c.model.nodes.filter((n) => n.kind === 'square').length;
  const s: SearchState = {
    best: null, lastFailure: '', failureKind: 'construction', squaresHelp: squares > 0, closest: Infinity,
    failed: new Map(),
  };
  const plans = candidatePlans(c.deep, squares);
  for (const [index, plan] of plans.entries()) {
    const split = planSplit(c.model, plan.deepShare);
    const a: Attempt = { factor: CONSTRUCTION_SHARE, rebalanced: false, nodeScale: new Map(), before: Infinity };
    const deep = plan.deepShare > 0 ? ` (deep squares, ${plan.deepShare * 100}% of the tolerance)` : '';
    const what = `plan ${index + 1} of ${plans.length}${deep}`;
    for (let attempt = 0; attempt < 6; attempt++) {
      c.onProgress?.('planning', `${what}, attempt ${attempt + 1}`);
      a.before = workLeft();
      const built = buildAttempt(c, s, split, a);
      if (!built) break;
      if ((c.req.multi ? judgeSeveral(c, s, a, built) : judgeOne(c, s, a, built)) === 'stop') break;
    }
  }
  return s;
}

/** The network of one attempt, or null (with the reason kept) when the plan ends here. */
function buildAttempt(c: SearchContext, s: SearchState, split: PlanSplit, a: Attempt): Assembled | null {
  const budgets = splitBudgets(c.model, split, c.req.maxError, a.factor, a.nodeScale);
  // Budgets that are not positive numbers (an infinite or NaN error upstream) end the plan with
  // their reason, never passed on as a tolerance.
  const badBudget = [...budgets].find(([, b]) => !(b > 0 && b < Infinity));
  if (badBudget) { s.lastFailure ||= badBudgetText(c.g.nodes[badBudget[0]]!.text, badBudget[1]); return null; }
  // Skip a plan the cost model says is far bigger than one already found (no need to build a
  // network with hundreds of thousands of units to learn that it loses).
  if (estimatedRelus(c.model, split, budgets) > 4 * reluBar(c, s)) {
    s.lastFailure = 'a smaller plan was found';
    return null;
  }
  if (split.shallow.some((n) => budgets.get(n.id)! <= (s.failed.get(n.id) ?? 0))) return null;
  let built: Assembled;
  try {
    const several = c.req.multi ? { ids: c.outIds, names: c.req.names } : undefined;
    built = assemble(c.g, {
      ranges: c.ranges, live: c.live, budgets, limit: c.limit, deepSet: split.deepSet, deepLevels: c.deepLevels,
      maxFanIn: c.fanIn, layout: c.layout, norm: { maxDepth: c.maxDepth, minimize: c.minimize }, several,
      exactSteps: c.exactSteps, exactArgs: c.exactArgs,
    });
  } catch (e) {
    if (e instanceof PlanTooLarge) {
      if (s.closest === Infinity) [s.lastFailure, s.failureKind] = [e.text, e.kind];
      return null;
    }
    // A node that cannot be built within its share ends this plan; another may fit.
    if (!(e instanceof NodeToleranceError)) throw e;
    rememberFailure(c, s, e, budgets);
    if (s.closest === Infinity) {
      s.lastFailure = nodeFailureText(e);
      s.failureKind = 'construction';
      s.squaresHelp = e.square;
    }
    return null;
  }
  if (!c.req.multi && farBigger(c, s, built)) {
    s.lastFailure ||= 'a smaller plan was found';
    return null;
  }
  if (built.summary.layers > c.maxDepth) {
    s.lastFailure = depthText(built.summary.layers, c.maxDepth);
    s.failureKind = 'depth';
    return null;
  }
  return built;
}

/**
 * A node that needed more segments than the limit, or whose float64 rounding kept it over its
 * budget, fails again at any smaller budget: its range only widens with the upstream errors the
 * other plans allow, and both causes grow as the budget shrinks. The plans' budgets for it
 * differ by their deep share and rescaling only, so each such failure is built once, not once
 * per plan and attempt (T3 at 1e-4 as squares: a sqrt on [4.4e14, 5.8e14] that rounding
 * defeats, 6 s per plan).
 */
function rememberFailure(c: SearchContext, s: SearchState, e: NodeToleranceError, budgets: Map<number, number>) {
  if (e.inner.why === 'enclosure') return;
  const node = c.model.nodes.find((n) => n.text === e.node);
  const budget = node && budgets.get(node.id);
  if (node && budget !== undefined) s.failed.set(node.id, Math.max(budget, s.failed.get(node.id) ?? 0));
}

const score = (c: SearchContext, b: Assembled) => (c.minimize === 'params' ? b.summary.params : b.summary.relus);

/**
 * A one-output network more than twice the size of the best one found (here, or the network
 * to beat): its certification (the slow part, for float32) is skipped. It could only win
 * after the one rescaling attempt, which grows the budgets by at most 1.5 (judgeOne): that
 * shrinks a PWL's segment count by 1.5^(1/p) for an error ~ n^−p (p = 2 for the smooth
 * pieces, and the free knots keep it near 2 at sqrt's 0) and a deep square by one level.
 */
function farBigger(c: SearchContext, s: SearchState, built: Assembled): boolean {
  return score(c, built) > 2 * Math.min(s.best ? score(c, s.best.built) : Infinity, c.toBeat ?? Infinity);
}

/** The ReLUs of the best network found (here, or the one to beat when ReLUs are the score); Infinity before any. */
function reluBar(c: SearchContext, s: SearchState): number {
  const toBeat = c.minimize === 'relus' ? c.toBeat ?? Infinity : Infinity;
  return Math.min(s.best ? s.best.built.summary.relus : Infinity, toBeat);
}

/** One output: keep the network if its certified bound (float32's for float32) meets the tolerance, and rescale. */
function judgeOne(c: SearchContext, s: SearchState, a: Attempt, built: Assembled): Next {
  const maxError = c.req.maxError;
  const rounding = float64Rounding(c.rounding, built);
  const total = built.errorOut + rounding;
  const unfit = unfitPlan(built, rounding);
  if (unfit) { if (s.closest === Infinity) s.lastFailure = unfit; return 'stop'; }
  const float32 = c.rounding.dtype === 'float32';
  const total32 = float32 ? certifyFloat32(c.rounding, built, maxError) : total;
  const target = float32 ? total32 : total;
  if (target <= maxError) {
    if (!s.best || score(c, built) < score(c, s.best.built)) s.best = { built, rounding, total, total32 };
    // Part of the tolerance went unused (the rounding reserve, whole segment counts): one more
    // build with the budgets scaled up to use it; the smaller network is kept.
    if (a.rebalanced || target >= 0.99 * maxError || !roomForAgain(a.before)) return 'stop';
    a.rebalanced = true;
    a.factor *= Math.min(1.5, (0.998 * maxError - (target - built.errorOut)) / Math.max(built.errorOut, 1e-300));
    return 'again';
  }
  if (a.rebalanced) return 'stop';
  const roundingPart = target - built.errorOut;
  // Report the closest any attempt came, not the last one.
  if (target < s.closest) {
    s.closest = target;
    s.failureKind = float32 ? 'float32' : 'construction';
    s.lastFailure = composedBoundText(target, roundingPart, magnitude(c.ranges[c.g.output]!), c.rounding.dtype);
  }
  if (roundingPart >= maxError) return 'stop'; // no construction budget can help
  a.factor *= Math.min(0.9, ((maxError - roundingPart) / Math.max(built.errorOut, 1e-300)) * 0.97);
  return a.factor > 0 ? 'again' : 'stop';
}

/**
 * Several outputs: keep the network if every output's bound meets its tolerance. The split
 * guards the output with the least room; the others end below their tolerance: rebuild once
 * with each node's budget scaled by the least slack among the outputs it feeds (every output
 * stays within its own; the smaller net is kept).
 */
function judgeSeveral(c: SearchContext, s: SearchState, a: Attempt, built: Assembled): Next {
  const tolerances = c.req.tolerances;
  const bound = (dtype: 'float64' | 'float32') =>
    roundingErrorBound(built.network, c.rounding.boxLo, c.rounding.boxHi, dtype, built.hints);
  const rounding64 = bound('float64');
  // A float32 build keeps each output's float32 bound (construction + float32 rounding) within its tolerance.
  const roundingAll = c.rounding.dtype === 'float32' ? bound('float32') : rounding64;
  const totals = built.errorOuts.map((e, k) => e + roundingAll[k]!);
  if (totals.every((t, k) => t <= tolerances[k]!)) {
    if (!s.best || built.summary.relus < s.best.built.summary.relus) {
      const total = Math.max(...built.errorOuts.map((e, k) => e + rounding64[k]!));
      s.best = { built, rounding: rounding64[0]!, total, total32: Math.max(...totals) };
    }
    const slack = built.errorOuts.map((e, k) => (0.998 * tolerances[k]! - roundingAll[k]!) / Math.max(e, 1e-300));
    if (a.rebalanced || Math.max(...slack) < 1.05 || !roomForAgain(a.before)) return 'stop';
    a.rebalanced = true;
    for (const n of c.model.nodes) {
      a.nodeScale.set(n.id, Math.min(4, ...c.model.feeds.flatMap((f, k) => (f.has(n.id) ? [slack[k]!] : []))));
    }
    return 'again';
  }
  if (a.rebalanced) return 'stop';
  const worst = Math.max(...totals.map((t, k) => t / tolerances[k]!));
  if (worst < s.closest) { s.closest = worst; s.lastFailure = composedBoundsText(totals, tolerances); }
  const room = built.errorOuts.map((e, k) => (tolerances[k]! - roundingAll[k]!) / Math.max(e, 1e-300));
  a.factor *= Math.min(0.9, 0.97 * Math.min(...room));
  return a.factor > 0 ? 'again' : 'stop';
}
