import type { Row } from './foldround.ts';

/**
 * One step of the folded-norm rounding analysis (foldround.ts, whose module comment states the
 * method): a fold or a projection applied to a pair with known error bounds.
 */

/** Error bounds of a pair: vector E·ρ + κ, norm N·ρ + κ. */
export interface PairErr { E: number; N: number; k: number }
/** Regimes of ρ: above 2^10·κ the vector's angle is known to within 2^−10 (module comment). */
export const WIDE = 2 ** 10;

export type Delta = (r: Row) => [number, number];
export type SetMag = (r: Row, nu: number, err: number, k: number) => void;

/**
 * One fold (or a copy of the pair, without kinks) on a pair with errors p (module comment), in
 * two regimes of ρ. For ρ ≥ ρ1 = 2^10·κ the angle of F(p̂) is within asin((E + 2^−10)/0.79) of
 * [0, b]; the carriers relu(U), relu(V) differ from U, V only where a computed coordinate is
 * below 0 while the exact one is not: V < 0 makes the layer F(proj(p̂)) (projection on V ≥ 0:
 * no farther from p, its norm within V²/2U of |p̂|), U < 0 happens only for estimates within
 * their κ of 0 (charged 4κ). Below ρ1, the layer's map (relu(U), relu(V)) + Σ d_j·relu(⟨n_j, ·⟩)
 * is (1 + Σ|d_j|)-Lipschitz on the whole plane: errors at ρ1 join κ.
 */
export function foldStep(
  p: PairErr, rows: { row: Row; col: [number, number]; nu: number }[], b: number,
  delta: Delta, setMag: SetMag, eps: number,
): PairErr {
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
export function projectErr(
  p: PairErr, c: number, s: number, lip: number, [A, B]: [number, number], eps: number,
): [number, number] {
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
  const at = (t: number) => Math.abs(col[0] * Math.cos(t) + col[1] * Math.sin(t));
  return Math.max(at(lo), at(hi)) * (1 + 1e-12);
}
