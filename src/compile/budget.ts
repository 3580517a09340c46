import type { Graph, GNode } from './graph.ts';
import { ancestors } from './graph.ts';
import { CBRT_HOLDER, costConstant, fnOf, halfRange, isArcSine, isCbrt, isSqrt, lipschitzOf } from './piece.ts';
import type { Range } from './ranges.ts';

/**
 * The tolerance split: how the error budget E is shared among the approximated nodes.
 * Cost model: segments_j ≈ c_j / sqrt(e_j) (docs/DESIGN.md §1); sensitivities S_j by
 * backward Lipschitz propagation; e_j ∝ (c_j / S_j)^(2/3) minimizes Σ c_j/sqrt(e_j) subject to
 * Σ S_j·e_j = E (Lagrange). Deep squares, when a plan builds them, share a part ρ of E.
 */
export interface SplitModel {
  /** The approximated live nodes (squares, unary functions, norms), in graph order. */
  nodes: GNode[];
  /** Lipschitz sensitivity of the output(s) to each node's value. */
  sens: Map<number, number>;
  /** Cost constant c_j (a folded norm: the square root of its range's top, weighted like a PWL of that scale). */
  cost: Map<number, number>;
  /** Weight (c_j / S_j)^(2/3) of each node's share. */
  weights: Map<number, number>;
  /** Several outputs: the nodes each output depends on (else empty). */
  feeds: Set<number>[];
}

/**
 * The split model of a graph. Several outputs: S_j = max_k S_jk·E/E_k, so Σ_j S_j·e_j ≤ E keeps
 * every output k within its own E_k (E the tightest tolerance). `multi`: the request named its
 * outputs (even one), whose tolerances weigh the sensitivities.
 */
export function splitModel(
  g: Graph, ranges: Range[], live: Set<number>, outIds: number[], tolerances: number[], multi: boolean,
  exactSteps?: ReadonlySet<number>,
): SplitModel {
  const maxError = Math.min(...tolerances);
  const approximated = (n: GNode) => n.kind === 'square' || n.kind === 'unary' || n.kind === 'norm';
  const nodes = g.nodes.filter((n) => live.has(n.id) && approximated(n));
  const feeds = multi ? outIds.map((id) => ancestors(g, [id])) : [];
  const sens = multi
    ? maxOf(outIds.map((id, k) => sensitivities(g, ranges, live, maxError, [[id, maxError / tolerances[k]!]],
      exactSteps)))
    : sensitivities(g, ranges, live, maxError, undefined, exactSteps);
  const costOf = (n: GNode) =>
    (n.kind === 'norm' ? Math.sqrt(ranges[n.id]![1]) : costConstant(fnOf(n), halfRange(n, ranges)));
  const cost = new Map(nodes.map((n) => [n.id, costOf(n)]));
  const weightOf = (id: number) => Math.pow(Math.max(cost.get(id)!, 1e-300) / Math.max(sens.get(id)!, 1e-300), 2 / 3);
  const weights = new Map(nodes.map((n) => [n.id, weightOf(n.id)]));
  return { nodes, sens, cost, weights, feeds };
}

/** One plan's division: the deep squares (sharing `shareDeep` of E) and the shallow nodes. */
export interface PlanSplit {
  deepSet: Set<number>;
  shallow: GNode[];
  shareDeep: number;
  deepSens: number;
  denomShallow: number;
}

/** The division of a plan giving deep squares the share `deepShare` of the tolerance (0: all shallow). */
export function planSplit(m: SplitModel, deepShare: number): PlanSplit {
  const squares = m.nodes.filter((n) => n.kind === 'square');
  const deepSet = new Set(deepShare > 0 ? squares.map((n) => n.id) : []);
  const shallow = m.nodes.filter((n) => !deepSet.has(n.id));
  const deepSens = [...deepSet].reduce((s2, id) => s2 + m.sens.get(id)!, 0);
  const shareDeep = shallow.length === 0 ? 1 : deepShare;
  const denomShallow = shallow.reduce((s2, n) => s2 + m.sens.get(n.id)! * m.weights.get(n.id)!, 0);
  return { deepSet, shallow, shareDeep, deepSens, denomShallow };
}

/**
 * Budgets of the nodes for a part `factor` of the tolerance E (the rest covers rounding),
 * each scaled by its `nodeScale` (several outputs: the slack of the outputs it feeds).
 */
export function splitBudgets(
  m: SplitModel, p: PlanSplit, maxError: number, factor: number, nodeScale: Map<number, number>,
): Map<number, number> {
  const budgets = new Map<number, number>();
  for (const id of p.deepSet) {
    budgets.set(id, (factor * maxError * p.shareDeep * (nodeScale.get(id) ?? 1)) / p.deepSens);
  }
  for (const n of p.shallow) {
    const share = p.denomShallow > 0
      ? (factor * maxError * (1 - p.shareDeep) * m.weights.get(n.id)!) / p.denomShallow
      : maxError;
    budgets.set(n.id, share * (nodeScale.get(n.id) ?? 1));
  }
  return budgets;
}

/** The cost model's ReLU count of the shallow nodes at these budgets, Σ c_j/sqrt(e_j). */
export function estimatedRelus(m: SplitModel, p: PlanSplit, budgets: Map<number, number>): number {
  return p.shallow.reduce((s2, n) => s2 + m.cost.get(n.id)! / Math.sqrt(budgets.get(n.id)!), 0);
}

/**
 * Lipschitz sensitivity of the output to each node's value (sum over paths). A jump ramp's
 * step (`exactSteps`) adds no error while its input's error is at most 1 (jumpgap.ts): its
 * input is weighed as if the whole tolerance stood for an error of 1 there (sensitivity E),
 * so its share keeps it under 1 (a budget choice; the certificate is composed as built).
 */
export function sensitivities(
  g: Graph, ranges: Range[], live: Set<number>, maxError: number, seeds: [number, number][] = [[g.output, 1]],
  exactSteps?: ReadonlySet<number>,
): Map<number, number> {
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
      case 'max': case 'min': {
        const k = exactSteps?.has(id) && here > 0 ? maxError / here : 1;
        give(n.a, k); give(n.b, k); break;
      }
      case 'norm': for (const a of n.args) give(a, 1); break; // 1-Lipschitz in each argument
      case 'square': case 'unary': give(n.arg, pieceSensitivity(n, ranges, maxError)); break;
      default: break;
    }
  }
  return s;
}

/**
 * The Lipschitz constant of a piece on its range; where it is infinite, the slope a Hölder
 * piece shows at error E/2: sqrt from 0 (½-Hölder: an input error (E/2)² costs E/2, as a
 * slope of 2/E would), cbrt through 0 (an input error (E/(2·2^(2/3)))³ costs E/2), asin and
 * acos at ±1 (≈ √(2d): an input error E²/8 costs E/2, a slope of 4/E).
 */
function pieceSensitivity(n: Extract<GNode, { kind: 'square' | 'unary' }>, ranges: Range[], maxError: number): number {
  const k = lipschitzOf(fnOf(n), halfRange(n, ranges));
  if (!Number.isFinite(k) && n.kind === 'unary' && isSqrt(n.fn)) return 2 / maxError;
  if (!Number.isFinite(k) && n.kind === 'unary' && isArcSine(n.fn)) return 4 / maxError;
  if (!Number.isFinite(k) && n.kind === 'unary' && isCbrt(n.fn)) {
    return (maxError / 2) / Math.pow(maxError / (2 * CBRT_HOLDER), 3);
  }
  return k;
}

function maxOf(maps: Map<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of maps) for (const [id, v] of m) out.set(id, Math.max(out.get(id) ?? 0, v));
  return out;
}
