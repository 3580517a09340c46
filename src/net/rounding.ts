import type { Network } from './network.ts';

/**
 * Interval bounds of every layer's outputs over an input box, by exact interval propagation
 * through the affine maps (positive/negative parts of W) and ReLU. Widened by a relative
 * 1e-12 to cover the rounding of the propagation itself.
 */
export function layerRanges(net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>): { lo: Float64Array; hi: Float64Array }[] {
  let curLo = Float64Array.from(lo);
  let curHi = Float64Array.from(hi);
  const out: { lo: Float64Array; hi: Float64Array }[] = [];
  for (const layer of net.layers) {
    const nLo = new Float64Array(layer.outSize);
    const nHi = new Float64Array(layer.outSize);
    for (let r = 0; r < layer.outSize; r++) {
      let a = layer.bias[r]!;
      let b = layer.bias[r]!;
      let mag = Math.abs(layer.bias[r]!);
      for (let c = 0; c < layer.inSize; c++) {
        const w = layer.weights[r * layer.inSize + c]!;
        if (w === 0) continue;
        if (w > 0) {
          a += w * curLo[c]!;
          b += w * curHi[c]!;
        } else {
          a += w * curHi[c]!;
          b += w * curLo[c]!;
        }
        mag += Math.abs(w) * Math.max(Math.abs(curLo[c]!), Math.abs(curHi[c]!));
      }
      const slack = 1e-12 * mag + 1e-300;
      a -= slack;
      b += slack;
      if (layer.activation === 'relu') {
        a = Math.max(0, a);
        b = Math.max(0, b);
      }
      nLo[r] = a;
      nHi[r] = b;
    }
    out.push({ lo: nLo, hi: nHi });
    curLo = nLo;
    curHi = nHi;
  }
  return out;
}

/** Unit roundoff of each dtype. */
export const UNIT_ROUNDOFF = { float64: 2 ** -53, float32: 2 ** -24 } as const;

function gamma(k: number, u: number): number {
  return (k * u) / (1 - k * u);
}

/**
 * A proven bound on |evaluate(net, x, dtype) − exact real-arithmetic net(x)| for every x in
 * the box [lo, hi], for any order of summation inside each dot product (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1: |fl(Σ t_i) − Σ t_i| ≤ γ_{k−1} Σ|t_i|), including
 * the rounding of weights and of the inputs themselves to the dtype.
 *
 * Error propagation per layer (δ = error of the layer's input, X = bound of |input|):
 *   |ŝ − s| ≤ Σ|w|δ + u_w Σ|w|(X+δ) + γ_{k+1}(1+u_w)(Σ|w|(X+δ) + |b|) + u_w|b|,
 * and ReLU is 1-Lipschitz. u_w = 0 for float64 (weights are exact), u for float32.
 * Returns the bound per output.
 */
export function roundingErrorBound(
  net: Network,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  dtype: 'float64' | 'float32',
): Float64Array {
  const u = UNIT_ROUNDOFF[dtype];
  const uw = dtype === 'float32' ? u : 0;
  const ranges = layerRanges(net, lo, hi);
  let mag = Float64Array.from({ length: lo.length }, (_, i) => Math.max(Math.abs(lo[i]!), Math.abs(hi[i]!)));
  // Inputs are rounded to the dtype before the first layer (exact for float64 callers).
  let delta = Float64Array.from(mag, (m) => (dtype === 'float32' ? u * m : 0));
  net.layers.forEach((layer, li) => {
    const next = new Float64Array(layer.outSize);
    for (let r = 0; r < layer.outSize; r++) {
      let prop = 0;
      let absDot = 0;
      let terms = 0;
      for (let c = 0; c < layer.inSize; c++) {
        const w = Math.abs(layer.weights[r * layer.inSize + c]!);
        if (w === 0) continue;
        terms++;
        prop += w * delta[c]!;
        absDot += w * (mag[c]! + delta[c]!);
      }
      const b = Math.abs(layer.bias[r]!);
      const k = terms + (b !== 0 ? 1 : 0);
      const g = gamma(Math.max(k, 1), u);
      next[r] = (prop + uw * absDot + g * (1 + uw) * (absDot + b) + uw * b) * (1 + 1e-9);
    }
    const range = ranges[li]!;
    mag = Float64Array.from({ length: layer.outSize }, (_, r) => Math.max(Math.abs(range.lo[r]!), Math.abs(range.hi[r]!)));
    delta = next;
  });
  return delta;
}
