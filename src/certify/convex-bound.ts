import type { FormulaEnclosure } from './formula.ts';
import { concretizeUpper, type LinearForm } from './linear.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

/**
 * Bounds of a linear bound of the network minus a convex (or concave) formula over a box,
 * without the mean-value form's curvature slack (which grows with the square of the box and
 * dominates when f is curved on a scale far below the box, as |d| on the GPS shell):
 *
 * - convex side, max_B (L(x) + s·f(x)) with s·f convex (f − N for convex f, N − f for
 *   concave f): a convex function peaks at a vertex of the box (Rockafellar, "Convex
 *   Analysis", 1970, Cor. 32.3.4), so the bound is the largest of L(v) + s·f(v) over the 2^n
 *   corners, each from L's sound concretization at the point and f's enclosure there;
 * - concave side, max_B (L(x) − s·f(x)): f's tangent plane at a point x0 (formula.ts,
 *   tangent) bounds f from the right side everywhere, leaving a linear function whose box
 *   maximum is exact; it equals the true maximum when x0 is the maximizer, so x0 is sought by
 *   Frank–Wolfe ascent (Frank & Wolfe, "An algorithm for quadratic programming", 1956) with a
 *   line search, in plain floats (x0 only steers; soundness does not depend on it).
 * The range conditions' cuts are not used here (a box bound is a bound of box ∩ region).
 */

/** Boxes of up to 2^MAX_CORNER_DIMS corners get the corner route. */
const MAX_CORNER_DIMS = 10;
/** Unit roundoff of float64. */
const U = UNIT_ROUNDOFF.float64;

/** s·f at the 2^n corners, rounded up (sound), or null when undefined or too many corners. */
export function cornerValues(
  formula: FormulaEnclosure, s: 1 | -1, lo: ArrayLike<number>, hi: ArrayLike<number>,
): Float64Array[] | null {
  const n = lo.length;
  if (n > MAX_CORNER_DIMS) return null;
  const out: Float64Array[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const v = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) v[i] = mask & (1 << i) ? hi[i]! : lo[i]!;
    const f = formula.at(v.subarray(0, n));
    if (f.undefinedPart) return null;
    v[n] = s === 1 ? f.hi : -f.lo;
    if (!Number.isFinite(v[n]!)) return null;
    out.push(v);
  }
  return out;
}

/** max over the corners of form(v) + s·f(v) (sound: form concretized at each point, sum rounded up). */
export function cornerBound(
  form: LinearForm, corners: Float64Array[] | null, lo: ArrayLike<number>, hi: ArrayLike<number>,
): number {
  if (!corners) return Infinity;
  const n = lo.length;
  let best = -Infinity;
  for (const c of corners) {
    const v = c.subarray(0, n);
    const l = concretizeUpper(form, v, v).bound[0]!;
    const sum = l + c[n]!;
    const t = sum + Math.abs(sum) * 4 * U + 1e-300;
    if (!(t <= Infinity)) return Infinity;
    if (t > best) best = t;
  }
  return best;
}

/**
 * A point x0 near the maximizer of ψ(x) = form(x) − s·f(x) over the box (ψ concave for
 * s·f convex), by Frank–Wolfe steps towards the corner the gradient prefers, each with a
 * golden-section line search; ∇f by central differences of the compiled formula.
 */
export function tangentPoint(coef: ArrayLike<number>, f: (x: Float64Array) => number, s: 1 | -1, lo: ArrayLike<number>,
  hi: ArrayLike<number>, iterations = 8): { x0: Float64Array; estimate: number } {
  const n = lo.length;
  const x = Float64Array.from(lo, (l, i) => l + (hi[i]! - l) / 2);
  const psi = (y: Float64Array) => { let t = -s * f(y); for (let i = 0; i < n; i++) t += coef[i]! * y[i]!; return t; };
  const y = new Float64Array(n), corner = new Float64Array(n);
  let estimate = Infinity;
  for (let it = 0; it < iterations; it++) {
    let gap = 0;
    for (let i = 0; i < n; i++) {
      const h = (hi[i]! - lo[i]!) * 1e-7 || 1e-300;
      y.set(x); y[i] = x[i]! + h; const up = f(y);
      y[i] = x[i]! - h; const dn = f(y);
      const g = coef[i]! - (s * (up - dn)) / (2 * h);
      corner[i] = g >= 0 ? hi[i]! : lo[i]!;
      gap += g * (corner[i]! - x[i]!);
    }
    // Frank–Wolfe's duality gap: ψ(x) + gap estimates the tangent bound at x.
    estimate = Math.min(estimate, psi(x) + gap);
    const at = (t: number) => { for (let i = 0; i < n; i++) y[i] = x[i]! + t * (corner[i]! - x[i]!); return psi(y); };
    const t = goldenMax(at, 0, 1, 16);
    if (!(t > 0)) break;
    for (let i = 0; i < n; i++) x[i] = Math.min(hi[i]!, Math.max(lo[i]!, x[i]! + t * (corner[i]! - x[i]!)));
  }
  return { x0: x, estimate };
}

/** Golden-section search for the maximum of a unimodal function on [a, b]. */
function goldenMax(g: (t: number) => number, a: number, b: number, steps: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a), d = a + r * (b - a), gc = g(c), gd = g(d);
  for (let k = 0; k < steps; k++) {
    if (gc >= gd) { b = d; d = c; gd = gc; c = b - r * (b - a); gc = g(c); }
    else { a = c; c = d; gc = gd; d = a + r * (b - a); gd = g(d); }
  }
  const t = (a + b) / 2;
  return g(t) >= g(0) ? t : 0;
}
