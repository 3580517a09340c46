import type { Network } from '../net/network.ts';
import { backSubstitute, concretizeUpper, gamma, type LayerBounds, type LinearForm, type SlopeRule } from './linear.ts';

/**
 * Bounds of a ReLU network over an input box: pre-activation bounds of every hidden layer
 * (interval propagation first, then back-substitution for the units intervals leave
 * unstable, the tighter of the two kept), and linear upper and lower bounds of the output
 * in the inputs. Sound for the exact-arithmetic network (rounding charged, see linear.ts).
 */

export interface NetworkBounds {
  layers: LayerBounds;
  /** Output ≤ upper[k].coef·x + c + eps, one form per slope rule tried. */
  upper: LinearForm[];
  /** −output ≤ lowerNeg[k].coef·x + c + eps. */
  lowerNeg: LinearForm[];
  /** Interval enclosure of the output (tightest of interval and linear bounds). */
  outLo: number;
  outHi: number;
}

/** Slope rules tried for the output bounds: the best of several sound choices per bound (a coarse α-CROWN). */
export const OUTPUT_RULES: readonly SlopeRule[] = ['adaptive', 'zero', 'one'];

/** Interval bounds of z = W·h + b for h in [hLo, hHi], widened by the rounding of the sums. */
function intervalLayer(
  net: Network, k: number, hLo: ArrayLike<number>, hHi: ArrayLike<number>,
): { lo: Float64Array; hi: Float64Array } {
  const L = net.layers[k]!;
  const lo = new Float64Array(L.outSize);
  const hi = new Float64Array(L.outSize);
  const g = gamma(L.inSize);
  for (let r = 0; r < L.outSize; r++) {
    let a = L.bias[r]!, b = a, mag = Math.abs(a);
    for (let c = 0; c < L.inSize; c++) {
      const w = L.weights[r * L.inSize + c]!;
      if (w === 0) continue;
      const p = w * hLo[c]!, q = w * hHi[c]!;
      if (p < q) { a += p; b += q; } else { a += q; b += p; }
      mag += Math.max(Math.abs(p), Math.abs(q));
    }
    const slack = g * mag * (1 + 1e-9) + 1e-300;
    lo[r] = a - slack;
    hi[r] = b + slack;
  }
  return { lo, hi };
}

/** Rows of W_k for the given units (negated for lower bounds), with their biases. */
function objective(net: Network, k: number, units: number[], sign: 1 | -1): { rows: Float64Array; c0: Float64Array } {
  const L = net.layers[k]!;
  const rows = new Float64Array(units.length * L.outSize);
  const c0 = new Float64Array(units.length);
  units.forEach((u, r) => {
    rows[r * L.outSize + u] = sign;
    c0[r] = 0;
  });
  return { rows, c0 };
}

export function networkBounds(net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>): NetworkBounds {
  const xMax = Float64Array.from(lo, (l, i) => Math.max(Math.abs(l), Math.abs(hi[i]!)));
  const layers: LayerBounds = { zLo: [], zHi: [] };
  let hLo: ArrayLike<number> = lo, hHi: ArrayLike<number> = hi;
  const last = net.layers.length - 1;
  for (let k = 0; k < last; k++) {
    const iv = intervalLayer(net, k, hLo, hHi);
    if (k > 0) tighten(net, k, iv, layers, lo, hi, xMax);
    layers.zLo.push(iv.lo);
    layers.zHi.push(iv.hi);
    const relu = net.layers[k]!.activation === 'relu';
    hLo = relu ? iv.lo.map((v) => Math.max(0, v)) : iv.lo;
    hHi = relu ? iv.hi.map((v) => Math.max(0, v)) : iv.hi;
  }
  const iv = intervalLayer(net, last, hLo, hHi);
  const upper: LinearForm[] = [], lowerNeg: LinearForm[] = [];
  let outLo = iv.lo[0]!, outHi = iv.hi[0]!;
  for (const rule of OUTPUT_RULES) {
    const up = objective(net, last, [0], 1);
    const dn = objective(net, last, [0], -1);
    const fu = backSubstitute(net, last, up.rows, up.c0, layers, xMax, rule);
    const fl = backSubstitute(net, last, dn.rows, dn.c0, layers, xMax, rule);
    upper.push(fu);
    lowerNeg.push(fl);
    outHi = Math.min(outHi, concretizeUpper(fu, lo, hi).bound[0]!);
    outLo = Math.max(outLo, -concretizeUpper(fl, lo, hi).bound[0]!);
  }
  return { layers, upper, lowerNeg, outLo, outHi };
}

/** Back-substitution bounds for the units of layer k that intervals leave unstable. */
function tighten(net: Network, k: number, iv: { lo: Float64Array; hi: Float64Array }, layers: LayerBounds,
  lo: ArrayLike<number>, hi: ArrayLike<number>, xMax: Float64Array): void {
  const unstable: number[] = [];
  // Units a ReLU may cut (all units of a linear hidden layer: their bounds feed the next layer).
  const relu = net.layers[k]!.activation === 'relu';
  for (let j = 0; j < iv.lo.length; j++) if (!relu || (iv.lo[j]! < 0 && iv.hi[j]! > 0)) unstable.push(j);
  if (unstable.length === 0) return;
  for (const sign of [1, -1] as const) {
    const { rows, c0 } = objective(net, k, unstable, sign);
    const form = backSubstitute(net, k, rows, c0, layers, xMax, 'adaptive');
    const b = concretizeUpper(form, lo, hi).bound;
    unstable.forEach((j, r) => {
      if (sign === 1) iv.hi[j] = Math.min(iv.hi[j]!, b[r]!);
      else iv.lo[j] = Math.max(iv.lo[j]!, -b[r]!);
    });
  }
}
