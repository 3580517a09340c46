import type { Network } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/rounding.ts';
import type { Kink } from './fold.ts';

/**
 * Rounding of a folded norm evaluated in float64 or float32, against the same network in exact
 * arithmetic, for networks that compute only the norm of coordinates (leaves α·x_c).
 *
 * Why not net/rounding.ts alone: it charges each kink unit's rounding and each upstream error
 * through the ReLU with an independent factor λ ∈ [0, 1], so an error grows by up to Σ|d_j|·|n_j|
 * per fold (about k) and exponentially with the number of folds. The fold as a whole is
 * 1-Lipschitz in the 2-norm, which that analysis cannot see.
 *
 * Method. Every value's error is bounded as β·ρ + η with ρ the exact norm of the value's own
 * subtree (all units are homogeneous in it; η collects underflow and the tiny-ρ case):
 *  - a unit reading inputs of magnitude ≤ X_i with stored weights W_i computes its exact
 *    pre-activation plus δ, |δ| ≤ γ_{m'}·(1 + u_w)·Σ|fl(W_i)|·X_i + Σ|fl(W_i) − W_i|·X_i + m·η
 *    (Higham §3.1, as in net/rounding.ts: m' = terms − 1, + 1 when a weight is not a power of
 *    two; u_w = u for float32 weights, η the underflow of one product); fold units read values
 *    ≤ |ŵ| ≤ 1.2·ρ + E (estimates within 20% of their norm), leaves read coordinates ≤ ρ/|α|;
 *  - a pair carrying a vector error E < 0.56·ρ (its exact values are within 20% of ρ) stays
 *    in the half-plane u + v ≥ 0, where the fold F is a continuous piecewise isometry of a
 *    convex set, hence 1-Lipschitz: the error after the fold is E + Σ_units |column|·|δ|, the
 *    column being the unit's weight in the output pair (|d_j| for a kink, 1 for a carrier).
 *    Below ρ* = η/(0.56 − β), F is Lipschitz with the largest (Frobenius) norm of its linear
 *    pieces over the whole plane, plus 1 (|F(ŵ) − F(w)| ≤ |F(ŵ)| + |F(w)|), applied to the
 *    errors at ρ*, which joins η;
 *  - a projection c·⟨F(ŵ), m⟩ adds c times the pair's error and its rows' roundings; two
 *    estimates paired at the next level have error hypot(e_a, e_b); a carried value is copied
 *    exactly (one term, weight 1) after its first unit;
 *  - the output layer's rounding is charged at the output's largest magnitude.
 * The float64 weights differ from the ideal rotations by ~1e-16 (fold.ts, planWeightDrift):
 * the Lipschitz factor 1 is taken as 1 + 1e-9. The result is β_root·R + η_root plus the tail.
 */
export type Row = { layer: number; index: number };
export type FoldEvent =
  | { kind: 'leaf'; value: number; column: number; alpha: number; rows: Row[] }
  | { kind: 'carry'; value: number; rows: Row[] }
  | { kind: 'materialize'; a: number; b: number; rows: [Row, Row] }
  | { kind: 'fold'; a: number; b: number; rows: { row: Row; col: [number, number] }[]; kinks: Kink[] }
  | { kind: 'project'; a: number; b: number; out: number; c: number; rows: { row: Row; coef: number }[]; kinks: Kink[] };

export interface FoldTrace { events: FoldEvent[]; values: number; root: number; rootLayer: number }

export function foldRoundingBound(net: Network, trace: FoldTrace, dtype: 'float64' | 'float32', R: number, outputMax: number): number {
  const u = UNIT_ROUNDOFF[dtype];
  const uw = dtype === 'float32' ? u : 0;
  const eta = dtype === 'float32' ? 2 ** -150 : 2 ** -1075;
  const alphaOf = new Map<number, number>();
  for (const e of trace.events) if (e.kind === 'leaf') alphaOf.set(e.column, Math.min(alphaOf.get(e.column) ?? Infinity, Math.abs(e.alpha)));
  /** |δ| ≤ A·X + B for a row whose unit inputs are ≤ X (coordinates ≤ X/|α|), computed once per row. */
  const cache = new Map<Row, [number, number]>();
  const delta = (r: Row, X: number): number => {
    const key = r;
    let ab = cache.get(key);
    if (!ab) {
      const L = net.layers[r.layer - 1]!;
      let m = 0; let inexact = false; let dot = 0; let wr = 0;
      for (let c = 0; c < L.inSize; c++) {
        const w = L.weights[r.index * L.inSize + c]!;
        if (w === 0) continue;
        const scale = r.layer === 1 ? 1 / (alphaOf.get(c) ?? 0) : 1;
        const ws = uw > 0 ? Math.fround(w) : w;
        m++;
        if (!powerOfTwo(w)) inexact = true;
        dot += Math.abs(ws) * scale;
        wr += Math.abs(ws - w) * scale;
      }
      const b = L.bias[r.index]!;
      let B = 0;
      if (b !== 0) { m++; inexact = true; B += uw > 0 ? Math.abs(Math.fround(b) - b) : 0; }
      const k = m - 1 + (inexact ? 1 : 0);
      const g = k > 0 ? ((k * u) / (1 - k * u)) * (1 + uw) : 0;
      ab = [g * dot + wr, g * Math.abs(b) + B + m * eta];
      cache.set(key, ab);
    }
    return ab[0] * X + ab[1];
  };
  /** Σ w_r·(A_r, B_r) over rows: the rows' rounding is ≤ A·X + B. */
  const ab = (rows: { row: Row; w: number }[]): [number, number] => {
    let A = 0; let B = 0;
    for (const { row, w } of rows) { const b = delta(row, 0); A += w * (delta(row, 1) - b); B += w * b; }
    return [A, B];
  };
  // Every value's error is ≤ β·ρ + η, ρ the exact norm of its own subtree (a leaf: |a_i|).
  const beta = new Float64Array(trace.values);
  const eta0 = new Float64Array(trace.values);
  const pair = new Map<number, [number, number]>(); // a node's pair (β, η), by its first value
  const pairOf = (a: number, b: number): [number, number] => pair.get(a) ?? [Math.max(beta[a]!, beta[b]!), Math.hypot(eta0[a]!, eta0[b]!)];
  /** (β, η) after a step with Lipschitz `lip` (bad case `bad`) and rows' rounding A·X + B, X = 1.2ρ + E. */
  const step = ([b, e]: [number, number], lip: number, bad: number, [A, B]: [number, number]): [number, number] => {
    const nb = lip * b + A * (1.2 + 1.001 * b);
    const ne = lip * e + A * 1.001 * e + B;
    if (bad === lip) return [nb, ne];
    // Good case (E < 0.7·0.8·ρ: the exact pair, within 20% of ρ, and the computed one lie in
    // u + v ≥ 0) for ρ > ρ*; below ρ*, the bad-case factor on errors at most β·ρ* + η.
    if (!(b < 0.5)) return [Infinity, Infinity];
    const rs = e / (0.56 - b);
    const worst = bad * (b * rs + e) + A * (1.2 * rs + 1.001 * (b * rs + e)) + B;
    return [nb, Math.max(ne, worst)];
  };
  const ONE = 1 + 1e-9; // the float64 folds are isometries up to ~1e-16 (planWeightDrift)
  for (const e of trace.events) {
    switch (e.kind) {
      // A coordinate rounded to float32 is off by ≤ u·|x_c|, so ≤ u·|a_i| for the leaf α·x_c.
      case 'leaf': {
        const [A, B] = ab(e.rows.map((row) => ({ row, w: 1 })));
        beta[e.value] = (dtype === 'float32' ? u : 0) + 1.001 * A;
        eta0[e.value] = B;
        break;
      }
      case 'carry': [beta[e.value], eta0[e.value]] = step([beta[e.value]!, eta0[e.value]!], 1, 1, ab(e.rows.map((row) => ({ row, w: 1 })))); break;
      case 'materialize': pair.set(e.a, step(pairOf(e.a, e.b), 1, 1, ab(e.rows.map((row) => ({ row, w: 1 }))))); break;
      case 'fold': pair.set(e.a, step(pairOf(e.a, e.b), ONE, badLipschitz(e.kinks), ab(e.rows.map((r) => ({ row: r.row, w: Math.hypot(r.col[0], r.col[1]) }))))); break;
      case 'project': {
        const lip = e.c * ONE;
        [beta[e.out], eta0[e.out]] = step(pairOf(e.a, e.b), lip, e.kinks.length ? e.c * badLipschitz(e.kinks) : lip, ab(e.rows.map((r) => ({ row: r.row, w: Math.abs(r.coef) }))));
        pair.delete(e.a);
        break;
      }
    }
  }
  let total = beta[trace.root]! * R + eta0[trace.root]!;
  // Output tail: layers after the norm's last units (the output row, and float32's offset unit).
  for (let l = trace.rootLayer + 1; l <= net.layers.length; l++) {
    const L = net.layers[l - 1]!;
    let worst = 0;
    let gain = 0;
    for (let r = 0; r < L.outSize; r++) {
      let g = 0;
      for (let c = 0; c < L.inSize; c++) g += Math.abs(L.weights[r * L.inSize + c]!);
      gain = Math.max(gain, g);
      worst = Math.max(worst, delta({ layer: l, index: r }, 2 * outputMax + total));
    }
    total = (l === trace.rootLayer + 1 ? total : gain * total) + worst;
  }
  return total;
}

/** Largest operator norm of F's linear pieces over the whole plane, plus 1 (see the module comment). */
function badLipschitz(kinks: Kink[]): number {
  const cuts = kinks.flatMap((k) => [k.angle, k.angle + Math.PI]).sort((p, q) => p - q);
  let worst = 1;
  const mids = cuts.map((c, i) => (c + (i + 1 < cuts.length ? cuts[i + 1]! : cuts[0]! + 2 * Math.PI)) / 2);
  for (const t of mids.length ? mids : [0]) {
    const w = [Math.cos(t), Math.sin(t)];
    const M = [1, 0, 0, 1];
    for (const k of kinks) if (k.n[0] * w[0]! + k.n[1] * w[1]! > 0) { M[0]! += k.d[0] * k.n[0]; M[1]! += k.d[0] * k.n[1]; M[2]! += k.d[1] * k.n[0]; M[3]! += k.d[1] * k.n[1]; }
    // Frobenius norm ≥ operator norm.
    worst = Math.max(worst, Math.hypot(M[0]!, M[1]!, M[2]!, M[3]!));
  }
  return (worst + 1) * (1 + 1e-9);
}

function powerOfTwo(w: number): boolean {
  const a = Math.abs(w);
  if (a === 0 || a < 2 ** -126 || a > 2 ** 127) return false;
  const e = Math.log2(a);
  return Number.isInteger(e) && 2 ** e === a;
}
