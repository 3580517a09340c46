import { denseLayer, type Network } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/rounding.ts';
import { checkPwl, nameList } from '../validate.ts';

/** A continuous piecewise-linear function: knots x[0] < … < x[n], values y[0..n]. */
export interface Pwl {
  x: Float64Array;
  y: Float64Array;
}

/** Segments = ReLUs of the network. */
export const segmentCount = (p: Pwl): number => p.x.length - 1;

/** Index of the segment holding t (clamped to the first/last segment). */
export function segmentOf(p: Pwl, t: number): number {
  const { x } = p;
  let lo = 0;
  let hi = x.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The value on segment i at t, by interpolation between its ends. */
export function evalOnSegment(p: Pwl, i: number, t: number): number {
  const x0 = p.x[i]!;
  const x1 = p.x[i + 1]!;
  const s = (t - x0) / (x1 - x0);
  return p.y[i]! + s * (p.y[i + 1]! - p.y[i]!);
}

export function evalPwl(p: Pwl, t: number): number {
  return evalOnSegment(p, segmentOf(p, t), t);
}

/**
 * The ReLU form of p (docs/DESIGN.md §1), the one formula every PWL-to-ReLU construction uses:
 *   y = y0 + s0·relu(x − k0) + Σ_{i≥1} (s_i − s_{i−1})·relu(x − k_i),
 * one unit per segment: knot k_i (the unit's bias is −k_i) and output weight s_i − s_{i−1}
 * (the change of slope, s_i = (y_{i+1} − y_i)/(x_{i+1} − x_i) in float64), constant y0.
 */
export function reluForm(p: Pwl): { knots: Float64Array; weights: Float64Array; constant: number } {
  const n = segmentCount(p);
  const weights = new Float64Array(n);
  let prevSlope = 0;
  for (let i = 0; i < n; i++) {
    const slope = (p.y[i + 1]! - p.y[i]!) / (p.x[i + 1]! - p.x[i]!);
    weights[i] = slope - prevSlope;
    prevSlope = slope;
  }
  return { knots: p.x.subarray(0, n), weights, constant: p.y[0]! };
}

/**
 * The one-hidden-layer ReLU network of reluForm: inside [k0, kn] it equals the PWL; left of
 * k0 it is the constant y0; right of kn it continues the last segment's line.
 */
export function pwlToNetwork(p: Pwl, input = 'x', output = 'y'): Network {
  checkPwl(p);
  nameList([input, output], 'names');
  const { knots, weights, constant } = reluForm(p);
  const n = weights.length;
  const w1 = new Float64Array(n).fill(1);
  const b1 = knots.map((k) => -k);
  return {
    inputs: [input],
    outputs: [output],
    layers: [denseLayer('relu', 1, n, w1, b1), denseLayer('linear', n, 1, weights, [constant])],
  };
}

/**
 * Bound on how far the real-arithmetic function of `pwlToNetwork(p)` can be from p itself:
 * slopes and slope changes are rounded when the weights are formed. With u = 2^-53,
 * slope s_i = fl(fl(Δy_i)/h_i) has |s_i·h_i − Δy_i| ≤ 3u|Δy_i| (to first order), and the
 * rounding of w_i = fl(s_i − s_{i−1}) moves the output by at most u|w_i|·(x − k_i) beyond k_i.
 */
export function networkDriftBound(p: Pwl): number {
  const u = UNIT_ROUNDOFF.float64;
  const n = segmentCount(p);
  const end = p.x[n]!;
  const { weights } = reluForm(p);
  let drift = 0;
  for (let i = 0; i < n; i++) {
    const dy = Math.abs(p.y[i + 1]! - p.y[i]!);
    drift += 3.01 * u * dy + 1.01 * u * Math.abs(weights[i]!) * (end - p.x[i]!);
  }
  return drift;
}

/**
 * Bound on how far the real-arithmetic function of the clamp form of p (approx/clampform.ts)
 * can be from p:
 * h_i and s_i are rounded when formed (|s_i·h_i − Δy_i| ≤ 3u|Δy_i|, the kink at k_i + h_i
 * moves by ≤ u·h_i, the slope by ≤ 3u|s_i|), so the sum over segments of 7.1·u·|Δy_i| covers it.
 */
export function clampDriftBound(p: Pwl): number {
  const u = UNIT_ROUNDOFF.float64;
  let drift = 0;
  for (let i = 0; i < segmentCount(p); i++) drift += 7.1 * u * Math.abs(p.y[i + 1]! - p.y[i]!);
  return drift;
}
