import type { Expr } from './ast.ts';
import { compileBall, type BallValue } from './ball.ts';
import { evaluatePrecise } from './precise.ts';

/**
 * f at a point with a proven bound of the error against the real-valued formula (the truth;
 * its constants are the doubles they are read as). float64 with a running error bound
 * (ball.ts) where that bound is within `REL`·|f| or the caller's absolute tolerance; else
 * decimal ball arithmetic (precise.ts) at 40, 70, then 100 digits. Where no bound is found
 * (the formula undefined at the point, or a ball reaching a pole), the value is NaN when
 * decimal says undefined, and the radius is Infinity.
 */
export interface AccurateEvaluator {
  /** Value at the point; out[0] receives the proven bound of |value − f(point)|. */
  (args: ArrayLike<number>, out: Float64Array, absTol?: number): number;
  /** Points that needed decimal arithmetic so far. */
  precisePoints(): number;
}

/** float64 is accepted when its proven error is at most this fraction of |f|. */
export const REL = 2 ** -44;
const DIGITS = [40, 70, 100];

export function accurateEvaluator(e: Expr, variables: string[]): AccurateEvaluator {
  const ball = compileBall(e, variables);
  let precise = 0;
  const fn = ((args: ArrayLike<number>, out: Float64Array, absTol = 0): number => {
    const v = ball(args, out);
    const r = out[0]!;
    if (r <= Math.max(REL * Math.abs(v), absTol)) return v;
    precise++;
    let best: BallValue = { value: v, radius: Number.isFinite(r) ? r : Infinity };
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
