import { type ErrForm, type ErrorSymbols, FormBuilder, type Group, type Units } from './errorform.ts';
import type { DenseLayer } from './network.ts';

/** Above this many units of one group in a row, each unit's own rounding goes to the lump. */
const WIDE_SUM = 4096;

/**
 * Error form of v = Σ_c (w_c/alpha)·x_c for one row of a layer: terms grouped by the previous
 * layer's scalar groups (in the order each group first appears in the row, columns in order),
 * each group's contribution bounded through the slope range of its PWL
 * (P(v̂) − P(v) ∈ [min slope, max slope]·(v̂ − v)), and each unit's own rounding δ_i entering
 * as c_i·λ_i·δ_i with λ_i ∈ [0, 1] for a ReLU (monotone and 1-Lipschitz). One combiner per
 * layer: its scratch arrays are reused row after row (millions of rows in a float32 analysis).
 */
export class RowCombiner {
  private readonly cols: Int32Array;
  private readonly coef: Float64Array;
  private readonly bucketOf: Int32Array;
  private readonly start: Int32Array;
  private readonly order: Int32Array;
  private readonly next: Int32Array;
  private readonly slopes: SlopeScratch;

  constructor(
    private readonly layer: DenseLayer, private readonly units: Units, private readonly groups: Group[],
    private readonly symbols: ErrorSymbols,
  ) {
    const n = layer.inSize;
    this.cols = new Int32Array(n);
    this.coef = new Float64Array(n);
    this.bucketOf = new Int32Array(groups.length).fill(-1);
    this.start = new Int32Array(n + 1);
    this.order = new Int32Array(n);
    this.next = new Int32Array(n + 1);
    this.slopes = { bps: new Float64Array(n), dS: new Float64Array(n) };
  }

  /** The error form of row r divided by alpha. */
  row(r: number, alpha: number): ErrForm {
    const { layer, units, groups, cols, coef } = this;
    const acc = new FormBuilder(this.symbols);
    const buckets = this.bucketColumns(r);
    const base = r * layer.inSize;
    for (let b = 0; b < buckets; b++) {
      const from = this.start[b]!;
      const to = this.start[b + 1]!;
      for (let k = from; k < to; k++) coef[k] = layer.weights[base + cols[k]!]! / alpha;
      const g = groups[units.group[cols[from]!]!]!;
      const [sLo, sHi] = slopeRange(cols, coef, from, to, units, g.vLo - g.errMag, g.vHi + g.errMag, this.slopes);
      addScaled(acc, g.err, sLo, sHi);
      addOwnRoundings(acc, cols, coef, from, to, units, this.symbols.magnitudes);
    }
    return acc.finish();
  }

  /**
   * Fills `cols` with row r's nonzero columns bucketed by group (a stable counting sort:
   * buckets in order of first appearance, columns in order); start[b] is bucket b's first
   * index. Returns the number of buckets.
   */
  private bucketColumns(r: number): number {
    const { layer, units, bucketOf, start, order, next } = this;
    const base = r * layer.inSize;
    const count = start;
    let buckets = 0;
    let m = 0;
    for (let c = 0; c < layer.inSize; c++) {
      if (layer.weights[base + c] === 0) continue;
      const g = units.group[c]!;
      if (bucketOf[g]! < 0) { bucketOf[g] = buckets; count[++buckets] = 0; }
      count[bucketOf[g]! + 1]!++;
      order[m++] = c;
    }
    start[0] = 0;
    for (let b = 1; b <= buckets; b++) start[b] = start[b]! + start[b - 1]!;
    next.set(start.subarray(0, buckets));
    for (let k = 0; k < m; k++) {
      const c = order[k]!;
      this.cols[next[bucketOf[units.group[c]!]!]!++] = c;
    }
    for (let k = 0; k < m; k++) bucketOf[units.group[order[k]!]!] = -1;
    return buckets;
  }
}

/** acc += s·e for a scale s ∈ [sLo, sHi] (interval products of the coefficients). */
function addScaled(acc: FormBuilder, e: ErrForm, sLo: number, sHi: number): void {
  const sm = Math.max(Math.abs(sLo), Math.abs(sHi));
  acc.lump += sm * e.lump;
  for (let j = 0; j < e.ids.length; j++) {
    const a = e.lo[j]!;
    const b = e.hi[j]!;
    const lo2 = Math.min(a * sLo, a * sHi, b * sLo, b * sHi);
    const hi2 = Math.max(a * sLo, a * sHi, b * sLo, b * sHi);
    acc.add(e.ids[j]!, lo2, hi2);
  }
}

/** acc += Σ c_k·λ_k·δ_k over the units' own roundings (λ ∈ [0, 1] for ReLUs, 1 otherwise), k in [from, to). */
function addOwnRoundings(
  acc: FormBuilder, cols: Int32Array, coef: Float64Array, from: number, to: number, units: Units, symMag: number[],
): void {
  for (let k = from; k < to; k++) {
    const fresh = units.fresh[cols[k]!]!;
    if (fresh < 0 || units.dead[cols[k]!]) continue;
    const c = coef[k]! * units.freshSign[cols[k]!]!;
    // Wide sums: fold each unit's own rounding into the absolute lump (always sound).
    if (to - from > WIDE_SUM) { acc.lump += Math.abs(c) * symMag[fresh]!; continue; }
    if (units.relu) acc.add(fresh, Math.min(0, c), Math.max(0, c));
    else acc.add(fresh, c, c);
  }
}

/** Scratch for slopeRange: breakpoints and slope changes. */
interface SlopeScratch { bps: Float64Array; dS: Float64Array }

/**
 * Range of the slope of Σ c·relu(α v + b) (or c·(α v + b) for linear units) over v ∈ [lo, hi],
 * the sum over columns cols[from..to) with coefficients coef[from..to).
 */
function slopeRange(
  cols: Int32Array, coef: Float64Array, from: number, to: number, units: Units, lo: number, hi: number,
  { bps, dS }: SlopeScratch,
): [number, number] {
  let base = 0;
  let m = 0;
  for (let k = from; k < to; k++) {
    const col = cols[k]!;
    const a = units.alpha[col]!;
    const s = coef[k]! * a;
    if (!units.relu) { base += s; continue; }
    const bp = -units.bias[col]! / a;
    // relu(α v + b) is active for v > bp when α > 0, for v < bp when α < 0.
    if (a > 0) {
      if (bp <= lo) base += s;
      else if (bp < hi) { bps[m] = bp; dS[m++] = s; }
    } else if (bp >= hi) base += s;
    else if (bp > lo) { base += s; bps[m] = bp; dS[m++] = -s; }
  }
  return slopeExtremes(base, bps, dS, m);
}

/** Least and greatest running sum base + Σ dS over breakpoints in increasing order (ties at once). */
function slopeExtremes(base: number, bps: Float64Array, dS: Float64Array, m: number): [number, number] {
  // Breakpoints of a PWL layer come in knot order already; sort only when they do not.
  let order: ArrayLike<number> | null = null;
  for (let k = 1; k < m; k++) {
    if (bps[k]! < bps[k - 1]!) {
      order = Uint32Array.from({ length: m }, (_, i) => i).sort((p, q) => bps[p]! - bps[q]!);
      break;
    }
  }
  let cur = base;
  let mn = cur;
  let mx = cur;
  for (let k = 0; k < m; k++) {
    const i = order ? order[k]! : k;
    cur += dS[i]!;
    // Ties: several units switching at one point count as one change.
    const nextI = k + 1 < m ? (order ? order[k + 1]! : k + 1) : -1;
    if (nextI >= 0 && bps[nextI] === bps[i]) continue;
    mn = Math.min(mn, cur);
    mx = Math.max(mx, cur);
  }
  return [mn, mx];
}
