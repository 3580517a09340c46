import { exprKey, type Expr } from '../expr/ast.ts';
import { branchAt, derivative, kinkSites } from '../expr/derivative.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { enclose } from '../expr/interval.ts';
import { curvature, type Curvature } from './convexity.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';
import { nameRecord } from '../expr/names.ts';

/**
 * Enclosures of the formula f over a sub-box: the interval enclosure of f (expr/interval.ts,
 * outward rounded) and, where f is smooth on the box, a first-order (mean-value) form
 *   f(x) ∈ f(m) + g_c·(x − m) ± R,  R = Σ_i rad(G_i)·r_i,
 * where G is an interval enclosure of ∇f over the box, g_c its midpoint and r_i the
 * half-widths around the centre m (Moore, Kearfott & Cloud, "Introduction to Interval
 * Analysis", 2009, §6.4: the mean value form). The slack R shrinks with the square of the box,
 * where the plain enclosure only shrinks linearly; the network's linear bounds minus this
 * line give the tight route to bound N − f. Kinks (abs, relu, min, max) whose selector keeps
 * one sign on the box are resolved to that branch (expr/derivative.ts, branchAt).
 */

export interface FormulaBox {
  /** Enclosure of f over the box. */
  lo: number;
  hi: number;
  /** f may be undefined somewhere on the box (then no bound is sound there). */
  undefinedPart: boolean;
  /** Mean-value form, when f is smooth on the box. */
  line?: { fmLo: number; fmHi: number; m: Float64Array; slope: Float64Array; slack: number; slackPer: Float64Array };
}

/** Unit roundoff of float64. */
const U = UNIT_ROUNDOFF.float64;

export class FormulaEnclosure {
  private readonly sites: Expr[];
  private readonly gradients = new Map<string, Expr[] | null>();

  /** Convex or concave f (convexity.ts) allows tangent planes and corner maxima (convex-bound.ts). */
  readonly curvature: Curvature;

  constructor(readonly expr: Expr, readonly names: string[]) {
    this.sites = kinkSites(expr).map((s) => s.selector);
    this.curvature = curvature(expr);
    const fn = compileFunction(expr, names);
    // Direct calls for few inputs (a spread allocates on every call).
    this.value = names.length === 1 ? (x) => fn(x[0]!) : names.length === 2 ? (x) => fn(x[0]!, x[1]!)
      : names.length === 3 ? (x) => fn(x[0]!, x[1]!, x[2]!) : (x) => fn(...x);
  }

  /** f(x) in plain floats (for searches, never for bounds). */
  readonly value: (x: Float64Array) => number;

  /** Enclosure of f at one point. */
  at(x: ArrayLike<number>): { lo: number; hi: number; undefinedPart: boolean } {
    const box = nameRecord<[number, number]>();
    this.names.forEach((v, i) => { box[v] = [x[i]!, x[i]!]; });
    return enclose(this.expr, box);
  }

  /**
   * The tangent plane of f at x0 in the box, as a line over the box: f(x0) ∈ [fmLo, fmHi],
   * slope g_c the midpoint of an enclosure G of the branch gradient at x0, and slack
   * Σ rad(G_i)·max|x_i − x0_i| for the slope's uncertainty. For convex f (curvature) every x
   * of the box has f(x) ≥ fmLo + g_c·(x − x0) − slack; for concave f, ≤ fmHi + … + slack.
   * Not an enclosure of f: one side only. Undefined (null) where the gradient is not finite.
   */
  tangent(x0: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): FormulaBox['line'] | null {
    const point = nameRecord<[number, number]>();
    this.names.forEach((v, i) => { point[v] = [x0[i]!, x0[i]!]; });
    const grad = this.branch(point);
    const fm = enclose(this.expr, point);
    if (!grad || fm.undefinedPart) return null;
    const n = this.names.length;
    const m = Float64Array.from(x0), slope = new Float64Array(n), slackPer = new Float64Array(n);
    let slack = 0;
    for (let i = 0; i < n; i++) {
      const g = enclose(grad[i]!, point);
      if (g.undefinedPart || !Number.isFinite(g.lo) || !Number.isFinite(g.hi)) return null;
      slope[i] = g.lo + (g.hi - g.lo) / 2;
      const rad = Math.max(g.hi - slope[i]!, slope[i]! - g.lo) * (1 + 4 * U) + 1e-300;
      const r = Math.max(m[i]! - lo[i]!, hi[i]! - m[i]!) * (1 + 4 * U);
      slackPer[i] = rad * r;
      slack += rad * r;
    }
    if (!Number.isFinite(slack) || !Number.isFinite(fm.lo) || !Number.isFinite(fm.hi)) return null;
    return { fmLo: fm.lo, fmHi: fm.hi, m, slope, slack: slack * (1 + 2 * (n + 2) * U), slackPer };
  }

  /** The smooth branch of f on the box, with its gradient, or null when a kink may lie inside. */
  private branch(box: Record<string, readonly [number, number]>): Expr[] | null {
    const signs = new Map<string, number>();
    for (const s of this.sites) {
      const e = enclose(s, box);
      if (e.undefinedPart) return null;
      if (e.lo >= 0) signs.set(exprKey(s), 1);
      else if (e.hi <= 0) signs.set(exprKey(s), -1);
      else return null;
    }
    const b = this.sites.length === 0 ? this.expr : branchAt(this.expr, (s) => signs.get(exprKey(s)) ?? 1);
    const key = exprKey(b);
    if (!this.gradients.has(key)) {
      let grad: Expr[] | null;
      try {
        grad = this.names.map((v) => derivative(b, v));
      } catch {
        grad = null;
      }
      this.gradients.set(key, grad);
    }
    return this.gradients.get(key)!;
  }

  enclose(lo: ArrayLike<number>, hi: ArrayLike<number>): FormulaBox {
    const box = nameRecord<[number, number]>();
    this.names.forEach((v, i) => { box[v] = [lo[i]!, hi[i]!]; });
    const whole = enclose(this.expr, box);
    const out: FormulaBox = { lo: whole.lo, hi: whole.hi, undefinedPart: whole.undefinedPart };
    if (whole.undefinedPart) return out;
    const grad = this.branch(box);
    if (!grad) return out;
    const n = this.names.length;
    const m = new Float64Array(n), slope = new Float64Array(n), slackPer = new Float64Array(n);
    let slack = 0;
    const point = nameRecord<[number, number]>();
    for (let i = 0; i < n; i++) {
      const g = enclose(grad[i]!, box);
      if (g.undefinedPart || !Number.isFinite(g.lo) || !Number.isFinite(g.hi)) return out;
      m[i] = lo[i]! + (hi[i]! - lo[i]!) / 2;
      if (!(m[i]! >= lo[i]! && m[i]! <= hi[i]!)) m[i] = lo[i]!;
      point[this.names[i]!] = [m[i]!, m[i]!];
      slope[i] = g.lo + (g.hi - g.lo) / 2;
      if (!Number.isFinite(slope[i]!)) return out;
      // rad ≥ max(G.hi − g_c, g_c − G.lo) and r ≥ max(m − lo, hi − m), each rounded up.
      const rad = Math.max(g.hi - slope[i]!, slope[i]! - g.lo) * (1 + 4 * U) + 1e-300;
      const r = Math.max(m[i]! - lo[i]!, hi[i]! - m[i]!) * (1 + 4 * U);
      slackPer[i] = rad * r;
      slack += rad * r;
    }
    const fm = enclose(this.expr, point);
    if (fm.undefinedPart || !Number.isFinite(slack)) return out;
    out.line = { fmLo: fm.lo, fmHi: fm.hi, m, slope, slack: slack * (1 + 2 * (n + 2) * U), slackPer };
    return out;
  }
}

/** A stated range of a subexpression: the region keeps only points where lo ≤ g(x) ≤ hi. */
export interface RangeCondition { expr: Expr; lo: number; hi: number; text?: string }

/** false when no point of the box can satisfy every condition (their enclosures miss the range). */
export function boxMayMeetRanges(
  conditions: readonly RangeCondition[], names: string[], lo: ArrayLike<number>, hi: ArrayLike<number>,
): boolean {
  if (conditions.length === 0) return true;
  const box = nameRecord<[number, number]>();
  names.forEach((v, i) => { box[v] = [lo[i]!, hi[i]!]; });
  for (const c of conditions) {
    const e = enclose(c.expr, box);
    if (e.hi < c.lo || e.lo > c.hi) return false;
  }
  return true;
}
