import type { DenseLayer } from './network.ts';

/**
 * Error forms for the rounding bound of net/rounding.ts: an error is Σ coef_j·ε_j, where the
 * ε_j are independent rounding symbols (|ε_j| ≤ the symbol's magnitude) and each coef_j lies
 * in an interval [lo_j, hi_j], plus an absolute lump. Keeping symbols apart lets correlated
 * errors cancel as they do in the arithmetic (an input's rounding seen through two paths that
 * subtract). Symbols are listed in the order they joined the form: sums over them run in that
 * order, so the bound does not depend on how the form is stored.
 */
export interface ErrForm { ids: number[]; lo: number[]; hi: number[]; lump: number }

/** The form of an exact value. */
export function noError(): ErrForm {
  return { ids: [], lo: [], hi: [], lump: 0 };
}

/** The form 1·ε_id. */
export function symbolError(id: number): ErrForm {
  return { ids: [id], lo: [1], hi: [1], lump: 0 };
}

/** Most error symbols kept per value; smaller ones are folded into the absolute lump. */
const MAX_SYMBOLS = 48;

/** Above this many units of one group in a row, each unit's own rounding goes to the lump. */
const WIDE_SUM = 4096;

/** The magnitudes of all rounding symbols of one analysis, indexed by symbol id. */
export class ErrorSymbols {
  readonly magnitudes: number[] = [];
  /** Where each symbol sits in the form being built (−1: absent); see FormBuilder. */
  slot = new Int32Array(64).fill(-1);

  /** A new symbol of magnitude m; returns its id. */
  add(m: number): number {
    this.magnitudes.push(m);
    const id = this.magnitudes.length - 1;
    if (id >= this.slot.length) {
      const grown = new Int32Array(2 * this.slot.length).fill(-1);
      grown.set(this.slot);
      this.slot = grown;
    }
    return id;
  }

  /** Widens symbol `id` to at least magnitude m (a rounding shared by two rows). */
  widen(id: number, m: number): void {
    this.magnitudes[id] = Math.max(this.magnitudes[id]!, m);
  }

  /** Largest |error| the form allows: lump + Σ max|coef_j|·magnitude_j. */
  magnitude(e: ErrForm): number {
    let s = e.lump;
    for (let j = 0; j < e.ids.length; j++) {
      s += Math.max(Math.abs(e.lo[j]!), Math.abs(e.hi[j]!)) * this.magnitudes[e.ids[j]!]!;
    }
    return s;
  }
}

/**
 * Accumulates one error form: coefficients of a symbol already present add up, a new symbol
 * joins at the end. The symbols' slots (ErrorSymbols.slot) are cleared again by finish().
 */
class FormBuilder {
  private readonly ids: number[] = [];
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  lump = 0;

  constructor(private readonly symbols: ErrorSymbols) {}

  get size(): number { return this.ids.length; }

  /** coef_id += [a, b]. */
  add(id: number, a: number, b: number): void {
    const s = this.symbols.slot[id]!;
    if (s >= 0) {
      this.lo[s] = this.lo[s]! + a;
      this.hi[s] = this.hi[s]! + b;
      return;
    }
    this.symbols.slot[id] = this.ids.length;
    this.ids.push(id);
    this.lo.push(a);
    this.hi.push(b);
  }

  /** The form, keeping the MAX_SYMBOLS largest symbols; the rest join the lump at their largest size. */
  finish(): ErrForm {
    const { ids, lo, hi } = this;
    for (const id of ids) this.symbols.slot[id] = -1;
    const n = ids.length;
    if (n <= MAX_SYMBOLS) return { ids, lo, hi, lump: this.lump };
    const mag = this.symbols.magnitudes;
    const size = new Float64Array(n);
    for (let j = 0; j < n; j++) size[j] = Math.max(Math.abs(lo[j]!), Math.abs(hi[j]!)) * mag[ids[j]!]!;
    // The dropped sizes join the lump largest first; of sizes equal to the last kept one, the
    // symbols that joined first are kept.
    const sorted = size.slice().sort();
    for (let k = n - 1 - MAX_SYMBOLS; k >= 0; k--) this.lump += sorted[k]!;
    const least = sorted[n - MAX_SYMBOLS]!;
    let ties = MAX_SYMBOLS;
    for (let j = 0; j < n; j++) if (size[j]! > least) ties--;
    const out: ErrForm = { ids: [], lo: [], hi: [], lump: this.lump };
    for (let j = 0; j < n; j++) {
      if (size[j]! < least || (size[j] === least && ties-- <= 0)) continue;
      out.ids.push(ids[j]!);
      out.lo.push(lo[j]!);
      out.hi.push(hi[j]!);
    }
    return out;
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
  const acc = new FormBuilder(symbols);
  for (const [gid, cols] of columnsByGroup(layer, r, units)) {
    const g = groups[gid]!;
    const coef = Float64Array.from(cols, (c) => layer.weights[row + c]! / alpha);
    const [sLo, sHi] = slopeRange(cols, coef, units, g.vLo - g.errMag, g.vHi + g.errMag);
    addScaled(acc, g.err, sLo, sHi);
    addOwnRoundings(acc, cols, coef, units, symbols.magnitudes);
  }
  return acc.finish();
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

/** acc += Σ c_k·λ_k·δ_k over the units' own roundings (λ ∈ [0, 1] for ReLUs, 1 otherwise). */
function addOwnRoundings(acc: FormBuilder, cols: number[], coef: Float64Array, units: Units, symMag: number[]): void {
  for (let k = 0; k < cols.length; k++) {
    const fresh = units.fresh[cols[k]!]!;
    if (fresh < 0 || units.dead[cols[k]!]) continue;
    const c = coef[k]! * units.freshSign[cols[k]!]!;
    // Wide sums: fold each unit's own rounding into the absolute lump (always sound).
    if (cols.length > WIDE_SUM) { acc.lump += Math.abs(c) * symMag[fresh]!; continue; }
    if (units.relu) acc.add(fresh, Math.min(0, c), Math.max(0, c));
    else acc.add(fresh, c, c);
  }
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
