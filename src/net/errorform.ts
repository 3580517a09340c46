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
export class FormBuilder {
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
