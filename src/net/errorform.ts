import type { DenseLayer } from './network.ts';

/**
 * Error forms for the rounding bound of net/rounding.ts: an error is Σ coef_j·ε_j, where the
 * ε_j are independent rounding symbols (|ε_j| ≤ the symbol's magnitude) and each coef_j lies
 * in an interval, plus an absolute lump. Keeping symbols apart lets correlated errors cancel
 * as they do in the arithmetic (an input's rounding seen through two paths that subtract).
 */
export interface ErrForm { coef: Map<number, [number, number]>; lump: number }

/** Most error symbols kept per value; smaller ones are folded into the absolute lump. */
const MAX_SYMBOLS = 48;

/** Above this many units of one group in a row, each unit's own rounding goes to the lump. */
const WIDE_SUM = 4096;

/** The magnitudes of all rounding symbols of one analysis, indexed by symbol id. */
export class ErrorSymbols {
  readonly magnitudes: number[] = [];

  /** A new symbol of magnitude m; returns its id. */
  add(m: number): number {
    this.magnitudes.push(m);
    return this.magnitudes.length - 1;
  }

  /** Widens symbol `id` to at least magnitude m (a rounding shared by two rows). */
  widen(id: number, m: number): void {
    this.magnitudes[id] = Math.max(this.magnitudes[id]!, m);
  }

  /** Largest |error| the form allows: lump + Σ max|coef_j|·magnitude_j. */
  magnitude(e: ErrForm): number {
    let s = e.lump;
    for (const [id, [a, b]] of e.coef) s += Math.max(Math.abs(a), Math.abs(b)) * this.magnitudes[id]!;
    return s;
  }
}

/** Units of a layer that are ReLUs of one scalar value v: unit i = relu(α_i·v + b_i). */
export interface Group { err: ErrForm; errMag: number; vLo: number; vHi: number }

/** Per unit of a layer (struct of arrays: layers can have millions of units). */
export interface Units {
  group: Int32Array;
  alpha: Float64Array;
  bias: Float64Array;
  /** The unit's own rounding symbol (−1: none). */
  fresh: Int32Array;
  /** −1 where the unit's rounding is the negative of the shared symbol's (mirrored rows). */
  freshSign: Float64Array;
  dead: Uint8Array;
  relu: boolean;
}

/**
 * What the analysis knows of one layer's outputs: exact ranges [lo, hi], the bound errMag on
 * each computed output's error, and the units' groups and rounding symbols.
 */
export interface LayerState { groups: Group[]; units: Units; lo: Float64Array; hi: Float64Array; errMag: Float64Array }

/**
 * Error form of v = Σ_c (w_c/alpha)·x_c for one row: terms grouped by the previous layer's
 * scalar groups, each group's contribution bounded through the slope range of its PWL
 * (P(v̂) − P(v) ∈ [min slope, max slope]·(v̂ − v)), and each unit's own rounding δ_i entering
 * as c_i·λ_i·δ_i with λ_i ∈ [0, 1] for a ReLU (monotone and 1-Lipschitz).
 */
export function combineRow(
  layer: DenseLayer, r: number, alpha: number, units: Units, groups: Group[], symbols: ErrorSymbols,
): ErrForm {
  const row = r * layer.inSize;
  const acc: ErrForm = { coef: new Map(), lump: 0 };
  for (const [gid, cols] of columnsByGroup(layer, r, units)) {
    const g = groups[gid]!;
    const coef = Float64Array.from(cols, (c) => layer.weights[row + c]! / alpha);
    const [sLo, sHi] = slopeRange(cols, coef, units, g.vLo - g.errMag, g.vHi + g.errMag);
    addScaled(acc, g.err, sLo, sHi);
    addOwnRoundings(acc, cols, coef, units, symbols.magnitudes);
  }
  if (acc.coef.size > MAX_SYMBOLS) foldSmallSymbols(acc, symbols.magnitudes);
  return acc;
}

/** The nonzero columns of row r, by the previous layer's group they belong to. */
function columnsByGroup(layer: DenseLayer, r: number, units: Units): Map<number, number[]> {
  const row = r * layer.inSize;
  const byGroup = new Map<number, number[]>();
  for (let c = 0; c < layer.inSize; c++) {
    if (layer.weights[row + c] === 0) continue;
    const g = units.group[c]!;
    let list = byGroup.get(g);
    if (!list) { list = []; byGroup.set(g, list); }
    list.push(c);
  }
  return byGroup;
}

/** acc += s·e for a scale s ∈ [sLo, sHi] (interval products of the coefficients). */
function addScaled(acc: ErrForm, e: ErrForm, sLo: number, sHi: number): void {
  const sm = Math.max(Math.abs(sLo), Math.abs(sHi));
  acc.lump += sm * e.lump;
  for (const [id, [a, b]] of e.coef) {
    const lo2 = Math.min(a * sLo, a * sHi, b * sLo, b * sHi);
    const hi2 = Math.max(a * sLo, a * sHi, b * sLo, b * sHi);
    const prev = acc.coef.get(id);
    if (prev) { prev[0] += lo2; prev[1] += hi2; } else acc.coef.set(id, [lo2, hi2]);
  }
}

/** acc += Σ c_k·λ_k·δ_k over the units' own roundings (λ ∈ [0, 1] for ReLUs, 1 otherwise). */
function addOwnRoundings(acc: ErrForm, cols: number[], coef: Float64Array, units: Units, symMag: number[]): void {
  for (let k = 0; k < cols.length; k++) {
    const fresh = units.fresh[cols[k]!]!;
    if (fresh < 0 || units.dead[cols[k]!]) continue;
    const c = coef[k]! * units.freshSign[cols[k]!]!;
    // Wide sums: fold each unit's own rounding into the absolute lump (always sound).
    if (cols.length > WIDE_SUM) { acc.lump += Math.abs(c) * symMag[fresh]!; continue; }
    const range: [number, number] = units.relu ? [Math.min(0, c), Math.max(0, c)] : [c, c];
    const prev = acc.coef.get(fresh);
    if (prev) { prev[0] += range[0]; prev[1] += range[1]; } else acc.coef.set(fresh, range);
  }
}

/** Keeps the MAX_SYMBOLS largest symbols of acc; the rest join the lump at their largest size. */
function foldSmallSymbols(acc: ErrForm, symMag: number[]): void {
  const ranked = [...acc.coef]
    .map(([id, [a, b]]) => [id, Math.max(Math.abs(a), Math.abs(b)) * symMag[id]!] as const)
    .sort((p, q) => q[1] - p[1]);
  for (const [id, v] of ranked.slice(MAX_SYMBOLS)) { acc.lump += v; acc.coef.delete(id); }
}

/** Range of the slope of Σ c·relu(α v + b) (or c·(α v + b) for linear units) over v ∈ [lo, hi]. */
export function slopeRange(cols: number[], coef: Float64Array, units: Units, lo: number, hi: number): [number, number] {
  let base = 0;
  const bps = new Float64Array(cols.length);
  const dS = new Float64Array(cols.length);
  let m = 0;
  for (let k = 0; k < cols.length; k++) {
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
