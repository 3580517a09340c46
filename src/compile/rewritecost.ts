import { InputError } from '../errors.ts';
import { exprKey, type Expr } from '../expr/ast.ts';
import { sensitivities } from './budget.ts';
import { ancestors, buildGraph, type Graph, type GNode } from './graph.ts';
import { costConstant, fnOf, halfRange } from './piece.ts';
import { propagateRanges, type Range } from './ranges.ts';
import type { Box } from './rewrite.ts';

/** Builds a formula's graph as compile will (fusion included, when the caller's builder fuses). */
export type GraphBuilder = (e: Expr) => Graph;

/** ReLUs of the exact nodes (abs, relu, max, min): two each, a small fixed cost. */
const EXACT_NODE_RELUS = 2;
/** The part of the tolerance the plan search gives the construction first (plansearch.ts). */
const CONSTRUCTION_SHARE = 0.97;

/**
 * The planner's size estimate of a formula's network, in ReLUs: the cost model of budget.ts
 * (segments_j ≈ c_j/√e_j, the tolerance split e_j ∝ (c_j/S_j)^(2/3) with Σ S_j·e_j = E) at its
 * optimum, which is in closed form (Σ_j c_j^(2/3)·S_j^(1/3))^(3/2)/√E, plus two ReLUs per exact
 * node. Infinity when the graph or its ranges cannot be made (a refusal the build would give
 * too). The cost constants c_j = ∫√|g''|/4 are remembered by function and range (the beam
 * search scores many forms sharing subexpressions).
 */
export function estimateRelus(e: Expr, box: Box, maxError: number, build: GraphBuilder): number {
  try {
    const g = build(e);
    const vars = Object.fromEntries(Object.entries(box).map(([k, [lo, hi]]) => [k, [lo, hi] as Range]));
    const ranges = propagateRanges(g, vars, new Map());
    const live = ancestors(g);
    const sens = sensitivities(g, ranges, live, maxError);
    let weighted = 0;
    let exact = 0;
    for (const n of g.nodes) {
      if (!live.has(n.id)) continue;
      if (n.kind === 'abs' || n.kind === 'relu' || n.kind === 'max' || n.kind === 'min') exact++;
      if (n.kind !== 'square' && n.kind !== 'unary' && n.kind !== 'norm') continue;
      weighted += Math.pow(costOf(n, ranges), 2 / 3) * Math.cbrt(sens.get(n.id) ?? 0);
    }
    const relus = Math.pow(weighted, 1.5) / Math.sqrt(CONSTRUCTION_SHARE * maxError) + EXACT_NODE_RELUS * exact;
    return Number.isNaN(relus) ? Infinity : relus;
  } catch {
    return Infinity;
  }
}

/**
 * Throws compile's refusal when e, as written, is undefined on part of the box (its graph's
 * range enclosure, ranges.ts: sqrt(x)*(y - y) on x ∈ [-1e-9, 1]): the truth is the written
 * formula, so a rewrite that removes the undefined part (y - y → 0) must not make it buildable.
 * Other failures of the written form's graph are left to the rewrite search.
 */
export function checkDefined(e: Expr, box: Box, build: GraphBuilder): void {
  try {
    const vars = Object.fromEntries(Object.entries(box).map(([k, [lo, hi]]) => [k, [lo, hi] as Range]));
    propagateRanges(build(e), vars, new Map());
  } catch (err) {
    if (err instanceof InputError && err.code === 'undefined-on-range') throw err;
  }
}

/** The unfused graph (compile's graph before fusion). */
export const plainGraph = (inputs: string[]): GraphBuilder => (e) => buildGraph(e, inputs);

const costs = new Map<string, number>();

/** c_j of budget.ts splitModel: a folded norm √(top of its range), else ∫√|g''|/4 on its input range. */
function costOf(n: GNode, ranges: Range[]): number {
  if (n.kind === 'norm') return Math.sqrt(ranges[n.id]![1]);
  const range = halfRange(n, ranges);
  const key = `${exprKey(fnOf(n))}|${range[0]}|${range[1]}`;
  let c = costs.get(key);
  if (c === undefined) {
    c = costConstant(fnOf(n), range);
    if (costs.size > 5000) costs.clear();
    costs.set(key, c);
  }
  return c;
}
