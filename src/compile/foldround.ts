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
 * 1-Lipschitz in the 2-norm and keeps the length, which that analysis cannot see.
 *
 * Method. ρ is the exact norm of a value's own subtree (the units are homogeneous in it). A
 * scalar value (leaf, estimate) carries an error ≤ e·ρ + κ; a pair p̂ = p + err of one node
 * carries two bounds: its vector error |err| ≤ E·ρ + κ and its norm error ||p̂| − |p|| ≤ N·ρ + κ
 * (κ absolute: underflow, at most m·2^−150 per float32 row).
 *  - A row computes its exact pre-activation (float64 weights, computed inputs) plus δ,
 *    |δ| ≤ Σ_c (γ_k·(1 + u_w)·|fl(w_c)| + |fl(w_c) − w_c|)·X_c + m·η (Higham §3.1, as in
 *    net/rounding.ts), X_c the largest computed value of input c: ν_c·ρ plus its error, ν_c
 *    from the geometry of the wedge (a carrier of U ≤ 1.2ρ, of V ≤ 1.2ρ·sin a, a kink at angle
 *    φ ≤ 1.2ρ·sin(a − φ), a coordinate ≤ ρ/|α|; 1.2 bounds 1 + the plan's relative error).
 *  - A fold F (kinks at φ_j in the wedge [0, a], result in [0, b]) is, on the half-plane
 *    u + v ≥ 0 (which holds while E < 0.3), a continuous piecewise isometry of a convex set:
 *    1-Lipschitz, and |F(x)| = |x| (up to the float64 weights' drift, below). Its rows add
 *    δ_F = Σ_rows col·δ_row (col: (1, 0), (0, 1) for the carriers, d_j for a kink), so
 *    E' = E + Σ|col|·|δ_row| and, since |x + δ| − |x| ∈ [⟨δ, x̂⟩, ⟨δ, x̂⟩ + |δ|²/2|x|],
 *    N' = N + Σ |⟨col, x̂⟩|·|δ_row| + |δ_F|²/2|x| with x = F(p̂), whose angle lies within
 *    asin(E/0.8) of [0, b]. The kinks' d_j are normal to an edge of [0, b] (|d_j| = 2), so
 *    their factor is at most 2·sin(b + that angle): the rounding that counts in full is the
 *    part along the vector, mostly the carrier of U.
 *  - The projection c·⟨F(p̂), m⟩ (m at b/2) differs from c·⟨F(p), m⟩ by c·⟨e', m⟩ with
 *    e' = F(p̂) − F(p): |⟨e', m⟩| ≤ |⟨e', ŷ⟩| + |e'|·sin(b/2) and |⟨e', ŷ⟩| ≤ N + |e'|²/2|y|
 *    (y = F(p), |y| ≥ 0.8ρ), plus Σ|coef_row|·|δ_row|. Two estimates paired at the next level:
 *    E = N = max(e_a, e_b) (ρ_a, ρ_b ≤ ρ); a carried value adds its rows' δ.
 *  - Below ρ1 = 2^10·κ a layer is charged with its Lipschitz constant over the whole plane
 *    (Σ|col| of its rows) applied to the errors at ρ1, which joins κ; above it κ/ρ ≤ 2^−10.
 *    The float64 weights make each fold F + D with |D(x)| ≤ eps·|x| (foldDrift).
 * The result is e_root·R + κ_root, then the rounding of the layers after the root.
 */
export type Row = { layer: number; index: number };
export type FoldEvent =
  | { kind: 'leaf'; value: number; column: number; alpha: number; rows: Row[] }
  | { kind: 'carry'; value: number; rows: Row[] }
  | { kind: 'materialize'; a: number; b: number; rows: [Row, Row]; wedge: number }
  | { kind: 'fold'; a: number; b: number; rows: { row: Row; col: [number, number] }[]; kinks: Kink[]; wedge: number }
  | { kind: 'project'; a: number; b: number; out: number; c: number; rows: { row: Row; coef: number }[]; kinks: Kink[]; wedge: number };

export interface FoldTrace { events: FoldEvent[]; values: number; root: number; rootLayer: number }

/** Error bounds of a pair: vector E·ρ + κ, norm N·ρ + κ. */
interface PairErr { E: number; N: number; k: number }
/**
 * How far a fold with float64 weights is from an isometry, relative to |w|: the per-fold term
 * of planWeightDrift (fold.ts), 2k·γ_4·(√2·(1 + 2k_p) + 1), with k, k_p ≤ K (the largest k).
 */
function foldDrift(K: number): number {
  const g4 = (4 * 2 ** -53) / (1 - 4 * 2 ** -53);
  return 1.01 * 2 * K * g4 * (Math.SQRT2 * (1 + 2 * K) + 1);
}
/** Regimes of ρ: above 2^10·κ the vector's angle is known to within 2^−10 (module comment). */
const WIDE = 2 ** 10;
const key = (r: Row) => r.layer * 2 ** 26 + r.index;

export function foldRoundingBound(net: Network, trace: FoldTrace, dtype: 'float64' | 'float32', R: number, outputMax: number): number {
  const u = UNIT_ROUNDOFF[dtype];
  const uw = dtype === 'float32' ? u : 0;
  const eta = dtype === 'float32' ? 2 ** -150 : 2 ** -1075;
  // Largest computed value of each unit: M·ρ + K (inputs: key layer 0).
  const M = new Map<number, number>();
  const Kabs = new Map<number, number>();
  for (const e of trace.events) {
    if (e.kind !== 'leaf' || e.column < 0) continue;
    const c = key({ layer: 0, index: e.column });
    M.set(c, Math.max(M.get(c) ?? 0, (1 + uw) / Math.abs(e.alpha)));
    Kabs.set(c, uw > 0 ? eta : 0);
  }
  // relu(α·x) and relu(−α·x) of a leaf: one of the two is 0 exactly, so a row reading both
  // adds one term (adding 0 is exact in any order).
  const partner = new Map<number, number>();
  for (const e of trace.events) if (e.kind === 'leaf' && e.rows.length === 2) { const [p, q] = e.rows.map(key) as [number, number]; partner.set(p, q); partner.set(q, p); }
  /** |δ| ≤ A·ρ + B of one row, from the magnitudes of its inputs. */
  const delta = (r: Row): [number, number] => {
    const L = net.layers[r.layer - 1]!;
    const base = r.index * L.inSize;
    let m = 0; let inexact = false; let A = 0; let B = 0; let P = 0; let Q = 0;
    let skip = -1; // the partner of a leaf unit already counted with it
    for (let c = 0; c < L.inSize; c++) {
      const w = L.weights[base + c]!;
      if (w === 0 || c === skip) continue;
      if (!powerOfTwo(w)) inexact = true;
      m++;
      const ck = key({ layer: r.layer - 1, index: c });
      const pk = partner.size ? partner.get(ck) : undefined;
      const cols = [c];
      // relu(±αx) are adjacent units: the partner, when read too, is the next column.
      if (pk === ck + 1 && c + 1 < L.inSize && L.weights[base + c + 1] !== 0) { cols.push(c + 1); skip = c + 1; }
      let a = 0; let b = 0;
      for (const col of cols) {
        const wc = L.weights[base + col]!;
        const ws = uw > 0 ? Math.fround(wc) : wc;
        if (col !== c && !powerOfTwo(wc)) inexact = true;
        const g = ck + (col - c);
        const Mg = M.get(g) ?? Infinity; const Kg = Kabs.get(g) ?? Infinity;
        a = Math.max(a, Mg * Math.abs(ws)); b = Math.max(b, Kg * Math.abs(ws));
        if (ws !== wc) { A += Math.abs(ws - wc) * Mg; B += Math.abs(ws - wc) * Kg; }
      }
      P += a; Q += b;
    }
    const bias = L.bias[r.index]!;
    if (bias !== 0) { m++; inexact = true; }
    const k = m - 1 + (inexact ? 1 : 0);
    const g = k > 0 ? ((k * u) / (1 - k * u)) * (1 + uw) : 0;
    if (g > 0) { A += g * P; B += g * Q; }
    B += g * Math.abs(bias) + (uw > 0 ? Math.abs(Math.fround(bias) - bias) : 0) + m * eta;
    return [A, B];
  };
  const K = Math.max(2, ...trace.events.map((e) => ('kinks' in e ? e.kinks.length + 1 : 2)));
  const eps = foldDrift(K);
  const setMag = (r: Row, nu: number, err: number, k: number) => { M.set(key(r), nu + err); Kabs.set(key(r), k); };
  const scalar = new Map<number, [number, number]>(); // value → (e, κ)
  const pairs = new Map<number, PairErr>(); // a node's pair, by its first value
  const pairOf = (a: number, b: number): PairErr => {
    const p = pairs.get(a);
    if (p) return p;
    const [ea, ka] = scalar.get(a)!; const [eb, kb] = scalar.get(b)!;
    return { E: Math.max(ea, eb), N: Math.max(ea, eb), k: Math.hypot(ka, kb) };
  };
  const leaves = trace.events.filter((e) => e.kind === 'leaf').length;
  const nuOf = (v: number) => (v < leaves ? 1 : 1.2); // leaves come first; an estimate ≤ 1.2ρ
  for (const e of trace.events) {
    switch (e.kind) {
      case 'leaf': {
        // The two rows relu(±α·x) are exact negatives (one rounding), only one is nonzero.
        let A = 0; let B = 0;
        for (const r of e.rows) { const [a, b] = delta(r); A = Math.max(A, a); B = Math.max(B, b); }
        const err: [number, number] = [uw + A, B + (uw > 0 ? eta * Math.abs(e.alpha) : 0)];
        for (const r of e.rows) setMag(r, 1, err[0], err[1]);
        scalar.set(e.value, err);
        break;
      }
      case 'carry': {
        let [ev, kv] = scalar.get(e.value)!;
        for (const r of e.rows) { const [a, b] = delta(r); ev += a; kv += b; setMag(r, nuOf(e.value), ev, kv); }
        scalar.set(e.value, [ev, kv]);
        break;
      }
      case 'materialize': {
        const nu = [1.2, 1.2 * Math.sin(e.wedge)];
        const rows = e.rows.map((row, i) => ({ row, col: (i === 0 ? [1, 0] : [0, 1]) as [number, number], nu: nu[i]! }));
        pairs.set(e.a, foldStep(pairOf(e.a, e.b), rows, e.wedge, delta, setMag, eps));
        break;
      }
      case 'fold': {
        const nu = (i: number) => 1.2 * (i === 0 ? 1 : i === 1 ? Math.sin(e.wedge) : Math.sin(Math.max(0, e.wedge - e.kinks[i - 2]!.angle)));
        const rows = e.rows.map((r, i) => ({ row: r.row, col: r.col, nu: nu(i) }));
        pairs.set(e.a, foldStep(pairOf(e.a, e.b), rows, e.wedge / (e.kinks.length + 1), delta, setMag, eps));
        break;
      }
      case 'project': {
        const p = pairOf(e.a, e.b);
        const bFinal = e.wedge / (e.kinks.length + 1);
        const nu = (i: number) => 1.2 * (i === 0 ? 1 : Math.sin(Math.max(0, e.wedge - e.kinks[i - 1]!.angle)));
        let A = 0; let B = 0;
        const ds = e.rows.map((r) => delta(r.row));
        for (const [i, r] of e.rows.entries()) { A += Math.abs(r.coef) * ds[i]![0]; B += Math.abs(r.coef) * ds[i]![1]; }
        const lip = e.rows.length ? e.rows.reduce((t, r) => t + Math.abs(r.coef), 0) : e.c * Math.SQRT2;
        const out = projectErr(p, e.c, Math.sin(bFinal / 2 + 1e-9), lip, [A, B], eps);
        for (const [i, r] of e.rows.entries()) setMag(r.row, nu(i), p.E + ds[i]![0], p.k + ds[i]![1]);
        scalar.set(e.out, out);
        pairs.delete(e.a);
        break;
      }
    }
  }
  const [eRoot, kRoot] = scalar.get(trace.root)!;
  let total = eRoot * R + kRoot;
  // Output tail: layers after the norm's last units (the output row, and float32's offset unit).
  for (let l = trace.rootLayer + 1; l <= net.layers.length; l++) {
    const L = net.layers[l - 1]!;
    let worst = 0;
    let gain = 0;
    for (let r = 0; r < L.outSize; r++) {
      let g = 0;
      for (let c = 0; c < L.inSize; c++) g += Math.abs(L.weights[r * L.inSize + c]!);
      gain = Math.max(gain, g);
      worst = Math.max(worst, tailDelta(L, r, 2 * outputMax + total, u, uw, eta));
    }
    total = (l === trace.rootLayer + 1 ? total : gain * total) + worst;
  }
  return total;
}

type Delta = (r: Row) => [number, number];
type SetMag = (r: Row, nu: number, err: number, k: number) => void;

/**
 * One fold (or a copy of the pair, without kinks) on a pair with errors p (module comment), in
 * two regimes of ρ. For ρ ≥ ρ1 = 2^10·κ the angle of F(p̂) is within asin((E + 2^−10)/0.79) of
 * [0, b]; the carriers relu(U), relu(V) differ from U, V only where a computed coordinate is
 * below 0 while the exact one is not: V < 0 makes the layer F(proj(p̂)) (projection on V ≥ 0:
 * no farther from p, its norm within V²/2U of |p̂|), U < 0 happens only for estimates within
 * their κ of 0 (charged 4κ). Below ρ1, the layer's map (relu(U), relu(V)) + Σ d_j·relu(⟨n_j, ·⟩)
 * is (1 + Σ|d_j|)-Lipschitz on the whole plane: errors at ρ1 join κ.
 */
function foldStep(p: PairErr, rows: { row: Row; col: [number, number]; nu: number }[], b: number, delta: Delta, setMag: SetMag, eps: number): PairErr {
  if (!(p.E + 2 / WIDE < 0.3)) return { E: Infinity, N: Infinity, k: Infinity };
  const rho1 = WIDE * p.k;
  const dev = Math.asin(((p.E + 1 / WIDE) * (1 + eps)) / 0.79);
  let DA = 0; let DB = 0; let RA = 0; let RB = 0; let lip = 0;
  for (const r of rows) {
    const [A, B] = delta(r.row);
    const len = Math.hypot(r.col[0], r.col[1]);
    DA += len * A; DB += len * B; lip += len;
    const f = radialFactor(r.col, -dev, b + dev);
    RA += f * A; RB += f * B;
  }
  // |δ_F|²/2|x| ≤ |δ_F|·q for ρ ≥ ρ1, |x| ≥ (0.8 − E − 2^−10)·ρ·(1 − eps) ≥ 0.5ρ.
  const q = DA + DB / Math.max(rho1, 1e-300);
  const clampN = (p.E + 2 / WIDE) * p.E; // V²/2U with |V| ≤ Eρ + κ, U ≥ 0.5ρ
  const E = p.E + 2.8 * eps + DA; // |D(x)| ≤ eps·|x| for the float64 weights' drift D
  const N = p.N + 2.8 * eps + RA + q * DA + clampN;
  const kGood = p.k * (1 + eps) * (5 + p.E + 2 / WIDE) + RB + q * DB + DB;
  const kLow = lip * (p.E * rho1 + p.k) + DA * rho1 + DB;
  const out = { E, N, k: Math.max(kGood, kLow) };
  for (const r of rows) setMag(r.row, r.nu, E, out.k);
  return out;
}

/**
 * A projection's scalar error (e, κ) from its pair's errors p, its factor c, s = sin(b/2), the
 * Lipschitz constant of its units' combination over the plane (below ρ1) and its rows'
 * rounding A·ρ + B, in the regimes of foldStep (⟨m, p̂⟩ > 0 above ρ1: no clamp).
 */
function projectErr(p: PairErr, c: number, s: number, lip: number, [A, B]: [number, number], eps: number): [number, number] {
  if (!(p.E + 2 / WIDE < 0.3)) return [Infinity, Infinity];
  const rho1 = WIDE * p.k;
  const E1 = p.E + 2.8 * eps;
  // |e'|²/2|y| ≤ (E1 + 2^−10)·(E1·ρ + κ)/1.58 for ρ ≥ ρ1; |e'|·sin(b/2) with |e'| ≤ E1·ρ + κ.
  const e = c * (p.N + 2.8 * eps + ((E1 + 1 / WIDE) * E1) / 1.58 + E1 * s) + A;
  const kGood = c * p.k * (2 + (E1 + 1 / WIDE) / 1.58 + s) + B;
  const kLow = lip * (p.E * rho1 + p.k) + A * rho1 + B;
  return [e, Math.max(kGood, kLow)];
}

/** Largest |⟨col, (cos ψ, sin ψ)⟩| for ψ in [lo, hi] (hi − lo < π). */
function radialFactor(col: [number, number], lo: number, hi: number): number {
  const len = Math.hypot(col[0], col[1]);
  if (len === 0) return 0;
  const g = Math.atan2(col[1], col[0]);
  for (const t of [g, g + Math.PI, g - Math.PI, g + 2 * Math.PI, g - 2 * Math.PI]) if (t >= lo && t <= hi) return len;
  return Math.max(Math.abs(col[0] * Math.cos(lo) + col[1] * Math.sin(lo)), Math.abs(col[0] * Math.cos(hi) + col[1] * Math.sin(hi))) * (1 + 1e-12);
}

/** Rounding of one tail row whose inputs are ≤ X. */
function tailDelta(L: Network['layers'][number], r: number, X: number, u: number, uw: number, eta: number): number {
  let m = 0; let inexact = false; let dot = 0; let wr = 0;
  for (let c = 0; c < L.inSize; c++) {
    const w = L.weights[r * L.inSize + c]!;
    if (w === 0) continue;
    const ws = uw > 0 ? Math.fround(w) : w;
    m++;
    if (!powerOfTwo(w)) inexact = true;
    dot += Math.abs(ws); wr += Math.abs(ws - w);
  }
  const b = L.bias[r]!;
  let B = 0;
  if (b !== 0) { m++; inexact = true; B += uw > 0 ? Math.abs(Math.fround(b) - b) : 0; }
  const k = m - 1 + (inexact ? 1 : 0);
  const g = k > 0 ? ((k * u) / (1 - k * u)) * (1 + uw) : 0;
  return (g * dot + wr) * X + g * Math.abs(b) + B + m * eta;
}

function powerOfTwo(w: number): boolean {
  const a = Math.abs(w);
  if (a === 0 || a < 2 ** -126 || a > 2 ** 127) return false;
  const e = Math.log2(a);
  return Number.isInteger(e) && 2 ** e === a;
}
