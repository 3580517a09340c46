import type { Expr } from '../../src/expr/ast.ts';
import { compileDoubleDouble } from '../../src/expr/doubledouble.ts';
import { compileFunction1 } from '../../src/expr/evaluate.ts';
import { evaluatePrecise } from '../../src/expr/precise.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import type { Network } from '../../src/net/network.ts';
import { dyadic, exactOutputs, sub, toNumber } from '../net/exact.ts';

/** The largest error found, where, and for which evaluation of the network. */
export interface TrueError { error: number; at: number; evaluation: 'exact' | 'float64' }

/**
 * A lower bound of max |N − f| over [a, b] for a one-input network N, from evaluations that
 * are exact where the error can peak: at the doubles beside every breakpoint of N (for one
 * hidden layer each unit's −b/w; for a deeper network the caller's `breakpoints`), beside
 * every given kink of f and at the ends, and inside each piece between them at the maximizers
 * of the float64 error (golden-section search from the local maxima of 16 samples). There N is
 * evaluated in exact arithmetic (test/net/exact.ts) and in float64 (the runtime's value), f in
 * double-double ball arithmetic (50-digit decimal where that is not tight), and the ball's
 * radius is subtracted: each figure is a proven lower bound of a true error, so
 * `error > certified` is a certificate that does not hold.
 */
export function trueMaxError(net: Network, expr: Expr, variable: string, [a, b]: [number, number],
  kinks: readonly number[] = [], breakpoints: readonly number[] = networkBreakpoints(net)): TrueError {
  const truth = truthAt(expr, variable);
  const f64 = compileFunction1(expr, variable);
  const errorAt = (x: number): number => Math.abs(evaluate(net, [x])[0]! - f64(x));
  const points = new Set<number>();
  const cuts = [a, b, ...breakpoints, ...kinks].filter((x) => x >= a && x <= b).sort((p, q) => p - q);
  for (const x of cuts) for (const y of [nextDown(x), x, nextUp(x)]) if (y >= a && y <= b) points.add(y);
  for (let i = 0; i + 1 < cuts.length; i++) {
    if (cuts[i + 1]! > cuts[i]!) for (const x of peaks(errorAt, cuts[i]!, cuts[i + 1]!)) points.add(x);
  }
  let worst: TrueError = { error: 0, at: a, evaluation: 'exact' };
  for (const x of points) {
    const f = truth(x);
    const exact = Math.abs(toNumber(sub(exactOutputs(net, [x])[0]!, dyadic(f.value)))) - f.radius;
    const float = Math.abs(evaluate(net, [x])[0]! - f.value) - f.radius;
    if (exact > worst.error) worst = { error: exact, at: x, evaluation: 'exact' };
    if (float > worst.error) worst = { error: float, at: x, evaluation: 'float64' };
  }
  return worst;
}

/** f at a point with a proven radius: double-double, or 50-digit decimal where that is loose. */
function truthAt(expr: Expr, variable: string): (x: number) => { value: number; radius: number } {
  const dd = compileDoubleDouble(expr, [variable]);
  const out = new Float64Array(1);
  return (x) => {
    const value = dd([x], out);
    const radius = out[0]!;
    if (radius <= 2 ** -80 * Math.max(1, Math.abs(value))) return { value, radius };
    return evaluatePrecise(expr, [variable], [x], 50);
  };
}

/** The kinks −b/w of a one-input network's first hidden layer (the only hidden layer `approx` builds). */
function networkBreakpoints(net: Network): number[] {
  if (net.layers.length !== 2 || net.inputs.length !== 1) {
    throw new RangeError('trueMaxError needs one input and one hidden layer');
  }
  const first = net.layers[0]!;
  const out: number[] = [];
  for (let r = 0; r < first.outSize; r++) if (first.weights[r] !== 0) out.push(-first.bias[r]! / first.weights[r]!);
  return out;
}

/** The local maxima of g on [lo, hi]: each interior local maximum of 16 samples, refined by golden-section search. */
function peaks(g: (x: number) => number, lo: number, hi: number): number[] {
  const n = 16;
  const xs = Array.from({ length: n + 1 }, (_, j) => (j === n ? hi : lo + ((hi - lo) * j) / n));
  const gs = xs.map(g);
  const out: number[] = [];
  for (let j = 1; j < n; j++) {
    if (gs[j]! >= gs[j - 1]! && gs[j]! >= gs[j + 1]!) out.push(goldenMax(g, xs[j - 1]!, xs[j + 1]!));
  }
  return out;
}

function goldenMax(g: (x: number) => number, lo: number, hi: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let l = lo;
  let h = hi;
  for (let k = 0; k < 45 && h > l; k++) {
    const m1 = h - r * (h - l);
    const m2 = l + r * (h - l);
    if (g(m1) >= g(m2)) h = m2;
    else l = m1;
  }
  return l + (h - l) / 2;
}

const bits = new Float64Array(1);
const ints = new BigInt64Array(bits.buffer);

function step(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  bits[0] = x;
  ints[0] = ints[0]! + ((x > 0) === up ? 1n : -1n);
  return bits[0]!;
}
const nextUp = (x: number) => step(x, true);
const nextDown = (x: number) => step(x, false);
