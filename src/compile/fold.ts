/**
 * Euclidean norms by angle folding (docs/DESIGN.md §1, "Norms by angle folding").
 *
 * The fold. A vector w = (u, v) with angle θ ∈ [0, a] (u, v ≥ 0 when a ≤ π/2) is mapped onto
 * the first of k equal sub-wedges of angle b = a/k by an accordion fold: sub-wedge j
 * (θ ∈ [jb, (j+1)b]) is rotated by −jb when j is even and reflected across the line at angle
 * (j+1)b/2 when j is odd (θ ↦ (j+1)b − θ), so θ ↦ a triangle wave of θ with values in [0, b].
 * Each piece M_j is an isometry, and the pieces agree on the ray r_j at angle jb, so
 * M_j − M_{j−1} vanishes on r_j and is the rank-one d_j·n_jᵀ with n_j = (−sin jb, cos jb)
 * (the unit normal of r_j, ⟨n_j, w⟩ = |w|·sin(θ − jb) > 0 exactly beyond the ray while
 * θ − jb ∈ (−π/2, π/2), which holds on the wedge) and d_j = (M_j − M_{j−1})·n_j. Hence
 *   F(w) = w + Σ_{j=1..k−1} d_j·relu(⟨n_j, w⟩),
 * one hidden layer of k − 1 kink units and 2 carriers (relu(u) = u, relu(v) = v): k + 1 ReLUs.
 * |F(w)| = |w| exactly, and every value in it is at most |w| in magnitude (|d_j| = 2: the
 * two pieces send n_j to opposite vectors).
 *
 * The projection. After folding into the wedge [0, a], with m = (cos a/2, sin a/2) and
 * c = 2/(1 + cos(a/2)), c·⟨w, m⟩ = c·|w|·cos(θ − a/2) lies in [c·cos(a/2), c]·|w|, that is
 * within a relative t = (1 − cos(a/2))/(1 + cos(a/2)) = tan²(a/4) of |w| on both sides
 * (the error equioscillates between the edges and the middle of the wedge).
 *
 * Chains and trees. Folds of one pair compose (each is an isometry on the exact values), so a
 * pair folded by k_1, …, k_p from the quadrant ends in a wedge of angle (π/2)/Π k_i and its
 * projection r̂ is within a relative t of the pair's length. n terms are reduced by a pairwise
 * tree: at each level, values are paired and each pair replaced by its projected length (an
 * odd value is carried to the next level). If the inputs of a node carry relative errors
 * ≤ e_a, e_b, its estimate is |(r̂_a, r̂_b)|·(1 + ε), |ε| ≤ t, and since the norm is
 * 1-Lipschitz, ||(r̂_a, r̂_b)| − |(r_a, r_b)|| ≤ |(e_a·r_a, e_b·r_b)| ≤ max(e_a, e_b)·|(r_a, r_b)|,
 * so the node's relative error is at most (1 + max(e_a, e_b))·(1 + t) − 1. By induction the
 * root is within a relative Π_levels (1 + t_l) − 1 of |w| (each leaf-to-root path meets each
 * level at most once), that is within R·(Π (1 + t_l) − 1) for every point of the ball |w| ≤ R
 * — the bound is homogeneous, so it holds inside the shell and near the origin alike.
 */
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';
import { gamma } from '../net/roundingrules.ts';

/** One kink of a fold: the unit relu(⟨n, w⟩) adds d·relu(⟨n, w⟩) to the folded pair. */
export interface Kink { n: [number, number]; d: [number, number]; /** angle of its ray */ angle: number }

type M2 = [number, number, number, number]; // row-major 2×2
const rot = (p: number): M2 => [Math.cos(p), -Math.sin(p), Math.sin(p), Math.cos(p)];
const ref = (p: number): M2 => [Math.cos(2 * p), Math.sin(2 * p), Math.sin(2 * p), -Math.cos(2 * p)];

/** The kinks folding the wedge [0, a] onto [0, a/k] (see the module comment). */
export function foldKinks(a: number, k: number): Kink[] {
  const b = a / k;
  const piece = (j: number): M2 => (j % 2 === 0 ? rot(-j * b) : ref(((j + 1) * b) / 2));
  const kinks: Kink[] = [];
  for (let j = 1; j < k; j++) {
    const n: [number, number] = [-Math.sin(j * b), Math.cos(j * b)];
    const P = piece(j);
    const Q = piece(j - 1);
    const d: [number, number] = [
      (P[0] - Q[0]) * n[0] + (P[1] - Q[1]) * n[1],
      (P[2] - Q[2]) * n[0] + (P[3] - Q[3]) * n[1],
    ];
    kinks.push({ n, d, angle: j * b });
  }
  return kinks;
}

/** F(w) in exact (float64) arithmetic, as the network computes it. */
export function applyFold(kinks: Kink[], w: [number, number]): [number, number] {
  let [u, v] = w;
  for (const { n, d } of kinks) {
    const s = Math.max(0, n[0] * w[0] + n[1] * w[1]);
    u += d[0] * s;
    v += d[1] * s;
  }
  return [u, v];
}

/** The projection of the wedge [0, a]: c·⟨w, m⟩ within a relative tan²(a/4) of |w|. */
export function foldProjection(a: number): { m: [number, number]; c: number; relError: number } {
  return { m: [Math.cos(a / 2), Math.sin(a / 2)], c: 2 / (1 + Math.cos(a / 2)), relError: Math.tan(a / 4) ** 2 };
}

/**
 * The projection with a unit first weight (the float32 layout, foldunits.ts): ⟨w, (1, q)⟩ with
 * q = tan(a/2) equals |w| on both edges of the wedge [0, a] and |w|·sec(a/2) in its middle
 * (|w|·(cos θ + q·sin θ) = |w|·cos(θ − a/2)/cos(a/2)): within a relative sec(a/2) − 1 above |w|,
 * never below. The long coordinate enters with weight 1: no rounding of its product.
 */
export function unitProjection(a: number): { q: number; relError: number } {
  return { q: Math.tan(a / 2), relError: 1 / Math.cos(a / 2) - 1 };
}

/** Which projection ends a plan's nodes: c·⟨w, m⟩ (fewest folds) or ⟨w, (1, q)⟩ (float32). */
export type ProjectionKind = 'balanced' | 'unit';

/** Relative error of a node's projection after its folds. */
export function projectionError(folds: readonly number[], kind: ProjectionKind = 'balanced'): number {
  const a = foldedAngle(folds);
  return kind === 'unit' ? unitProjection(a).relError : foldProjection(a).relError;
}

/** Final wedge angle of a pair folded from the quadrant by the given k's. */
export function foldedAngle(folds: readonly number[]): number {
  return folds.reduce((a, k) => a / k, Math.PI / 2);
}

/** One level of the pairwise tree: `nodes` pairs folded alike, `carried` values passed on. */
export interface NormLevel { nodes: number; carried: number; folds: number[] }

export interface NormPlan {
  terms: number;
  levels: NormLevel[];
  /** Proven relative error of the construction: Π (1 + tan²(a_l/4)) − 1. */
  relError: number;
  relus: number;
  /** Hidden layers of the folds (not counting the |·| of the leaves). */
  depth: number;
}

/** Shape of the pairwise tree over n terms: pairs per level and values carried past it. */
export function treeLevels(n: number): { nodes: number; carried: number }[] {
  const out: { nodes: number; carried: number }[] = [];
  for (let m = n; m > 1; m = Math.floor(m / 2) + (m % 2)) out.push({ nodes: Math.floor(m / 2), carried: m % 2 });
  return out;
}

/** Relative error bound of a plan's levels (module comment). */
export function planRelError(
  levels: readonly { folds: readonly number[] }[], kind: ProjectionKind = 'balanced',
): number {
  return levels.reduce((p, l) => p * (1 + projectionError(l.folds, kind)), 1) - 1;
}

/**
 * Relative bound on the difference between the network with its float64 weights and the ideal
 * folds (the rotations are irrational; products of them are rounded when forms are combined).
 * Each stored weight is within γ_4 = 4u/(1 − 4u) (u = 2^−53) of the product it stands for
 * (at most two roundings of a product and two of a sum). A unit of a fold after a fold with
 * k_p kinks reads at most k_p + 1 units, each ≤ |w|, with weights summing (in absolute value)
 * to at most √2·(1 + 2·k_p) (|n| = 1, |d_j| = 2), so its pre-activation moves by at most
 * γ_4·√2·(1 + 2k_p)·|w|; the fold's output pair moves by at most Σ |d_j|·that + the carriers'
 * ≤ 2k·γ_4·√2·(1 + 2k_p)·|w|, plus γ_4·2k·|w| for its own output weights. Through the
 * 1-Lipschitz folds and projections (c ≤ 1.2) these add up along a leaf-to-root path, which
 * meets each level once; doubled for the leaves' |·| and the projections' rounding.
 */
export function planWeightDrift(levels: readonly { folds: readonly number[] }[]): number {
  const g4 = gamma(4, UNIT_ROUNDOFF.float64);
  let rel = 0;
  let kp = 2;
  for (const l of levels) {
    for (const k of l.folds) {
      rel += 2 * k * g4 * Math.SQRT2 * (1 + 2 * kp) + g4 * 2 * k;
      kp = k;
    }
    kp = Math.max(kp, 2);
  }
  return 2 * 1.2 * rel;
}

/**
 * ReLUs of one node's folds: k + 1 per fold, but k for the last one, whose result is only
 * projected: c·⟨F(w), m⟩ = c·⟨w, m⟩ + Σ c·⟨d_j, m⟩·relu(⟨n_j, w⟩) needs one carrier, ⟨w, m⟩ ≥ 0
 * on the wedge (m is within a/2 − a/2k < π/4 of every direction in it).
 */
export function nodeRelus(folds: readonly number[]): number {
  return folds.reduce((t, k) => t + k + 1, 0) - (folds.length > 0 ? 1 : 0);
}

/** ReLUs of a plan: nodeRelus per node, one per layer for each carried value. */
export function planRelus(levels: readonly NormLevel[]): number {
  return levels.reduce((s, l) => s + l.nodes * nodeRelus(l.folds) + l.carried * l.folds.length, 0);
}
