import type { Network } from '../net/network.ts';
import type { FormulaBox, FormulaEnclosure } from './formula.ts';
import { maxWithCuts, regionCuts, type Cut, type RegionTest } from './cuts.ts';
import { cornerBound, cornerValues, tangentPoint } from './convex-bound.ts';
import { concretizeUpper, gamma, type LinearForm } from './linear.ts';
import { networkBounds } from './network-bounds.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

/**
 * A proven upper bound of max |N(x) − f(x)| over one sub-box (N in exact arithmetic).
 *
 * Two routes, the smaller kept (both sound):
 * - linear: N ≤ Λ_u·x + c_u (back-substitution) and f ≥ f(m) + g_c·(x − m) − R (mean value
 *   form) give N − f ≤ (Λ_u − g_c)·x + c_u − f(m) + g_c·m + R, maximized exactly at a corner;
 *   the same with the lower bound of N for f − N. The difference is bounded as one linear
 *   function, so the parts of N and f that move together cancel.
 * - intervals: N − f ≤ max N − min f, f − N ≤ max f − min N.
 * Range conditions cut the box where it straddles their boundary (cuts.ts).
 * Every float step is charged its rounding (linear.ts); the corners reaching the linear bounds
 * are returned as candidates for the worst input.
 */
export interface BoxBound {
  /** Upper bound of |N − f| on the box (Infinity where f may be undefined). */
  bound: number;
  /** Corners where the linear bounds peak: inputs worth evaluating. */
  corners: Float64Array[];
  /** Per input: how much the bound's linear part moves along it (coefficient × width). */
  influence: Float64Array;
}

/** Unit roundoff of float64. */
const U = UNIT_ROUNDOFF.float64;
/** The curved routes run where the mean-value slack exceeds this fraction of the bound. */
const CURVED_FROM = 0.1;

/** Upper bound of max over the box of (form − f) when fSign = 1, or (f − form') via the negated form. */
function differenceBound(form: LinearForm, f: NonNullable<FormulaBox['line']>, fSign: 1 | -1, lo: ArrayLike<number>,
  hi: ArrayLike<number>, cuts: readonly Cut[]): { bound: number; corner: Float64Array; coef: Float64Array } {
  // form bounds s·N from above (s = 1 for N, −1 for −N); we bound s·N − s·f:
  // −s·f ≤ −s·(f(m) + g_c·(x − m)) + R, with f(m) taken at the end of its enclosure that is safe.
  const n = lo.length;
  const coef = new Float64Array(n);
  let c = form.c[0]!, mag = Math.abs(c), extra = 0;
  for (let i = 0; i < n; i++) {
    const a = form.coef[i]! - fSign * f.slope[i]!;
    coef[i] = a;
    const xMax = Math.max(Math.abs(lo[i]!), Math.abs(hi[i]!));
    extra += 2 * U * Math.abs(a) * xMax;
    const gm = fSign * f.slope[i]! * f.m[i]!;
    c += gm;
    mag += Math.abs(gm);
  }
  const fm = fSign === 1 ? -f.fmLo : f.fmHi;
  c += fm;
  mag += Math.abs(fm) + Math.abs(c);
  const eps = form.eps[0]! + f.slack + extra + gamma(n + 4) * mag * 2;
  const diff: LinearForm = { coef, c: Float64Array.of(c), eps: Float64Array.of(eps), rows: 1 };
  const r = concretizeUpper(diff, lo, hi);
  return { bound: cuts.length ? maxWithCuts(diff, cuts, lo, hi) : r.bound[0]!, corner: r.corner, coef };
}

/**
 * For convex f: f − N by the corners, N − f by a tangent plane of f (convex-bound.ts); for
 * concave f the other way round. Each of the network's linear bounds is tried.
 */
function curvedRoutes(nb: ReturnType<typeof networkBounds>, formula: FormulaEnclosure, lo: ArrayLike<number>,
  hi: ArrayLike<number>, cuts: readonly Cut[]): { over: number; under: number } {
  const convex = formula.curvature === 'convex';
  const corners = cornerValues(formula, convex ? 1 : -1, lo, hi);
  // Corner side: max (form + s·f) with s·f convex; tangent side: max (form − s·f), f replaced
  // by its tangent at x0 (one tangent, at the form whose float estimate is smallest).
  const cornerForms = convex ? nb.lowerNeg : nb.upper;
  const tangentForms = convex ? nb.upper : nb.lowerNeg;
  let corner = Infinity;
  for (const form of cornerForms) corner = Math.min(corner, cornerBound(form, corners, lo, hi));
  let best: { form: LinearForm; x0: Float64Array; est: number } | null = null;
  for (const form of tangentForms) {
    const t = tangentPoint(form.coef, formula.value, convex ? 1 : -1, lo, hi);
    const est = t.estimate + form.c[0]!;
    if (!best || est < best.est) best = { form, x0: t.x0, est };
  }
  const line = best && formula.tangent(best.x0, lo, hi);
  const tangent = line ? differenceBound(best!.form, line, convex ? 1 : -1, lo, hi, cuts).bound : Infinity;
  return convex ? { over: tangent, under: corner } : { over: corner, under: tangent };
}

export function boundBox(net: Network, formula: FormulaEnclosure, lo: ArrayLike<number>, hi: ArrayLike<number>,
  region: readonly RegionTest[] = []): BoxBound {
  const n = lo.length;
  const fb = formula.enclose(lo, hi);
  const nb = networkBounds(net, lo, hi);
  const influence = new Float64Array(n);
  const corners: Float64Array[] = [];
  if (fb.undefinedPart) return { bound: Infinity, corners, influence };
  const up = 1 + 4 * U;
  // Interval route (rounded up: each difference is one float operation).
  let over = (nb.outHi - fb.lo) * up + 1e-300;
  let under = (fb.hi - nb.outLo) * up + 1e-300;
  for (const form of nb.upper) corners.push(concretizeUpper(form, lo, hi).corner);
  for (const form of nb.lowerNeg) corners.push(concretizeUpper(form, lo, hi).corner);
  if (fb.line) {
    const cuts = regionCuts(region, lo, hi);
    for (let k = 0; k < nb.upper.length; k++) {
      const a = differenceBound(nb.upper[k]!, fb.line, 1, lo, hi, cuts);
      const b = differenceBound(nb.lowerNeg[k]!, fb.line, -1, lo, hi, cuts);
      over = Math.min(over, a.bound);
      under = Math.min(under, b.bound);
      if (k === 0) {
        for (let i = 0; i < n; i++) influence[i] = (Math.abs(a.coef[i]!) + Math.abs(b.coef[i]!)) * (hi[i]! - lo[i]!)
          + 2 * fb.line.slackPer[i]!;
        corners.push(a.corner, b.corner);
      }
    }
  } else {
    const form = nb.upper[0]!;
    for (let i = 0; i < n; i++) influence[i] = (Math.abs(form.coef[i]!)
      + Math.abs(nb.lowerNeg[0]!.coef[i]!)) * (hi[i]! - lo[i]!);
  }
  // Worth its cost (point enclosures of f) where f's curvature slack is a visible part of the bound.
  const curved = formula.curvature === 'convex' || formula.curvature === 'concave';
  if (curved && (!fb.line || fb.line.slack > CURVED_FROM * Math.max(over, under))) {
    const r = curvedRoutes(nb, formula, lo, hi, regionCuts(region, lo, hi));
    over = Math.min(over, r.over);
    under = Math.min(under, r.under);
  }
  const bound = Math.max(over, under, 0);
  return { bound: Number.isNaN(bound) ? Infinity : bound, corners, influence };
}
