import type { Expr } from './ast.ts';
import { compileBall, type BallValue } from './ball.ts';
import { compileDoubleDouble } from './doubledouble.ts';
import { evaluatePrecise } from './precise.ts';

/**
 * f at a point with a proven bound of the error against the real-valued formula (the truth;
 * its constants are the doubles they are read as). float64 with a running error bound
 * (ball.ts) where that bound is within `REL`·|f| or the caller's absolute tolerance; else
 * double-double ball arithmetic (doubledouble.ts, ~32 digits, fast); else decimal ball
 * arithmetic (precise.ts) at 40, 70, then 100 digits. Where no bound is found
 * (the formula undefined at the point, or a ball reaching a pole), the value is NaN when
 * decimal says undefined, and the radius is Infinity.
 */
export interface AccurateEvaluator {
  /** Value at the point; out[0] receives the proven bound of |value − f(point)|. */
  (args: ArrayLike<number>, out: Float64Array, absTol?: number): number;
  /** Points that needed decimal arithmetic so far (double-double was not enough). */
  precisePoints(): number;
}

/** float64 is accepted when its proven error is at most this fraction of |f|. */
export const REL = 2 ** -44;
const DIGITS = [40, 70, 100];

export function accurateEvaluator(e: Expr, variables: string[]): AccurateEvaluator {
  const ball = compileBall(e, variables);
  const doubleDouble = compileDoubleDouble(e, variables);
  let precise = 0;
  const fn = ((args: ArrayLike<number>, out: Float64Array, absTol = 0): number => {
    const v = ball(args, out);
    const r = out[0]!;
    if (r <= Math.max(REL * Math.abs(v), absTol)) return v;
    const dv = doubleDouble(args, out);
    const dr = out[0]!;
    if (dr <= Math.max(REL * Math.abs(dv), absTol)) return dv;
    let best: BallValue = { value: v, radius: Number.isFinite(r) ? r : Infinity };
    if (dr < best.radius) best = { value: dv, radius: dr };
    precise++;
    for (const P of DIGITS) {
      const p = evaluatePrecise(e, variables, args, P);
      if (Number.isFinite(p.radius) && !(p.radius >= best.radius)) best = p;
      else if (Number.isNaN(p.value) && !Number.isFinite(best.radius)) best = { value: NaN, radius: Infinity };
      if (best.radius <= Math.max(REL * Math.abs(best.value), absTol)) break;
    }
    out[0] = best.radius;
    return best.value;
  }) as AccurateEvaluator;
  fn.precisePoints = () => precise;
  return fn;
}

/** One-variable convenience: value and proven error bound. */
export function accurateValue1(e: Expr, variable: string): (x: number, absTol?: number) => BallValue {
  const f = accurateEvaluator(e, [variable]);
  const arg = new Float64Array(1);
  const out = new Float64Array(1);
  return (x, absTol) => {
    arg[0] = x;
    const value = f(arg, out, absTol);
    return { value, radius: out[0]! };
  };
}

/**
 * A drop-in for compileFunction where values are measured against: f of the variables (in
 * the order given) within max(REL·|f|, absTol) of the real formula, proven; NaN where the
 * formula is undefined. `lastRadius()` is the proven error bound of the last value.
 */
export function accurateFunction(e: Expr, variables: string[],
  absTol = 0): ((...args: number[]) => number) & { lastRadius(): number } {
  const f = accurateEvaluator(e, variables);
  const out = new Float64Array(1);
  const g = ((...args: number[]) => f(args, out, absTol)) as ((...args: number[]) => number) & { lastRadius(): number };
  g.lastRadius = () => out[0]!;
  return g;
}

/**
 * The subtraction (or addition of opposite signs) whose float64 result is least accurate
 * relative to its size at the point — the one that cancels — or null when none loses more
 * than half the digits.
 */
export function cancellingSubexpression(e: Expr, variables: string[], args: ArrayLike<number>): Expr | null {
  let worst: Expr | null = null;
  let worstRatio = 2 ** -26;
  const out = new Float64Array(1);
  const visit = (n: Expr): void => {
    if (n.op === 'add' || n.op === 'sub') {
      const v = compileBall(n, variables)(args, out);
      const ratio = out[0]! / Math.abs(v);
      if (!(ratio <= worstRatio)) { worst = n; worstRatio = Number.isNaN(ratio) ? Infinity : ratio; }
    }
    if (n.op === 'neg' || n.op === 'call') visit(n.arg);
    else if (n.op !== 'const' && n.op !== 'var') { visit(n.a); visit(n.b); }
  };
  visit(e);
  return worst;
}
