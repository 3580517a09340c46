import type { DenseLayer, Network } from './network.ts';

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

/** Known ranges of each hidden unit's pre-activation value (exact arithmetic), per hidden layer. */
export type PreRangeHints = { lo: Float64Array; hi: Float64Array }[];

/** Most error symbols kept per value; smaller ones are folded into an absolute lump. */
const MAX_SYMBOLS = 48;

/** An error as Σ coef_j·ε_j (|ε_j| ≤ magnitude of symbol j, coef_j in an interval) + lump. */
interface ErrForm { coef: Map<number, [number, number]>; lump: number }

/** Units of a layer that are ReLUs of one scalar value v: unit i = relu(α_i·v + b_i). */
interface Group { err: ErrForm; errMag: number; vLo: number; vHi: number }
interface UnitInfo { group: number; alpha: number; bias: number; fresh: number; relu: boolean }

/**
 * A proven bound on |evaluate(net, x, dtype) − exact real-arithmetic net(x)| for every x in
 * the box [lo, hi], for any order of summation inside each dot product (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1: |fl(Σ t_i) − Σ t_i| ≤ γ_{k−1} Σ|t_i|), including
 * the rounding of weights and of the inputs themselves to the dtype.
 *
 * Method. Errors are sums of independent rounding symbols with interval coefficients, so
 * correlated errors cancel as in the arithmetic. Units whose weight rows are proportional
 * are ReLUs of one scalar v; a later layer's combination Σ c_i·relu(α_i v + b_i) is a
 * piecewise-linear function P of v, and P(v̂) − P(v) lies in [min slope, max slope]·(v̂ − v)
 * over v's range — so a PWL layer passes an input's error on with the approximated
 * function's slope, and a sawtooth tooth with its Lipschitz constant 2, not with Σ|c_i α_i|.
 * Each unit's own rounding δ_i enters as c_i·λ_i·δ_i, λ_i ∈ [0, 1] (ReLU is monotone and
 * 1-Lipschitz). `hints` give known pre-activation ranges (the compiler knows them exactly;
 * interval propagation alone is loose in deep constructions); they are intersected with
 * interval propagation. Returns the bound per output.
 */
export function roundingErrorBound(
  net: Network,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  dtype: 'float64' | 'float32',
  hints?: PreRangeHints,
): Float64Array {
  const u = UNIT_ROUNDOFF[dtype];
  const uw = dtype === 'float32' ? u : 0;
  const symMag: number[] = [];
  const symbol = (m: number) => { symMag.push(m); return symMag.length - 1; };
  const magnitude = (e: ErrForm) => {
    let s = e.lump;
    for (const [id, [a, b]] of e.coef) s += Math.max(Math.abs(a), Math.abs(b)) * symMag[id]!;
    return s;
  };
  // Layer 0: the inputs, each its own group with α = 1, no ReLU, rounded to the dtype.
  let groups: Group[] = [];
  let units: UnitInfo[] = [];
  let curLo = Float64Array.from(lo);
  let curHi = Float64Array.from(hi);
  for (let i = 0; i < lo.length; i++) {
    const m = dtype === 'float32' ? u * Math.max(Math.abs(lo[i]!), Math.abs(hi[i]!)) : 0;
    const err: ErrForm = { coef: m > 0 ? new Map([[symbol(m), [1, 1] as [number, number]]]) : new Map(), lump: 0 };
    groups.push({ err, errMag: m, vLo: lo[i]!, vHi: hi[i]! });
    units.push({ group: i, alpha: 1, bias: 0, fresh: -1, relu: false });
  }
  let unitErrMag = Float64Array.from(groups, (g) => g.errMag);

  net.layers.forEach((layer, li) => {
    const hint = hints?.[li];
    const nextGroups: Group[] = [];
    const nextUnits: UnitInfo[] = [];
    const groupOfKey = new Map<string, number>();
    const nLo = new Float64Array(layer.outSize);
    const nHi = new Float64Array(layer.outSize);
    const nMag = new Float64Array(layer.outSize);
    for (let r = 0; r < layer.outSize; r++) {
      const row = r * layer.inSize;
      // Proportional rows share one scalar v (normalized by the first nonzero weight).
      let alpha = 0;
      const keyParts: string[] = [];
      let fanIn = 0;
      let absDot = 0;
      let inexact = false;
      let inexactDot = 0; // Σ|w|·|x| over weights that float32 cannot hold exactly
      let pLo = layer.bias[r]!;
      let pHi = layer.bias[r]!;
      for (let c = 0; c < layer.inSize; c++) {
        const w = layer.weights[row + c]!;
        if (w === 0) continue;
        if (alpha === 0) alpha = w;
        if (!isPowerOfTwo(w)) { inexact = true; inexactDot += Math.abs(w) * (Math.max(Math.abs(curLo[c]!), Math.abs(curHi[c]!)) + unitErrMag[c]!); }
        if (keyParts.length < 64) keyParts.push(`${c}:${w / alpha}`);
        fanIn++;
        absDot += Math.abs(w) * (Math.max(Math.abs(curLo[c]!), Math.abs(curHi[c]!)) + unitErrMag[c]!);
        if (w > 0) { pLo += w * curLo[c]!; pHi += w * curHi[c]!; } else { pLo += w * curHi[c]!; pHi += w * curLo[c]!; }
      }
      const b = Math.abs(layer.bias[r]!);
      // Terms summed: the products and the bias. Each term passes at most (terms − 1)
      // additions, plus one rounding for a product whose weight is not a power of two
      // (products by ±2^k are exact), so the bound is γ_{terms − 1 + [some product inexact]}.
      const terms = fanIn + (b !== 0 ? 1 : 0);
      const k = Math.max(1, terms - 1 + (inexact ? 1 : 0));
      const freshMag = (uw * inexactDot + gamma(k, u) * (1 + uw) * (absDot + b) + uw * b) * (1 + 1e-9);
      const slack = 1e-12 * (absDot + b) + 1e-300;
      pLo -= slack;
      pHi += slack;
      if (hint && Number.isFinite(hint.lo[r]!)) pLo = Math.max(pLo, hint.lo[r]!);
      if (hint && Number.isFinite(hint.hi[r]!)) pHi = Math.min(pHi, hint.hi[r]!);
      if (alpha === 0) alpha = 1;
      // v = row/alpha is shared by every unit with a proportional row: unit = relu(alpha·v + b).
      const vA = (pLo - layer.bias[r]!) / alpha;
      const vB = (pHi - layer.bias[r]!) / alpha;
      // Rows with many weights are rarely proportional to another: no grouping for them.
      const key = fanIn > 64 ? `#${r}` : keyParts.join(',');
      let gi = groupOfKey.get(key);
      if (gi === undefined) {
        const err = combineRow(layer, r, alpha, units, groups, symMag);
        nextGroups.push({ err, errMag: magnitude(err), vLo: Math.min(vA, vB), vHi: Math.max(vA, vB) });
        gi = nextGroups.length - 1;
        groupOfKey.set(key, gi);
      } else {
        const g = nextGroups[gi]!;
        g.vLo = Math.min(g.vLo, vA, vB);
        g.vHi = Math.max(g.vHi, vA, vB);
      }
      const fresh = symbol(freshMag);
      const relu = layer.activation === 'relu';
      nextUnits.push({ group: gi, alpha, bias: layer.bias[r]!, fresh, relu });
      const own = Math.abs(alpha) * nextGroups[gi]!.errMag + freshMag;
      nMag[r] = relu && pHi + own <= 0 ? 0 : own;
      nLo[r] = relu ? Math.max(0, pLo) : pLo;
      nHi[r] = relu ? Math.max(0, pHi) : pHi;
    }
    groups = nextGroups;
    units = nextUnits;
    curLo = nLo;
    curHi = nHi;
    unitErrMag = nMag;
  });
  // The last layer is linear: each output's error is its own group's error plus its rounding.
  return Float64Array.from(units, (un) => Math.abs(un.alpha) * groups[un.group]!.errMag + symMag[un.fresh]!);
}

/**
 * Error form of v = Σ_c (w_c/alpha)·x_c for one row: terms grouped by the previous layer's
 * scalar groups, each group's contribution bounded through the slope range of its PWL.
 */
function combineRow(layer: DenseLayer, r: number, alpha: number, units: UnitInfo[], groups: Group[], symMag: number[]): ErrForm {
  const row = r * layer.inSize;
  const byGroup = new Map<number, { c: number; unit: UnitInfo }[]>();
  for (let c = 0; c < layer.inSize; c++) {
    const w = layer.weights[row + c]!;
    if (w === 0) continue;
    const un = units[c]!;
    let list = byGroup.get(un.group);
    if (!list) { list = []; byGroup.set(un.group, list); }
    list.push({ c: w / alpha, unit: un });
  }
  const acc: ErrForm = { coef: new Map(), lump: 0 };
  const addScaled = (e: ErrForm, sLo: number, sHi: number) => {
    const sm = Math.max(Math.abs(sLo), Math.abs(sHi));
    acc.lump += sm * e.lump;
    for (const [id, [a, b]] of e.coef) {
      const p = [a * sLo, a * sHi, b * sLo, b * sHi];
      const lo2 = Math.min(...p);
      const hi2 = Math.max(...p);
      const prev = acc.coef.get(id);
      if (prev) { prev[0] += lo2; prev[1] += hi2; } else acc.coef.set(id, [lo2, hi2]);
    }
  };
  for (const [gid, terms] of byGroup) {
    const g = groups[gid]!;
    const [sLo, sHi] = slopeRange(terms, g.vLo - g.errMag, g.vHi + g.errMag);
    addScaled(g.err, sLo, sHi);
    for (const { c, unit } of terms) {
      if (unit.fresh < 0) continue;
      // Wide sums: fold each unit's own rounding into the absolute lump (always sound).
      if (terms.length > 4096) { acc.lump += Math.abs(c) * symMag[unit.fresh]!; continue; }
      const range: [number, number] = unit.relu ? [Math.min(0, c), Math.max(0, c)] : [c, c];
      const prev = acc.coef.get(unit.fresh);
      if (prev) { prev[0] += range[0]; prev[1] += range[1]; } else acc.coef.set(unit.fresh, range);
    }
  }
  if (acc.coef.size > MAX_SYMBOLS) {
    const ranked = [...acc.coef].map(([id, [a, b]]) => [id, Math.max(Math.abs(a), Math.abs(b)) * symMag[id]!] as const).sort((p, q) => q[1] - p[1]);
    for (const [id, v] of ranked.slice(MAX_SYMBOLS)) { acc.lump += v; acc.coef.delete(id); }
  }
  return acc;
}

/** Range of the slope of Σ c·relu(α v + b) (or c·(α v + b) for linear units) over v ∈ [lo, hi]. */
function slopeRange(terms: { c: number; unit: UnitInfo }[], lo: number, hi: number): [number, number] {
  let base = 0;
  const events: [number, number][] = []; // (breakpoint, slope change when v increases past it)
  for (const { c, unit } of terms) {
    const s = c * unit.alpha;
    if (!unit.relu) { base += s; continue; }
    const bp = -unit.bias / unit.alpha;
    // relu(α v + b) is active for v > bp when α > 0, for v < bp when α < 0.
    if (unit.alpha > 0) {
      if (bp <= lo) base += s;
      else if (bp < hi) events.push([bp, s]);
    } else {
      if (bp >= hi) base += s;
      else if (bp > lo) { base += s; events.push([bp, -s]); }
    }
  }
  events.sort((p, q) => p[0] - q[0]);
  let cur = base;
  let mn = cur;
  let mx = cur;
  for (let i = 0; i < events.length; i++) {
    cur += events[i]![1];
    // Ties: several units switching at one point count as one change.
    if (i + 1 < events.length && events[i + 1]![0] === events[i]![0]) continue;
    mn = Math.min(mn, cur);
    mx = Math.max(mx, cur);
  }
  return [mn, mx];
}

/** |w| = 2^k for an integer k in float32's normal range (so w·x rounds only on overflow/underflow). */
function isPowerOfTwo(w: number): boolean {
  const a = Math.abs(w);
  if (a === 0 || a < 2 ** -126 || a > 2 ** 127) return false;
  const e = Math.log2(a);
  return Number.isInteger(e) && 2 ** e === a;
}
