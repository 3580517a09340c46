import type { FormulaEnclosure } from './formula.ts';
import { concretizeUpper, gamma, type LinearForm } from './linear.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

/**
 * Range conditions inside a sub-box. A condition lo ≤ g(x) ≤ hi on a box that straddles its
 * boundary gives half-spaces a·x ≥ b holding on every point of the region in the box, from
 * g's mean-value form (formula.ts): g ≤ g(m) + g_c·(x − m) + R, so g ≥ lo ⇒
 * g_c·x ≥ lo − g(m) + g_c·m − R (and likewise for g ≤ hi). The maximum of a linear bound over
 * the box and one half-space is then bounded by Lagrangian duality: for every λ ≥ 0,
 *   max{c·x : x ∈ box, a·x ≥ b} ≤ max{(c + λa)·x : x ∈ box} − λb,
 * sound for any float λ (each candidate is evaluated with its rounding charged); the λ tried
 * are 0 and the breakpoints −c_i/a_i, among which the dual optimum lies.
 */

export interface Cut { a: Float64Array; b: number }
export interface RegionTest { enc: FormulaEnclosure; lo: number; hi: number }

/** Unit roundoff of float64. */
const U = UNIT_ROUNDOFF.float64;

/** Half-spaces a·x ≥ b that contain the region's part of the box (rounded so they only grow). */
export function regionCuts(conds: readonly RegionTest[], lo: ArrayLike<number>, hi: ArrayLike<number>): Cut[] {
  const cuts: Cut[] = [];
  const n = lo.length;
  for (const c of conds) {
    const e = c.enc.enclose(lo, hi);
    if (!e.line || e.undefinedPart) continue;
    const { m, slope, slack, fmLo, fmHi } = e.line;
    let gm = 0, mag = 0;
    for (let i = 0; i < n; i++) { gm += slope[i]! * m[i]!; mag += Math.abs(slope[i]! * m[i]!); }
    if (e.lo < c.lo) {
      // slope·x ≥ lo − g(m) + slope·m − R
      const terms = [c.lo, -fmHi, gm, -slack];
      const b = terms.reduce((s, t) => s + t, 0);
      const err = gamma(n + 6) * (terms.reduce((s, t) => s + Math.abs(t), 0) + mag + Math.abs(b)) * 2;
      cuts.push({ a: Float64Array.from(slope), b: b - err });
    }
    if (e.hi > c.hi) {
      // −slope·x ≥ g(m) − slope·m − R − hi
      const terms = [fmLo, -gm, -slack, -c.hi];
      const b = terms.reduce((s, t) => s + t, 0);
      const err = gamma(n + 6) * (terms.reduce((s, t) => s + Math.abs(t), 0) + mag + Math.abs(b)) * 2;
      cuts.push({ a: slope.map((v) => -v), b: b - err });
    }
  }
  return cuts;
}

/** Sound upper bound of max of the one-row form over box ∩ each cut (the smallest found). */
export function maxWithCuts(
  form: LinearForm, cuts: readonly Cut[], lo: ArrayLike<number>, hi: ArrayLike<number>,
): number {
  let best = concretizeUpper(form, lo, hi).bound[0]!;
  const n = lo.length;
  for (const cut of cuts) {
    const lambdas = new Set<number>();
    for (let i = 0; i < n; i++) if (cut.a[i] !== 0) { const l = -form.coef[i]! / cut.a[i]!; if (l > 0
      && Number.isFinite(l)) lambdas.add(l); }
    for (const lambda of lambdas) {
      const coef = new Float64Array(n);
      let extra = 0;
      for (let i = 0; i < n; i++) {
        coef[i] = form.coef[i]! + lambda * cut.a[i]!;
        extra += 2 * U * (Math.abs(form.coef[i]!) + Math.abs(lambda * cut.a[i]!)) * Math.max(Math.abs(lo[i]!),
          Math.abs(hi[i]!));
      }
      const c = form.c[0]! - lambda * cut.b;
      extra += 2 * U * (Math.abs(form.c[0]!) + Math.abs(lambda * cut.b));
      const r = concretizeUpper({ coef, c: Float64Array.of(c), eps: Float64Array.of(form.eps[0]! + extra), rows: 1 },
        lo, hi).bound[0]!;
      if (r < best) best = r;
    }
  }
  return best;
}
