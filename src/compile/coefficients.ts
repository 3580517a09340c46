/**
 * Coefficient arithmetic with its rounding proven (docs/DESIGN.md §16): the graph folds the
 * formula's numbers into affine coefficients in float64 (x/3 has the coefficient fl(1/3), x*0.1*10
 * the coefficient fl(fl(0.1)·10)); each folded number carries a bound of its distance to the real
 * number the formula means. Each step adds its own rounding, computed exactly (Knuth's TwoSum,
 * Dekker's TwoProduct; a quotient's residual a − q·b by TwoProduct, no FMA): 0 when the step is
 * exact, so 2*x, x/4 and x + y stay exact. Where the error term is not exact (near overflow or
 * underflow) the step adds u·|result| + η (u = 2^-52, η = 2^-1074). Bounds are rounded upward.
 */
export interface Coef {
  /** The float64 value used. */
  v: number;
  /** A proven bound of |real − v|. */
  err: number;
}

const ROUND = 2 ** -52;
const ETA = 2 ** -1074;

/** A bound rounded upward (every bound here is a handful of float64 steps from its exact value). */
const up = (x: number): number => (x === 0 ? 0 : x * (1 + 2 ** -48) + ETA);

/** 2^27 + 1: Veltkamp's split. */
const SPLIT = 134217729;

/**
 * a·b − fl(a·b) exactly (Dekker's TwoProduct), or null near overflow or underflow where it
 * is not exact (ranges.ts productIsExact tests it for 0).
 */
export function productError(a: number, b: number): number | null {
  const p = a * b;
  if (a === 0 || b === 0) return 0;
  const valid = Math.abs(a) < 2 ** 995 && Math.abs(b) < 2 ** 995 && Math.abs(p) > 2 ** -969 && Math.abs(p) < 2 ** 995;
  if (!valid) return null;
  const ca = SPLIT * a; const ah = ca - (ca - a); const al = a - ah;
  const cb = SPLIT * b; const bh = cb - (cb - b); const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** a + b − fl(a + b) exactly (Knuth's TwoSum), or null when the sum is not finite. */
export function sumError(a: number, b: number): number | null {
  const s = a + b;
  const bb = s - a;
  return Number.isFinite(s) ? (a - (s - bb)) + (b - bb) : null;
}

/** |error| of a step, or the generic bound u·|r| + η where the error term is not known exactly. */
const rounding = (error: number | null, r: number): number =>
  (error === null ? Math.abs(r) * ROUND + ETA : Math.abs(error));

/**
 * |a/b − q| for q = fl(a/b): |a − q·b|/|b|, with a − q·b = (a − fl(q·b)) − TwoProduct's error
 * (Sterbenz: a − fl(q·b) is exact).
 */
function quotientRounding(a: number, b: number, q: number): number {
  const e = productError(q, b);
  if (e === null || !Number.isFinite(q)) return Math.abs(q) * ROUND + ETA;
  const r = Math.abs((a - q * b) - e);
  return r === 0 ? 0 : (r / Math.abs(b)) * (1 + ROUND) + ETA;
}

/** The number a literal stands for, exactly. */
export const exactCoef = (v: number): Coef => ({ v, err: 0 });

export function sumCoef(a: Coef, b: Coef): Coef {
  const v = a.v + b.v;
  const err = a.err + b.err + rounding(sumError(a.v, b.v), v);
  return { v, err: up(err) };
}

export function productCoef(a: Coef, b: Coef): Coef {
  const v = a.v * b.v;
  const err = Math.abs(a.v) * b.err + Math.abs(b.v) * a.err + a.err * b.err + rounding(productError(a.v, b.v), v);
  return { v, err: up(err) };
}

/**
 * a/b: |a_r/b_r − a/b| = |(a_r − a) − (a/b)(b_r − b)|/|b_r| ≤ (err_a + |a/b|·err_b)/(|b| − err_b),
 * plus the quotient's own rounding (none when q·b = a exactly). Infinite when b's real value may be 0.
 */
export function quotientCoef(a: Coef, b: Coef): Coef {
  const v = a.v / b.v;
  const gap = Math.abs(b.v) - b.err;
  const spread = a.err + Math.abs(v) * (1 + ROUND) * b.err;
  const carried = a.err === 0 && b.err === 0 ? 0 : gap > 0 ? spread / gap : Infinity;
  return { v, err: up(carried + quotientRounding(a.v, b.v, v)) };
}

export const negCoef = (a: Coef): Coef => ({ v: -a.v, err: a.err });
