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

/**
 * Known ranges of each hidden unit's pre-activation value (exact arithmetic), per hidden layer;
 * `exact` marks units whose dot product the builder proves float32 computes without rounding
 * from its (possibly already rounded) inputs, such as the sawtooth teeth of compile/deep.ts.
 */
export type PreRangeHints = { lo: Float64Array; hi: Float64Array; exact?: Uint8Array }[];

/** Most error symbols kept per value; smaller ones are folded into an absolute lump. */
const MAX_SYMBOLS = 48;

/** An error as Σ coef_j·ε_j (|ε_j| ≤ magnitude of symbol j, coef_j in an interval) + lump. */
interface ErrForm { coef: Map<number, [number, number]>; lump: number }

/** Units of a layer that are ReLUs of one scalar value v: unit i = relu(α_i·v + b_i). */
interface Group { err: ErrForm; errMag: number; vLo: number; vHi: number }
/** Per unit of a layer (struct of arrays: layers can have millions of units). */
interface Units { group: Int32Array; alpha: Float64Array; bias: Float64Array; fresh: Int32Array; freshSign: Float64Array; dead: Uint8Array; relu: boolean }

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
  let units: Units = { group: new Int32Array(lo.length), alpha: new Float64Array(lo.length).fill(1), bias: new Float64Array(lo.length), fresh: new Int32Array(lo.length).fill(-1), freshSign: new Float64Array(lo.length).fill(1), dead: new Uint8Array(lo.length), relu: false };
  let curLo = Float64Array.from(lo);
  let curHi = Float64Array.from(hi);
  for (let i = 0; i < lo.length; i++) {
    const m = dtype === 'float32' ? u * Math.max(Math.abs(lo[i]!), Math.abs(hi[i]!)) + 2 ** -150 : 0;
    const err: ErrForm = { coef: m > 0 ? new Map([[symbol(m), [1, 1] as [number, number]]]) : new Map(), lump: 0 };
    groups.push({ err, errMag: m, vLo: lo[i]!, vHi: hi[i]! });
    units.group[i] = i;
  }
  let unitErrMag = Float64Array.from(groups, (g) => g.errMag);

  net.layers.forEach((layer, li) => {
    const hint = hints?.[li];
    const nextGroups: Group[] = [];
    const n = layer.outSize;
    const nextUnits: Units = { group: new Int32Array(n), alpha: new Float64Array(n), bias: new Float64Array(n), fresh: new Int32Array(n), freshSign: new Float64Array(n), dead: new Uint8Array(n), relu: layer.activation === 'relu' };
    // Rows w·x + b with one product: the row right after a row (−w, −b) on the same column
    // rounds to exactly its negative (rounding to nearest is symmetric, and with one addition
    // there is no order to differ), as relu(v), relu(−v) do for |v|: they share one symbol.
    let prevCol = -1;
    let prevW = 0;
    let prevB = 0;
    let prevId = -1;
    const groupOfKey = new Map<string, number>();
    const groupOfColumn = new Map<number, number>(); // rows with a single weight: keyed by its column
    const nLo = new Float64Array(layer.outSize);
    const nHi = new Float64Array(layer.outSize);
    const nMag = new Float64Array(layer.outSize);
    for (let r = 0; r < layer.outSize; r++) {
      const row = r * layer.inSize;
      // Proportional rows share one scalar v, normalized by the row's largest weight (the
      // first of equal ones), so that every ratio w/alpha is finite.
      let alpha = 0;
      let firstCol = -1;
      const keyCols: number[] = []; // the first 65 nonzero columns, keyed once alpha is known
      let fanIn = 0;
      let absDot = 0;
      let inexact = false;
      let inexactDot = 0; // Σ|fround(w) − w|·|x|: the rounding of the weights to float32
      let pLo = layer.bias[r]!;
      let pHi = layer.bias[r]!;
      let errDot = 0; // Σ|w|·(error of x): how far computed inputs may stray from exact ones
      // Whether every computed product has one sign (ReLU outputs are ≥ 0 however rounded).
      let pos = true;
      let neg = true;
      let yMax = -Infinity; // largest computed product (used when the row has one term)
      for (let c = 0; c < layer.inSize; c++) {
        const w = layer.weights[row + c]!;
        if (w === 0) continue;
        const xMag = Math.max(Math.abs(curLo[c]!), Math.abs(curHi[c]!)) + unitErrMag[c]!;
        // A weight float32 holds exactly is not rounded when stored (else by exactly
        // |fround(w) − w|, subnormals included); a product by ±2^k is exact.
        if (!isPowerOfTwo(w)) inexact = true;
        if (uw > 0) inexactDot += Math.abs(Math.fround(w) - w) * xMag;
        if (Math.abs(w) > Math.abs(alpha)) { alpha = w; firstCol = c; }
        if (keyCols.length < 65) keyCols.push(c);
        fanIn++;
        absDot += Math.abs(w) * xMag;
        errDot += Math.abs(w) * unitErrMag[c]!;
        const xl = units.relu ? Math.max(0, curLo[c]! - unitErrMag[c]!) : curLo[c]! - unitErrMag[c]!;
        const xh = curHi[c]! + unitErrMag[c]!;
        const wr = uw > 0 ? Math.fround(w) : w; // the weight as stored
        yMax = Math.max(wr * xl, wr * xh);
        if (!(wr * xl >= 0 && wr * xh >= 0)) pos = false;
        if (!(wr * xl <= 0 && wr * xh <= 0)) neg = false;
        if (w > 0) { pLo += w * curLo[c]!; pHi += w * curHi[c]!; } else { pLo += w * curHi[c]!; pHi += w * curLo[c]!; }
      }
      const b = Math.abs(layer.bias[r]!);
      // Terms summed: the products and the bias. Each term passes at most (terms − 1)
      // additions, plus one rounding for a product whose weight is not a power of two
      // (products by ±2^k are exact), so the bound is γ_{terms − 1 + [some product inexact]}.
      const terms = fanIn + (b !== 0 ? 1 : 0);
      // k = 0: one exactly-multiplied term and no bias (a carry, relu(±x)): no rounding at all.
      const k = terms - 1 + (inexact ? 1 : 0);
      const biasRounding = uw > 0 ? Math.abs(Math.fround(layer.bias[r]!) - layer.bias[r]!) : 0;
      const slack = 1e-12 * (absDot + b) + 1e-300;
      pLo -= slack;
      pHi += slack;
      if (hint && Number.isFinite(hint.lo[r]!)) pLo = Math.max(pLo, hint.lo[r]!);
      if (hint && Number.isFinite(hint.hi[r]!)) pHi = Math.min(pHi, hint.hi[r]!);
      // Terms of one sign: Σ|t| = |Σ t|, which the (hinted) range of the exact sum bounds,
      // plus how far the computed inputs, weights and bias may differ from exact ones (and
      // a factor 1 + u for the rounding of the products).
      const biasR = uw > 0 ? Math.fround(layer.bias[r]!) : layer.bias[r]!;
      const oneSign = (pos && biasR >= 0) || (neg && biasR <= 0);
      const sumMag = oneSign ? Math.min(absDot + b, (1 + u) * (Math.max(Math.abs(pLo), Math.abs(pHi)) + errDot + inexactDot + biasRounding)) : absDot + b;
      // Sterbenz: relu(y + β) with one exact product y ≤ −2β (β < 0) is exact where y ≥ −β/2,
      // and negative (so 0 after the ReLU, however rounded) where y < −β/2.
      const sterbenz = nextUnits.relu && fanIn === 1 && !inexact && (uw === 0 || inexactDot === 0) && biasR < 0 && yMax <= -2 * biasR;
      const sumRounding = k > 0 && !sterbenz ? gamma(k, u) * (1 + uw) * sumMag : 0;
      // Each product may also underflow (gradual underflow loses at most half the smallest subnormal).
      const underflow = fanIn * (dtype === 'float32' ? 2 ** -150 : 2 ** -1075);
      const proven = hint?.exact?.[r] === 1;
      const freshMag = proven ? underflow : (inexactDot + sumRounding + biasRounding) * (1 + 1e-9) + underflow;
      if (alpha === 0) alpha = 1;
      // v = row/alpha is shared by every unit with a proportional row: unit = relu(alpha·v + b).
      const vA = (pLo - layer.bias[r]!) / alpha;
      const vB = (pHi - layer.bias[r]!) / alpha;
      // Rows with many weights are rarely proportional to another: no grouping for them.
      const key = fanIn > 64 ? `#${r}` : fanIn <= 1 ? '' : keyCols.map((c) => `${c}:${layer.weights[row + c]! / alpha}`).join(',');
      let gi = fanIn === 1 ? groupOfColumn.get(firstCol) : groupOfKey.get(key);
      if (gi === undefined) {
        const err = combineRow(layer, r, alpha, units, groups, symMag);
        nextGroups.push({ err, errMag: magnitude(err), vLo: Math.min(vA, vB), vHi: Math.max(vA, vB) });
        gi = nextGroups.length - 1;
        if (fanIn === 1) groupOfColumn.set(firstCol, gi);
        else groupOfKey.set(key, gi);
      } else {
        const g = nextGroups[gi]!;
        g.vLo = Math.min(g.vLo, vA, vB);
        g.vHi = Math.max(g.vHi, vA, vB);
      }
      let fresh: number;
      let sign = 1;
      const w1 = fanIn === 1 ? layer.weights[row + firstCol]! : 0;
      if (fanIn === 1 && prevCol === firstCol && prevW === -w1 && prevB === -layer.bias[r]!) {
        fresh = prevId;
        sign = -1;
        symMag[fresh] = Math.max(symMag[fresh]!, freshMag);
        prevCol = -1;
      } else {
        fresh = symbol(freshMag);
        prevCol = fanIn === 1 ? firstCol : -1;
        prevW = w1;
        prevB = layer.bias[r]!;
        prevId = fresh;
      }
      nextUnits.freshSign[r] = sign;
      const relu = nextUnits.relu;
      nextUnits.group[r] = gi;
      nextUnits.alpha[r] = alpha;
      nextUnits.bias[r] = layer.bias[r]!;
      nextUnits.fresh[r] = fresh;
      const own = Math.abs(alpha) * nextGroups[gi]!.errMag + freshMag;
      // A ReLU whose computed input is ≤ 0 however rounded outputs exactly 0: no error at all.
      const dead = relu && pHi + own <= 0;
      nextUnits.dead[r] = dead ? 1 : 0;
      nMag[r] = dead ? 0 : own;
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
  return Float64Array.from(units.group, (g, r) => Math.abs(units.alpha[r]!) * groups[g]!.errMag + symMag[units.fresh[r]!]!);
}

/**
 * Error form of v = Σ_c (w_c/alpha)·x_c for one row: terms grouped by the previous layer's
 * scalar groups, each group's contribution bounded through the slope range of its PWL.
 */
function combineRow(layer: DenseLayer, r: number, alpha: number, units: Units, groups: Group[], symMag: number[]): ErrForm {
  const row = r * layer.inSize;
  const byGroup = new Map<number, number[]>(); // group -> columns
  for (let c = 0; c < layer.inSize; c++) {
    if (layer.weights[row + c] === 0) continue;
    const g = units.group[c]!;
    let list = byGroup.get(g);
    if (!list) { list = []; byGroup.set(g, list); }
    list.push(c);
  }
  const acc: ErrForm = { coef: new Map(), lump: 0 };
  const addScaled = (e: ErrForm, sLo: number, sHi: number) => {
    const sm = Math.max(Math.abs(sLo), Math.abs(sHi));
    acc.lump += sm * e.lump;
    for (const [id, [a, b]] of e.coef) {
      const lo2 = Math.min(a * sLo, a * sHi, b * sLo, b * sHi);
      const hi2 = Math.max(a * sLo, a * sHi, b * sLo, b * sHi);
      const prev = acc.coef.get(id);
      if (prev) { prev[0] += lo2; prev[1] += hi2; } else acc.coef.set(id, [lo2, hi2]);
    }
  };
  for (const [gid, cols] of byGroup) {
    const g = groups[gid]!;
    const coef = Float64Array.from(cols, (c) => layer.weights[row + c]! / alpha);
    const [sLo, sHi] = slopeRange(cols, coef, units, g.vLo - g.errMag, g.vHi + g.errMag);
    addScaled(g.err, sLo, sHi);
    for (let k = 0; k < cols.length; k++) {
      const fresh = units.fresh[cols[k]!]!;
      if (fresh < 0 || units.dead[cols[k]!]) continue;
      const c = coef[k]! * units.freshSign[cols[k]!]!;
      // Wide sums: fold each unit's own rounding into the absolute lump (always sound).
      if (cols.length > 4096) { acc.lump += Math.abs(c) * symMag[fresh]!; continue; }
      const range: [number, number] = units.relu ? [Math.min(0, c), Math.max(0, c)] : [c, c];
      const prev = acc.coef.get(fresh);
      if (prev) { prev[0] += range[0]; prev[1] += range[1]; } else acc.coef.set(fresh, range);
    }
  }
  if (acc.coef.size > MAX_SYMBOLS) {
    const ranked = [...acc.coef].map(([id, [a, b]]) => [id, Math.max(Math.abs(a), Math.abs(b)) * symMag[id]!] as const).sort((p, q) => q[1] - p[1]);
    for (const [id, v] of ranked.slice(MAX_SYMBOLS)) { acc.lump += v; acc.coef.delete(id); }
  }
  return acc;
}

/** Range of the slope of Σ c·relu(α v + b) (or c·(α v + b) for linear units) over v ∈ [lo, hi]. */
function slopeRange(cols: number[], coef: Float64Array, units: Units, lo: number, hi: number): [number, number] {
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
  // Breakpoints of a PWL layer come in knot order already; sort only when they do not.
  let order: ArrayLike<number> | null = null;
  for (let k = 1; k < m; k++) if (bps[k]! < bps[k - 1]!) { order = Uint32Array.from({ length: m }, (_, i) => i).sort((p, q) => bps[p]! - bps[q]!); break; }
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

/** |w| = 2^k for an integer k in float32's normal range (so w·x rounds only on overflow/underflow). */
function isPowerOfTwo(w: number): boolean {
  const a = Math.abs(w);
  if (a === 0 || a < 2 ** -126 || a > 2 ** 127) return false;
  const e = Math.log2(a);
  return Number.isInteger(e) && 2 ** e === a;
}

/**
 * roundingErrorBound (first output) over the part of the box where `inRegion` may hold, by
 * branch and bound: the box whose bound is largest is halved along its (relatively) widest
 * side, up to `evaluations` analyses. Smaller boxes give smaller input magnitudes and tighter
 * ranges, so an error that is relative in truth (an input's own rounding, ≤ u·|x|) is not
 * charged at the box's largest |x| everywhere. The result is the largest bound over boxes
 * that cover the region, each no larger than its parent's (both are valid for it).
 */
export function roundingErrorBoundSplit(
  net: Network,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  dtype: 'float64' | 'float32',
  hints: PreRangeHints | undefined,
  opts: { evaluations: number; inRegion?: (lo: number[], hi: number[]) => boolean },
): number {
  const width0 = Array.from(hi, (h, i) => h - lo[i]!);
  interface Leaf { lo: number[]; hi: number[]; bound: number }
  const leaves: Leaf[] = [{ lo: Array.from(lo), hi: Array.from(hi), bound: roundingErrorBound(net, lo, hi, dtype, hints)[0]! }];
  let used = 1;
  while (used + 2 <= opts.evaluations && leaves.length > 0) {
    let w = 0;
    for (let i = 1; i < leaves.length; i++) if (leaves[i]!.bound > leaves[w]!.bound) w = i;
    const leaf = leaves[w]!;
    let axis = -1;
    let best = 0;
    for (let d = 0; d < leaf.lo.length; d++) {
      const rel = width0[d]! > 0 ? (leaf.hi[d]! - leaf.lo[d]!) / width0[d]! : 0;
      if (rel > best) { best = rel; axis = d; }
    }
    if (axis < 0 || best < 1e-6) break; // cannot split further
    const mid = (leaf.lo[axis]! + leaf.hi[axis]!) / 2;
    const children: Leaf[] = [];
    for (const [a, b] of [[leaf.lo[axis]!, mid], [mid, leaf.hi[axis]!]] as const) {
      const cLo = leaf.lo.slice();
      const cHi = leaf.hi.slice();
      cLo[axis] = a;
      cHi[axis] = b;
      if (opts.inRegion && !opts.inRegion(cLo, cHi)) continue;
      used++;
      children.push({ lo: cLo, hi: cHi, bound: Math.min(leaf.bound, roundingErrorBound(net, cLo, cHi, dtype, hints)[0]!) });
    }
    leaves.splice(w, 1, ...children);
  }
  return leaves.reduce((m, l) => Math.max(m, l.bound), 0);
}
