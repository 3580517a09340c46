import type { Network } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';
import { gamma as gammaK } from '../net/roundingrules.ts';

/**
 * Linear bounds of a ReLU network over an input box by back-substitution (CROWN: Zhang et
 * al., "Efficient Neural Network Robustness Certification with General Activation
 * Functions", NeurIPS 2018; DeepPoly: Singh et al., "An Abstract Domain for Certifying
 * Neural Networks", POPL 2019). Each ReLU with pre-activation z ∈ [l, u] is replaced by a
 * line above it (the chord s·(z − l), s = u/(u − l)) and one below it (α·z, α ∈ [0, 1]); the
 * output's coefficient on each unit picks the side, and the relaxed layers are substituted
 * back to the inputs, giving N(x) ≤ Λ·x + c + ε (or ≥) on the whole box.
 *
 * Soundness in float64 (rigorous slack): the back-substitution uses the computed floats Λ̂
 * themselves as the multipliers, so the only gap to exact arithmetic is each step's own
 * rounding, charged into ε: a product λ·s is off by ≤ u|λ·s| (times the width of z), a dot
 * product of n terms by ≤ γ_{n+2}·Σ|terms| (Higham, Accuracy and Stability of Numerical
 * Algorithms, §3.1), each times the largest magnitude the multiplied value takes on the box.
 * The bound is for the network in exact real arithmetic (its float evaluation: rounding.ts).
 */

/** Unit roundoff of float64. */
const U = UNIT_ROUNDOFF.float64;
/** γ_n = n·u/(1 − n·u), with two extra operations of headroom. */
export const gamma = (n: number): number => gammaK(n + 2, U);
/** Added to every slack: products may underflow to subnormals (absolute error ≤ 2^-1074 each). */
const TINY = 1e-300;

/** Pre-activation bounds of every hidden layer (interval, tightened by back-substitution). */
export interface LayerBounds { zLo: Float64Array[]; zHi: Float64Array[] }

/** Lower-slope rule of unstable ReLUs: CROWN's adaptive (1 if u > −l, else 0), 0, 1, or the chord slope. */
export type SlopeRule = 'adaptive' | 'zero' | 'one' | 'chord';

/** Linear functions of the inputs, row-major m × n0, with constants and rounding slack. */
export interface LinearForm { coef: Float64Array; c: Float64Array; eps: Float64Array; rows: number }

function lowerSlope(rule: SlopeRule, l: number, u: number): number {
  if (rule === 'zero') return 0;
  if (rule === 'one') return 1;
  if (rule === 'chord') return Math.min(1, chordSlope(l, u));
  return u > -l ? 1 : 0;
}

/** s ≥ u/(u − l) exactly (rounded up by 4 ulps), so s·(z − l) ≥ relu(z) on [l, u]. */
function chordSlope(l: number, u: number): number {
  return (u / (u - l)) * (1 + 4 * U);
}

/**
 * Substitutes objective rows over z_k (pre-activations of layer k) back to the inputs.
 * `rows` (m × outSize_k) with constants `c0`; requires bounds of hidden layers < k.
 * Returns an upper bound form: Σ rows·z_k + c0 ≤ coef·x + c + eps on the box.
 */
export function backSubstitute(net: Network, k: number, rows: Float64Array, c0: Float64Array, bounds: LayerBounds,
  xMax: Float64Array, rule: SlopeRule): LinearForm {
  const m = c0.length;
  const layer = net.layers[k]!;
  let width = layer.outSize;
  let lam = rows;
  const c = Float64Array.from(c0);
  const eps = new Float64Array(m);
  for (let i = k; i >= 0; i--) {
    const L = net.layers[i]!;
    // A linear hidden layer (h = z) passes its coefficients through unchanged.
    if (i < k && L.activation === 'relu') lam = relax(lam, m, width, bounds.zLo[i]!, bounds.zHi[i]!, c, eps, rule);
    // lam (m × outSize_i) over z_i = W_i·h_{i−1} + b_i: substitute.
    const inSize = L.inSize;
    const hMax = i === 0 ? xMax : magnitudes(net, i - 1, bounds);
    const next = new Float64Array(m * inSize);
    for (let r = 0; r < m; r++) {
      const abs = new Float64Array(inSize);
      let cs = 0, cAbs = Math.abs(c[r]!);
      for (let j = 0; j < L.outSize; j++) {
        const mu = lam[r * L.outSize + j]!;
        if (mu === 0) continue;
        const wo = j * inSize;
        for (let t = 0; t < inSize; t++) {
          const w = L.weights[wo + t]!;
          next[r * inSize + t]! += mu * w;
          abs[t]! += Math.abs(mu * w);
        }
        cs += mu * L.bias[j]!;
        cAbs += Math.abs(mu * L.bias[j]!);
      }
      const g = gamma(L.outSize);
      let e = g * cAbs;
      for (let t = 0; t < inSize; t++) e += g * abs[t]! * hMax[t]!;
      c[r] = c[r]! + cs;
      eps[r] = eps[r]! + e + TINY;
    }
    lam = next;
    width = inSize;
  }
  return { coef: lam, c, eps, rows: m };
}

/** Largest |h| of hidden layer i's outputs on the box: relu(z) ≤ max(0, z_hi); a linear layer's |z|. */
function magnitudes(net: Network, i: number, bounds: LayerBounds): Float64Array {
  const lo = bounds.zLo[i]!, hi = bounds.zHi[i]!;
  if (net.layers[i]!.activation === 'relu') return hi.map((v) => Math.max(0, v));
  return hi.map((v, j) => Math.max(Math.abs(v), Math.abs(lo[j]!)));
}

/**
 * Replaces the ReLU layer's outputs h = relu(z) by lines in z, by the sign of each
 * coefficient (upper chord for λ ≥ 0, lower α·z for λ < 0). Adds constants to c and the
 * products' rounding to eps; returns the coefficients on z.
 */
function relax(lam: Float64Array, m: number, n: number, zLo: Float64Array, zHi: Float64Array, c: Float64Array,
  eps: Float64Array, rule: SlopeRule): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let cs = 0, cAbs = 0, e = 0;
    for (let j = 0; j < n; j++) {
      const lambda = lam[r * n + j]!;
      if (lambda === 0) continue;
      const l = zLo[j]!, u = zHi[j]!;
      if (u <= 0) continue;
      if (l >= 0) { out[r * n + j] = lambda; continue; }
      if (lambda > 0) {
        const mu = lambda * chordSlope(l, u);
        out[r * n + j] = mu;
        cs -= mu * l;
        cAbs += Math.abs(mu * l);
        e += U * 2 * Math.abs(mu) * (u - l);
      } else {
        const alpha = lowerSlope(rule, l, u);
        const mu = lambda * alpha;
        out[r * n + j] = mu;
        e += U * 2 * Math.abs(mu) * Math.max(-l, u);
      }
    }
    c[r] = c[r]! + cs;
    eps[r] = eps[r]! + e + gamma(n) * (cAbs + Math.abs(c[r]!)) + TINY;
  }
  return out;
}

/**
 * Sound upper bound of max over the box of a·x + c + eps for each row (rounding of the
 * concretization charged), with the maximizing corner of row 0.
 */
export function concretizeUpper(
  form: LinearForm, lo: ArrayLike<number>, hi: ArrayLike<number>,
): { bound: Float64Array; corner: Float64Array } {
  const n = lo.length;
  const bound = new Float64Array(form.rows);
  const corner = new Float64Array(n);
  for (let r = 0; r < form.rows; r++) {
    let s = form.c[r]!, mag = Math.abs(form.c[r]!);
    for (let i = 0; i < n; i++) {
      const a = form.coef[r * n + i]!;
      const v = a >= 0 ? a * hi[i]! : a * lo[i]!;
      if (r === 0) corner[i] = a >= 0 ? hi[i]! : lo[i]!;
      s += v;
      mag += Math.abs(v);
    }
    bound[r] = s + form.eps[r]! * (1 + 1e-9) + gamma(n + 1) * mag + TINY;
  }
  return { bound, corner };
}
