import type { LayerState } from './errorform.ts';
import type { DenseLayer } from './network.ts';
import { isPowerOfTwo, type TermSigns } from './roundingrules.ts';

/**
 * What one pass over a row y = Σ_c w_c·x_c + b learns about it, given what the analysis knows
 * of its inputs x (exact ranges and error bounds): the facts the rounding rules of
 * net/roundingrules.ts take.
 */
export interface RowStats extends TermSigns {
  /** The row's largest weight (the first of equal ones), 0 for an empty row. */
  alpha: number;
  /** The column of alpha. */
  firstCol: number;
  /** Nonzero weights. */
  fanIn: number;
  /** Some weight is not ±2^k, so its product rounds. */
  inexact: boolean;
  /** Range of the exact sum by interval arithmetic (before any slack). */
  pLo: number;
  pHi: number;
  /** The last computed product's larger end (the product's when fanIn = 1). */
  yMax: number;
}

/**
 * One pass over row r of `layer`. `uw` is the unit roundoff of the stored weights (0 when
 * weights are float64 as given): a weight float32 holds exactly is not rounded when stored,
 * else by exactly |fround(w) − w|, subnormals included.
 */
export function rowStatistics(layer: DenseLayer, r: number, input: LayerState, uw: number): RowStats {
  const row = r * layer.inSize;
  const { lo, hi, errMag } = input;
  const relu = input.units.relu;
  let alpha = 0, firstCol = -1, fanIn = 0, inexact = false, yMax = -Infinity, pos = true, neg = true;
  let pLo = layer.bias[r]!, pHi = layer.bias[r]!, absSum = 0, errDot = 0, inexactDot = 0;
  for (let c = 0; c < layer.inSize; c++) {
    const w = layer.weights[row + c]!;
    if (w === 0) continue;
    const xMag = Math.max(Math.abs(lo[c]!), Math.abs(hi[c]!)) + errMag[c]!;
    if (!isPowerOfTwo(w)) inexact = true;
    if (uw > 0) inexactDot += Math.abs(Math.fround(w) - w) * xMag;
    if (Math.abs(w) > Math.abs(alpha)) { alpha = w; firstCol = c; }
    fanIn++;
    absSum += Math.abs(w) * xMag;
    errDot += Math.abs(w) * errMag[c]!;
    // The computed input lies within its error of the exact range (and is ≥ 0 after a ReLU).
    const xl = relu ? Math.max(0, lo[c]! - errMag[c]!) : lo[c]! - errMag[c]!;
    const xh = hi[c]! + errMag[c]!;
    const wr = uw > 0 ? Math.fround(w) : w; // the weight as stored
    yMax = Math.max(wr * xl, wr * xh);
    // Whether every computed product has one sign (ReLU outputs are ≥ 0 however rounded).
    if (!(wr * xl >= 0 && wr * xh >= 0)) pos = false;
    if (!(wr * xl <= 0 && wr * xh <= 0)) neg = false;
    if (w > 0) { pLo += w * lo[c]!; pHi += w * hi[c]!; } else { pLo += w * hi[c]!; pHi += w * lo[c]!; }
  }
  absSum += Math.abs(layer.bias[r]!);
  return { alpha, firstCol, fanIn, inexact, pLo, pHi, yMax, pos, neg, absSum, errDot, inexactDot };
}
