import type { Network } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/rounding.ts';
import { gamma } from '../net/roundingrules.ts';
import type { Kink } from './fold.ts';
import { baseRoundingBound } from './foldbase.ts';
import { coneRoundingBound } from './foldcone.ts';
import { foldStep, projectErr, type Delta, type PairErr, type SetMag } from './foldstep.ts';

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
 *
 * float32 (issue 32): the smaller of that and the direction-patch analysis of foldcone.ts
 * (errors as linear forms on thin cones, net/roundingaffine.ts), which charges each rounding
 * half an ulp of the partial sums it meets and keeps the folds' cancellations; both are proven
 * bounds, so their minimum is one. The ball near 0 that foldcone.ts leaves out is charged by
 * this module's bound at its radius.
 */
export type Row = { layer: number; index: number };
export type FoldEvent =
  | { kind: 'leaf'; value: number; column: number; alpha: number; rows: Row[] }
  | { kind: 'carry'; value: number; rows: Row[] }
  | { kind: 'materialize'; a: number; b: number; rows: [Row, Row]; wedge: number }
  | { kind: 'fold'; a: number; b: number; rows: { row: Row; col: [number, number] }[]; kinks: Kink[]; wedge: number }
  | { kind: 'project'; a: number; b: number; out: number; c: number; rows: { row: Row; coef: number }[];
    kinks: Kink[]; wedge: number };

/** `base`: laid out by foldbase.ts, bounded by it; `rMin`: the least exact norm on the region (0: unknown). */
export interface FoldTrace {
  events: FoldEvent[]; values: number; root: number; rootLayer: number; base?: boolean; rMin?: number;
}

/**
 * How far a fold with float64 weights is from an isometry, relative to |w|: the per-fold term
 * of planWeightDrift (fold.ts), 2k·γ_4·(√2·(1 + 2k_p) + 1), with k, k_p ≤ K (the largest k).
 */
function foldDrift(K: number): number {
  const g4 = gamma(4, UNIT_ROUNDOFF.float64);
  return 1.01 * 2 * K * g4 * (Math.SQRT2 * (1 + 2 * K) + 1);
}
const key = (r: Row) => r.layer * 2 ** 26 + r.index;

/** What the row bounds share: the network, the dtype's constants, and the magnitudes known so far. */
interface State {
  net: Network;
  /** Unit roundoff, float32 weights' rounding (0 in float64), underflow per term. */
  u: number;
  uw: number;
  eta: number;
  /** Largest computed value of each unit, M·ρ + K (inputs: key layer 0). */
  M: Map<number, number>;
  Kabs: Map<number, number>;
  /** relu(α·x) and relu(−α·x) of a leaf: each other's partner. */
  partner: Map<number, number>;
  /** Scalar values' errors (e, κ) and pairs' errors, by their (first) value. */
  scalar: Map<number, [number, number]>;
  pairs: Map<number, PairErr>;
  eps: number;
  leaves: number;
}

export function foldRoundingBound(
  net: Network, trace: FoldTrace, dtype: 'float64' | 'float32', R: number, outputMax: number,
  evaluations?: number,
): number {
  const [alpha, rMin] = [leafScales(net, trace), trace.rMin ?? 0];
  if (trace.base) return baseRoundingBound(net, alpha, dtype, R, rMin, evaluations);
  const whole = traceBound(net, trace, dtype, R, outputMax);
  if (dtype !== 'float32') return whole;
  // Direction patches (foldcone.ts) down to rMin; the ball of radius r below by this module's bound at r.
  const inner = (r: number) => traceBound(net, trace, dtype, r, outputMax * (r / R) + 1.2 * r);
  // Remembered: the same network built again (another attempt, another request in this process) is not
  // searched again.
  const cone = coneRoundingBound(net, alpha, R, dtype, FOLD_CONE_EVALUATIONS, inner, { rMin, remember: true });
  return Math.min(whole, cone);
}

/** Direction patches analysed for a folded norm's float32 bound (foldcone.ts). */
export const FOLD_CONE_EVALUATIONS = 1500;
/** α of each input column, when each is the leaf α·x_c of exactly one coordinate; else []. */
function leafScales(net: Network, trace: FoldTrace): number[] {
  const alpha = new Array<number>(net.inputs.length).fill(0);
  for (const e of trace.events) {
    if (e.kind !== 'leaf') continue;
    if (e.column < 0 || alpha[e.column] !== 0) return [];
    alpha[e.column] = e.alpha;
  }
  return alpha.every((a) => a !== 0) ? alpha : [];
}

/** The bound of the module comment for the ball |α⊙x| ≤ R. */
function traceBound(
  net: Network, trace: FoldTrace, dtype: 'float64' | 'float32', R: number, outputMax: number,
): number {
  const u = UNIT_ROUNDOFF[dtype];
  const uw = dtype === 'float32' ? u : 0;
  const eta = dtype === 'float32' ? 2 ** -150 : 2 ** -1075;
  const s: State = {
    net, u, uw, eta, M: new Map(), Kabs: new Map(), partner: leafPartners(trace), scalar: new Map(), pairs: new Map(),
    eps: foldDrift(Math.max(2, ...trace.events.map((e) => ('kinks' in e ? e.kinks.length + 1 : 2)))),
    leaves: trace.events.filter((e) => e.kind === 'leaf').length,
  };
  for (const e of trace.events) {
    if (e.kind !== 'leaf' || e.column < 0) continue;
    const c = key({ layer: 0, index: e.column });
    s.M.set(c, Math.max(s.M.get(c) ?? 0, (1 + uw) / Math.abs(e.alpha)));
    s.Kabs.set(c, uw > 0 ? eta : 0);
  }
  for (const e of trace.events) applyEvent(s, e);
  const [eRoot, kRoot] = s.scalar.get(trace.root)!;
  return tailRounding(s, trace.rootLayer, eRoot * R + kRoot, outputMax);
}

/**
 * relu(α·x) and relu(−α·x) of a leaf: one of the two is 0 exactly, so a row reading both adds
 * one term (adding 0 is exact in any order).
 */
function leafPartners(trace: FoldTrace): Map<number, number> {
  const partner = new Map<number, number>();
  for (const e of trace.events) {
    if (e.kind !== 'leaf' || e.rows.length !== 2) continue;
    const [p, q] = e.rows.map(key) as [number, number];
    partner.set(p, q);
    partner.set(q, p);
  }
  return partner;
}

/** |δ| ≤ A·ρ + B of one row, from the magnitudes of its inputs (Higham §3.1, γ_k). */
function rowDelta(s: State, r: Row): [number, number] {
  const L = s.net.layers[r.layer - 1]!;
  const base = r.index * L.inSize;
  let m = 0; let inexact = false; let A = 0; let B = 0; let P = 0; let Q = 0;
  let skip = -1; // the partner of a leaf unit already counted with it
  for (let c = 0; c < L.inSize; c++) {
    const w = L.weights[base + c]!;
    if (w === 0 || c === skip) continue;
    if (!powerOfTwo(w)) inexact = true;
    m++;
    const ck = key({ layer: r.layer - 1, index: c });
    const pk = s.partner.size ? s.partner.get(ck) : undefined;
    const cols = [c];
    // relu(±αx) are adjacent units: the partner, when read too, is the next column.
    if (pk === ck + 1 && c + 1 < L.inSize && L.weights[base + c + 1] !== 0) { cols.push(c + 1); skip = c + 1; }
    let a = 0; let b = 0;
    for (const col of cols) {
      const wc = L.weights[base + col]!;
      const ws = s.uw > 0 ? Math.fround(wc) : wc;
      if (col !== c && !powerOfTwo(wc)) inexact = true;
      const g = ck + (col - c);
      const Mg = s.M.get(g) ?? Infinity; const Kg = s.Kabs.get(g) ?? Infinity;
      a = Math.max(a, Mg * Math.abs(ws)); b = Math.max(b, Kg * Math.abs(ws));
      if (ws !== wc) { A += Math.abs(ws - wc) * Mg; B += Math.abs(ws - wc) * Kg; }
    }
    P += a; Q += b;
  }
  const bias = L.bias[r.index]!;
  if (bias !== 0) { m++; inexact = true; }
  const k = m - 1 + (inexact ? 1 : 0);
  const g = k > 0 ? ((k * s.u) / (1 - k * s.u)) * (1 + s.uw) : 0;
  if (g > 0) { A += g * P; B += g * Q; }
  B += g * Math.abs(bias) + (s.uw > 0 ? Math.abs(Math.fround(bias) - bias) : 0) + m * s.eta;
  return [A, B];
}

/** One event of the trace: its rows' rounding joins the errors of the values it makes (module comment). */
function applyEvent(s: State, e: FoldEvent): void {
  const delta: Delta = (r) => rowDelta(s, r);
  const setMag: SetMag = (r, nu, err, k) => { s.M.set(key(r), nu + err); s.Kabs.set(key(r), k); };
  switch (e.kind) {
    case 'leaf': {
      // The two rows relu(±α·x) are exact negatives (one rounding), only one is nonzero.
      let A = 0; let B = 0;
      for (const r of e.rows) { const [a, b] = delta(r); A = Math.max(A, a); B = Math.max(B, b); }
      const err: [number, number] = [s.uw + A, B + (s.uw > 0 ? s.eta * Math.abs(e.alpha) : 0)];
      for (const r of e.rows) setMag(r, 1, err[0], err[1]);
      s.scalar.set(e.value, err);
      break;
    }
    case 'carry': {
      let [ev, kv] = s.scalar.get(e.value)!;
      const nu = e.value < s.leaves ? 1 : 1.2; // leaves come first; an estimate ≤ 1.2ρ
      for (const r of e.rows) { const [a, b] = delta(r); ev += a; kv += b; setMag(r, nu, ev, kv); }
      s.scalar.set(e.value, [ev, kv]);
      break;
    }
    case 'materialize': {
      const nu = [1.2, 1.2 * Math.sin(e.wedge)];
      const rows = e.rows.map((row, i) => ({ row, col: (i === 0 ? [1, 0] : [0, 1]) as [number, number], nu: nu[i]! }));
      s.pairs.set(e.a, foldStep(pairOf(s, e.a, e.b), rows, e.wedge, delta, setMag, s.eps));
      break;
    }
    case 'fold': {
      const kinkSin = (i: number) => Math.sin(Math.max(0, e.wedge - e.kinks[i - 2]!.angle));
      const nu = (i: number) => 1.2 * (i === 0 ? 1 : i === 1 ? Math.sin(e.wedge) : kinkSin(i));
      const rows = e.rows.map((r, i) => ({ row: r.row, col: r.col, nu: nu(i) }));
      s.pairs.set(e.a, foldStep(pairOf(s, e.a, e.b), rows, e.wedge / (e.kinks.length + 1), delta, setMag, s.eps));
      break;
    }
    case 'project': projectEvent(s, e, delta, setMag); break;
  }
}

/** A projection c·⟨F(p̂), m⟩ ends a pair: its scalar error by projectErr. */
function projectEvent(s: State, e: Extract<FoldEvent, { kind: 'project' }>, delta: Delta, setMag: SetMag): void {
  const p = pairOf(s, e.a, e.b);
  const bFinal = e.wedge / (e.kinks.length + 1);
  const nu = (i: number) => 1.2 * (i === 0 ? 1 : Math.sin(Math.max(0, e.wedge - e.kinks[i - 1]!.angle)));
  let A = 0; let B = 0;
  const ds = e.rows.map((r) => delta(r.row));
  for (const [i, r] of e.rows.entries()) { A += Math.abs(r.coef) * ds[i]![0]; B += Math.abs(r.coef) * ds[i]![1]; }
  const lip = e.rows.length ? e.rows.reduce((t, r) => t + Math.abs(r.coef), 0) : e.c * Math.SQRT2;
  const out = projectErr(p, e.c, Math.sin(bFinal / 2 + 1e-9), lip, [A, B], s.eps);
  for (const [i, r] of e.rows.entries()) setMag(r.row, nu(i), p.E + ds[i]![0], p.k + ds[i]![1]);
  s.scalar.set(e.out, out);
  s.pairs.delete(e.a);
}

/** A node's pair: as a fold left it, or two scalar values paired (E = N = max(e_a, e_b)). */
function pairOf(s: State, a: number, b: number): PairErr {
  const p = s.pairs.get(a);
  if (p) return p;
  const [ea, ka] = s.scalar.get(a)!; const [eb, kb] = s.scalar.get(b)!;
  return { E: Math.max(ea, eb), N: Math.max(ea, eb), k: Math.hypot(ka, kb) };
}

/** Output tail: the layers after the norm's last units (the output row, and float32's offset unit). */
function tailRounding(s: State, rootLayer: number, atRoot: number, outputMax: number): number {
  let total = atRoot;
  for (let l = rootLayer + 1; l <= s.net.layers.length; l++) {
    const L = s.net.layers[l - 1]!;
    let worst = 0;
    let gain = 0;
    for (let r = 0; r < L.outSize; r++) {
      let g = 0;
      for (let c = 0; c < L.inSize; c++) g += Math.abs(L.weights[r * L.inSize + c]!);
      gain = Math.max(gain, g);
      worst = Math.max(worst, tailDelta(L, r, 2 * outputMax + total, s.u, s.uw, s.eta));
    }
    total = (l === rootLayer + 1 ? total : gain * total) + worst;
  }
  return total;
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
