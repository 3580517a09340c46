import type { ErrorSymbols } from './errorform.ts';
import { type Dtype, UNDERFLOW_LOSS } from './floatformat.ts';

/**
 * The rules that bound the rounding of one row y = Σ_c w_c·x_c + b of a dense layer, as
 * net/rounding.ts applies them. Each states what it proves; test/net/roundingrules.test.ts
 * checks each against float32 arithmetic itself.
 */

/**
 * γ_k = k·u / (1 − k·u) (Higham, Accuracy and Stability of Numerical Algorithms, Lemma 3.1):
 * a value that passes k roundings, each a factor 1 + δ with |δ| ≤ u, is off by a factor
 * 1 + θ with |θ| ≤ γ_k.
 */
export function gamma(k: number, u: number): number {
  return (k * u) / (1 - k * u);
}

/**
 * k of the γ_k rule for one row. Summing n terms in any order passes each term through at
 * most n − 1 additions (Higham §3.1: |fl(Σ t_i) − Σ t_i| ≤ γ_{n−1} Σ|t_i|); a product whose
 * weight is not ±2^k adds one rounding (fl(w·x) = w·x·(1 + δ)). The terms are the products
 * and a nonzero bias. k = 0 (one exact product, no bias: a carry relu(±x)) rounds nowhere.
 */
export function roundingsPerTerm(fanIn: number, bias: number, inexact: boolean): number {
  const terms = fanIn + (Math.abs(bias) !== 0 ? 1 : 0);
  return terms - 1 + (inexact ? 1 : 0);
}

/**
 * |w| = 2^k for an integer k in float32's normal range, so that w·x is exact unless it over-
 * or underflows: multiplying by a power of two only changes the exponent.
 */
export function isPowerOfTwo(w: number): boolean {
  const a = Math.abs(w);
  if (a === 0 || a < 2 ** -126 || a > 2 ** 127) return false;
  const e = Math.log2(a);
  return Number.isInteger(e) && 2 ** e === a;
}

/** What the one-sign rule needs to know of a row's computed terms. */
export interface TermSigns {
  /** Every computed product is ≥ 0 (resp. ≤ 0) over the box. */
  pos: boolean;
  neg: boolean;
  /** Σ|w|·max|x| + |b|: the bound on Σ|t_i| that always holds. */
  absSum: number;
  /** Σ|w|·(error of x): how far the computed inputs move the exact sum. */
  errDot: number;
  /** Σ|fl(w) − w|·max|x|: how far the stored weights move it. */
  inexactDot: number;
}

/**
 * The Σ|t_i| of the γ_k rule. When every computed term (products and stored bias) has one
 * sign, Σ|t̂_i| = |Σ t̂_i|: at most the largest |exact sum| over the box (the range
 * [pLo, pHi]) plus how far the computed inputs, stored weights and stored bias may move it,
 * times 1 + u for the rounding of the products. Else, and whenever it is smaller, absSum.
 */
export function termMagnitude(
  t: TermSigns, storedBias: number, biasRounding: number, pLo: number, pHi: number, u: number,
): number {
  const oneSign = (t.pos && storedBias >= 0) || (t.neg && storedBias <= 0);
  if (!oneSign) return t.absSum;
  const exactMag = Math.max(Math.abs(pLo), Math.abs(pHi));
  return Math.min(t.absSum, (1 + u) * (exactMag + t.errDot + t.inexactDot + biasRounding));
}

/**
 * Sterbenz (Sterbenz 1974; Higham Thm 2.5: a − b is exact for b/2 ≤ a ≤ 2b): relu(y + β) with
 * one exact product y (weight ±2^k, stored exactly), a stored bias β < 0 and y ≤ −2β is
 * computed without rounding. Where y ≥ −β/2 the sum y − |β| is exact; where y < −β/2 the sum
 * is negative, and rounding (monotone, 0 representable) keeps it ≤ 0, so the ReLU gives 0.
 * `yMax` is the largest computed product over the box.
 */
export function sterbenzExact(
  relu: boolean, fanIn: number, exactProducts: boolean, storedBias: number, yMax: number,
): boolean {
  return relu && fanIn === 1 && exactProducts && storedBias < 0 && yMax <= -2 * storedBias;
}

/**
 * Underflow, which the relative model (|δ| ≤ u) leaves out: each product may round below
 * the normal range and lose up to half the smallest subnormal. Sums do not: an addition
 * whose result is subnormal is exact.
 */
export function underflowLoss(fanIn: number, dtype: Dtype): number {
  return fanIn * UNDERFLOW_LOSS[dtype];
}

/**
 * Dead units: a ReLU whose computed input is ≤ 0 however rounded outputs exactly 0, as the
 * exact unit does; its error is 0. `pHi` bounds the exact input, `err` its computed error.
 */
export function isDead(relu: boolean, pHi: number, err: number): boolean {
  return relu && pHi + err <= 0;
}

/**
 * Mirrored rows. Rounding to nearest is symmetric (fl(−z) = −fl(z)), and a row w·x + b with
 * one product has one order of operations, so the row right after a row (w, b) on the same
 * column that reads (−w, −b) rounds to exactly the negative: relu(v), relu(−v) (as in |v|)
 * share one rounding symbol with opposite signs. A third row does not chain onto a pair.
 */
export class MirroredRows {
  private col = -1;
  private w = 0;
  private b = 0;
  private id = -1;

  constructor(private readonly symbols: ErrorSymbols) {}

  /**
   * The rounding symbol of a row with fanIn weights (the single one, w, in column col when
   * fanIn = 1), bias b, whose own rounding is at most mag: the previous row's symbol with
   * sign −1 when the row mirrors it, else a new symbol.
   */
  symbolFor(fanIn: number, col: number, w: number, b: number, mag: number): { fresh: number; sign: number } {
    if (fanIn === 1 && this.col === col && this.w === -w && this.b === -b) {
      this.symbols.widen(this.id, mag);
      this.col = -1;
      return { fresh: this.id, sign: -1 };
    }
    const fresh = this.symbols.add(mag);
    this.col = fanIn === 1 ? col : -1;
    this.w = w;
    this.b = b;
    this.id = fresh;
    return { fresh, sign: 1 };
  }
}
