import { type Dtype, UNDERFLOW_LOSS, UNIT_ROUNDOFF } from './floatformat.ts';
import { ExactRows, type Operand } from './exactrows.ts';
import type { DenseLayer, Network } from './network.ts';
import { RoundingSplit } from './rounding.ts';
import { isPowerOfTwo } from './roundingrules.ts';

/**
 * A proven bound on |N̂(x) − N(x)| over an input box, where N is the network in exact
 * arithmetic with its stored (float64) weights and N̂ the same network evaluated in float32
 * (or float64) from the rounded input fl(x), with weights and biases rounded to the dtype, in
 * any order of summation inside each row (sequential, pairwise, with or without fused
 * multiply-add). Meant for small boxes (branch and bound: AffineRoundingSplit), where it is
 * tight: it keeps the exact values as affine functions of x and the errors as linear forms in
 * independent rounding symbols, so a fold (an isometry) passes errors on with its own
 * orthogonal Jacobian, not with Σ|w| per layer.
 *
 * Proof (Higham-style, one row ŝ of a layer with stored weights ŵ_i = fl(w_i), b̂ = fl(b),
 * computed inputs x̂_i = x_i + e_i). Let s = Σ w_i·x_i + b be the exact pre-activation. Then
 *   ŝ − s = Σ ŵ_i·e_i + δ,  δ = Σ (ŵ_i − w_i)·x_i + (b̂ − b) + ρ,
 * with ρ = ŝ − (Σ ŵ_i·x̂_i + b̂) the evaluation's own rounding. (1) The first sum is carried
 * symbolically: e_i is a linear form Σ_k c_ik·ε_k in symbols |ε_k| ≤ M_k, so ŝ − s is the form
 * Σ_i ŵ_i·c_i + ε_δ with a fresh symbol |ε_δ| ≤ |δ|max; every bound |form| ≤ Σ_k |c_k|·M_k
 * holds whatever the correlations of the symbols (triangle inequality). (2) Σ (ŵ_i − w_i)·x_i
 * is bounded over the box by its affine enclosure (below). (3) ρ: the terms t_i = ŵ_i·x̂_i
 * (and b̂) of one row, m of them nonzero (a zero x̂_i — a unit proven off — and a zero ŵ_i are
 * no terms: adding 0 is exact), are summed by m − 1 additions in some tree; each product is
 * rounded once, |fl(t) − t| ≤ u·|t| + η (none when ŵ_i = ±2^k, η = 2^−150 the underflow loss),
 * each addition once, |fl(a + b) − (a + b)| ≤ u·|a + b| (additions do not underflow with a
 * loss). The operands of the addition at a node of the tree are the computed sums of a set S
 * of terms, S ranging over a laminar family: the root (all terms) and m − 2 distinct proper
 * subsets of ≥ 2 terms. The computed sum over S is Σ_S t_i plus the local errors inside S's
 * subtree, at most the total B of all local errors. Hence
 *   B ≤ u·Σ_products (|t_i| + η/u) + u·Σ_nodes (|T_S| + B),  T_S = Σ_{i∈S} t_i,
 *   B ≤ (u·P + u·(|T_all| + Σ of the m − 2 largest |T_S| over proper S)) / (1 − (m − 1)·u),
 * valid for every tree. A fused multiply-add fl(a·b + c) rounds once, by at most u·|a·b + c|,
 * the same node bound without the product's rounding, so the bound covers it; so does a sum
 * accumulated wider and rounded once. |T_S| ≤ max over the box of |Σ_S ŵ_i·x_i| (affine) +
 * Σ_S |ŵ_i|·|e_i|max; with m > 7 every proper |T_S| is bounded by the larger of the sums of
 * the terms' positive and negative parts. (4) ReLU: relu(ŝ) − relu(s) = λ·(ŝ − s) for some
 * λ ∈ [0, 1] (monotone, 1-Lipschitz). With s ∈ [lo, hi] and |ŝ − s| ≤ E: hi + E ≤ 0 → both
 * are 0 (the unit is off and its computed value is exactly 0); lo − E ≥ 0 → λ = 1; else if
 * hi ≤ 0 the error is relu(ŝ) ∈ [0, hi + E] (a fresh symbol); if lo ≥ 0 it is
 * (ŝ − s) + relu(−ŝ), relu(−ŝ) ∈ [0, E − lo] (the form plus a fresh symbol); otherwise
 * λ·f = f/2 + (λ − 1/2)·f, the second part a fresh symbol of magnitude E/2. (5) The inputs:
 * |fl(x_d) − x_d| ≤ u·max|x_d| + η, one symbol each. The output's bound is Σ|c_k|·M_k.
 * (6) Exact rows (net/exactrows.ts): a row proven to round not at all (Sterbenz, a Fast2Sum
 * error, a copy) has ρ = 0; a row ≥ 0 exactly and as computed keeps its form through its ReLU;
 * a mirrored pair relu(±v) read with opposite weights is the signed value v (activate).
 *
 * Exact values: each unit is x ↦ c + Σ_d a_d·(x_d − mid_d) + r, r ∈ [rlo, rhi], exact for the
 * affine maps; a ReLU on [lo, hi] ∋ 0 is enclosed by the chord, relu(s) = λ·s + [0, −λ·lo],
 * λ = hi/(hi − lo) (relu(s) ≥ λ·s and ≤ λ·(s − lo) on [lo, hi]). Beside the enclosure each unit
 * keeps an interval of its exact value by interval arithmetic (a ReLU's output in [0, hi]), and
 * [lo, hi] is the tighter of the two ranges. The float64 arithmetic of this
 * analysis is covered by widening each remainder by 1e-12 of the row's magnitude and the
 * result by a relative 1e-9.
 */

/** Subsets enumerated up to this many terms per row (2^7 partial sums). */
const ENUMERATE = 7;

interface Box { mid: Float64Array; half: Float64Array }

/** One unit on a box: affine enclosure of its exact value, its error form, and whether it is exactly 0. */
interface Core { aff: Float64Array; form: Float64Array; E: number; zero: boolean }
/**
 * A unit with the id of its computed value and whether that is ≥ 0 (net/exactrows.ts), and an
 * interval [lo, hi] of its exact value (interval arithmetic beside the enclosure: a ReLU's
 * output is ≥ 0, which the chord's enclosure does not keep).
 */
interface Unit extends Core { id: number; nonneg: boolean; lo: number; hi: number }
/** A row before its activation: its value (exactrows.ts), a single term and no bias, the first layer's known sign. */
interface Pre extends Unit { exact: boolean; single: boolean; sign: number }

/** Symbols' magnitudes, grown as rows are analysed. */
class Symbols {
  readonly mag: Float64Array;
  count = 0;
  constructor(readonly size: number) { this.mag = new Float64Array(size); }
  add(m: number): number { this.mag[this.count] = m; return this.count++; }
  bound(form: Float64Array): number {
    const mag = this.mag;
    let t = 0;
    for (let k = 0, n = this.count; k < n; k++) t += Math.abs(form[k]!) * mag[k]!;
    return t;
  }
}

/** Largest |value| of an affine enclosure over the box, and its range. */
function range(aff: Float64Array, box: Box): [number, number] {
  const d = box.mid.length;
  const w = spread(aff, box);
  return [aff[0]! - w + aff[d + 1]!, aff[0]! + w + aff[d + 2]!];
}
/** Σ |a_i|·half_i: the half-width of an enclosure's linear part over the box. */
function spread(aff: Float64Array, box: Box): number {
  const d = box.mid.length;
  const half = box.half;
  let w = 0;
  for (let i = 0; i < d; i++) w += Math.abs(aff[1 + i]!) * half[i]!;
  return w;
}
function maxAbs(aff: Float64Array, box: Box): number { return maxAbsAt(aff, 0, box); }

/** aff += k·src (remainders combined by sign). */
function axpy(aff: Float64Array, k: number, src: Float64Array): void {
  const n = aff.length;
  for (let i = 0; i < n - 2; i++) aff[i] = aff[i]! + k * src[i]!;
  const a = k >= 0 ? src[n - 2]! : src[n - 1]!;
  const b = k >= 0 ? src[n - 1]! : src[n - 2]!;
  aff[n - 2] = aff[n - 2]! + k * a;
  aff[n - 1] = aff[n - 1]! + k * b;
}

/**
 * The bound of the module comment for output `output` over the box [lo, hi]. Infinity when
 * a value overflows the dtype or a symbol cannot be bounded.
 */
export function affineRoundingBound(
  net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>, dtype: Dtype, output = 0,
): number {
  const dims = lo.length;
  const center = Array.from({ length: dims }, (_, d) => (lo[d]! + hi[d]!) / 2);
  const gens = Array.from({ length: dims }, (_, d) => {
    const g = new Array<number>(dims).fill(0); g[d] = (hi[d]! - lo[d]!) / 2; return g;
  });
  return parallelotopeRoundingBound(net, center, gens, dtype, output);
}

/**
 * The bound over the points of the parallelotope {center + Σ_j ξ_j·gens[j] : ξ ∈ [−1, 1]^g}
 * (gens[j] one vector of the input space per generator) whose inputs marked `nonNegative`
 * are ≥ 0. On those points a first-layer row w·x_c (one weight, no bias) of such an input has
 * the sign of w, exactly and as computed (fl(w·x̂_c) keeps it, x̂_c = fl(x_c) ≥ 0), so its ReLU
 * is decided without the chord even where the parallelotope reaches below x_c = 0.
 */
export function parallelotopeRoundingBound(
  net: Network, center: readonly number[], gens: readonly (readonly number[])[], dtype: Dtype, output = 0,
  nonNegative: readonly boolean[] = [],
): number {
  const dims = center.length;
  const g = gens.length;
  const box: Box = { mid: new Float64Array(g), half: new Float64Array(g).fill(1) };
  const size = dims + net.layers.reduce((t, l) => t + 2 * l.outSize, 0);
  const sym = new Symbols(size);
  const u = UNIT_ROUNDOFF[dtype];
  const eta = UNDERFLOW_LOSS[dtype];
  const slots = formSlots(net, dims, size);
  let units: Unit[] = [];
  const rows = new ExactRows();
  for (let d = 0; d < dims; d++) {
    const aff = new Float64Array(g + 3);
    aff[0] = center[d]!;
    let w = 0;
    for (let j = 0; j < g; j++) { aff[1 + j] = gens[j]![d]!; w += Math.abs(gens[j]![d]!); }
    const form = slots[1]![d]!.fill(0);
    const m = dtype === 'float32' ? halfUlp(Math.abs(center[d]!) + w, u, eta) : 0;
    form[sym.add(m)] = 1;
    const [lo, hi] = range(aff, box);
    units.push({ aff, form, E: m, zero: false, id: rows.fresh(), nonneg: false, lo, hi });
  }
  const f32 = dtype === 'float32';
  const arith: Arith = {
    u, eta, f32, sums: new Float64Array((1 << ENUMERATE) * (g + 3)), errs: new Float64Array(1 << ENUMERATE),
  };
  for (const [li, layer] of net.layers.entries()) {
    const pres: Pre[] = [];
    for (let r = 0; r < layer.outSize; r++) {
      const sign = li === 0 ? knownSign(layer, r, nonNegative) : 0;
      const pre = rowPre(layer, r, units, { box, sym, a: arith, rows }, sign, slots[li & 1]![r]!.fill(0));
      if (!pre) return Infinity;
      pres.push(pre);
    }
    units = activate(layer, net.layers[li + 1], pres, sym, rows);
  }
  const b = sym.bound(units[output]!.form) * (1 + 1e-9);
  return Number.isFinite(b) ? b : Infinity;
}

/**
 * The error forms' storage of one analysis: two sets of rows (a layer's units are read while
 * the next layer's are written), each row a zeroed view of `size` coefficients.
 */
function formSlots(net: Network, dims: number, size: number): Float64Array[][] {
  const rows = Math.max(dims, ...net.layers.map((l) => l.outSize));
  return [0, 1].map(() => {
    const buf = new Float64Array(rows * size);
    return Array.from({ length: rows }, (_, r) => buf.subarray(r * size, (r + 1) * size));
  });
}

/** The dtype's rounding, and the subset sums' scratch of sumRounding (2^ENUMERATE enclosures). */
interface Arith {
  u: number; eta: number; f32: boolean; sums: Float64Array; errs: Float64Array;
}

/** What rowPre reads besides the row: the box, the symbols, the dtype's rounding and the values' rules. */
interface Scope { box: Box; sym: Symbols; a: Arith; rows: ExactRows }

/** One row before its activation: its exact enclosure and error form (module comment). */
function rowPre(layer: DenseLayer, r: number, input: Unit[], sc: Scope, sign: number, form: Float64Array): Pre | null {
  const { box, sym, a } = sc;
  const g = box.mid.length;
  const base = r * layer.inSize;
  const aff = new Float64Array(g + 3);
  const drift = new Float64Array(g + 3); // Σ (ŵ − w)·x
  const terms: { aff: Float64Array; k: number; err: number }[] = [];
  const ops: Operand[] = []; const readers: Unit[] = []; const columns: number[] = [];
  let products = 0; let scale = 0;
  let lost = false; // a weight < 0 stored as 0 (below float32's range): the exact row may be < 0
  let ilo = 0; let ihi = 0; // the exact value's interval
  for (let c = 0; c < layer.inSize; c++) {
    const w = layer.weights[base + c]!;
    if (w === 0) continue;
    const x = input[c]!;
    const ws = a.f32 ? Math.fround(w) : w;
    if (!Number.isFinite(ws)) return null;
    axpy(aff, w, x.aff);
    const xMax = maxAbs(x.aff, box);
    scale += Math.abs(w) * xMax;
    if (ws !== w) axpy(drift, ws - w, x.aff);
    if (!x.zero && ws === 0 && w < 0) lost = true;
    ilo += w >= 0 ? w * x.lo : w * x.hi; ihi += w >= 0 ? w * x.hi : w * x.lo;
    if (x.zero || ws === 0) continue;
    const xf = x.form;
    for (let k = 0, n = sym.count; k < n; k++) form[k] = form[k]! + ws * xf[k]!;
    terms.push({ aff: x.aff, k: ws, err: Math.abs(ws) * x.E });
    ops.push({ id: x.id, w: ws, nonneg: x.nonneg }); readers.push(x); columns.push(c);
    const tMax = Math.abs(ws) * (xMax + x.E);
    products += isPowerOfTwo(ws) ? a.eta : halfUlp(tMax, a.u, a.eta);
  }
  const b = layer.bias[r]!;
  const bs = a.f32 ? Math.fround(b) : b;
  aff[0] = aff[0]! + b; scale += Math.abs(b);
  const slack = 1e-12 * scale + 1e-300;
  aff[g + 1] = aff[g + 1]! - slack; aff[g + 2] = aff[g + 2]! + slack;
  if (bs !== 0) {
    const k = new Float64Array(g + 3); k[0] = 1;
    terms.push({ aff: k, k: bs, err: 0 });
  }
  const stored = ops.every((o, i) => o.w === layer.weights[base + columns[i]!]);
  const found = sc.rows.row(ops, bs, (x, y) => sterbenz(readers[ops.indexOf(x)]!, readers[ops.indexOf(y)]!, box, sym),
    stored);
  const value = lost || b < 0 ? { ...found, nonneg: false } : found;
  const rounding = value.exact ? 0 : sumRounding(terms, products, box, a);
  const delta = maxAbs(drift, box) + Math.abs(bs - b) + rounding + slack;
  if (!Number.isFinite(delta)) return null;
  form[sym.add(delta)] = 1;
  const E = sym.bound(form);
  const [alo, ahi] = range(aff, box);
  const lo = Math.max(alo, ilo + b - slack); const hi = Math.min(ahi, ihi + b + slack);
  return { aff, form, E, zero: false, id: value.id, exact: value.exact, nonneg: value.nonneg,
    single: ops.length <= 1 && bs === 0, sign, lo, hi };
}

/**
 * A layer's units from its rows (module comment, step 4): ReLUs, except where a mirrored pair
 * relu(v), relu(−v) is read by every row of the next layer with opposite weights (c, −c) and
 * both rows compute exact negatives of each other (each exact by exactrows.ts, or one product
 * and no bias: fl(−z) = −fl(z)). Then each reader sees the single term c·v̂, the other product
 * an exact 0, and the pair is carried as the signed value v (the first unit) and an exact 0.
 */
function activate(
  layer: DenseLayer, next: DenseLayer | undefined, pres: Pre[], sym: Symbols, rows: ExactRows,
): Unit[] {
  const out: Unit[] = [];
  for (let r = 0; r < pres.length; r++) {
    const p = pres[r]!;
    if (layer.activation !== 'relu') { out.push(p); continue; }
    if (p.sign > 0) { out.push({ ...p, nonneg: true, lo: Math.max(0, p.lo), hi: Math.max(0, p.hi) }); continue; }
    if (p.sign < 0) { out.push(zeroUnit(p, rows)); continue; }
    if (r + 1 < pres.length && signedPair(layer, next, r, p, pres[r + 1]!)) {
      out.push(p, zeroUnit(pres[r + 1]!, rows));
      r++;
      continue;
    }
    // A value known ≥ 0 exactly and as computed passes its ReLU unchanged both ways: error and enclosure kept.
    const lo = Math.max(0, p.lo); const hi = Math.max(0, p.hi);
    if (p.nonneg) {
      out.push({ aff: p.aff, form: p.form, E: p.E, zero: false, id: p.id, nonneg: true, lo, hi });
      continue;
    }
    const c = relu(p.aff, p.form, p.E, [p.lo, p.hi], sym);
    const same = !c.zero && c.on;
    out.push({ aff: c.aff, form: c.form, E: c.E, zero: c.zero, id: same ? p.id : rows.fresh(), nonneg: true, lo, hi });
  }
  return out;
}

/** An exact 0 in place of the row `p` (activate): its error form cleared, a fresh float's id. */
function zeroUnit(p: Pre, rows: ExactRows): Unit {
  return { aff: new Float64Array(p.aff.length), form: p.form.fill(0), E: 0, zero: true, id: rows.fresh(), nonneg: true,
    lo: 0, hi: 0 };
}

/** Rows r and r + 1 are a signed pair (activate): mirrored, exact negatives, read with opposite weights. */
function signedPair(layer: DenseLayer, next: DenseLayer | undefined, r: number, p: Pre, q: Pre): boolean {
  if (!next || p.sign !== 0 || q.sign !== 0 || !((p.exact && q.exact) || (p.single && q.single))) return false;
  const n = layer.inSize;
  if (layer.bias[r] !== -layer.bias[r + 1]!) return false;
  for (let c = 0; c < n; c++) if (layer.weights[r * n + c] !== -layer.weights[(r + 1) * n + c]!) return false;
  const m = next.inSize;
  for (let o = 0; o < next.outSize; o++) if (next.weights[o * m + r] !== -next.weights[o * m + r + 1]!) return false;
  return true;
}

/**
 * Sterbenz's condition on computed values (exactrows.ts, rule S): ŷ/2 ≤ x̂ ≤ 2ŷ wherever on the
 * box, from the lower bounds of x − y/2 and 2y − x (enclosure minimum less the error form's
 * bound), with a margin for this analysis's float64 arithmetic.
 */
function sterbenz(x: Unit, y: Unit, box: Box, sym: Symbols): boolean {
  const margin = 1e-9 * (maxAbs(x.aff, box) + maxAbs(y.aff, box) + x.E + y.E) + 1e-300;
  return lowerBound(x, 1, y, -0.5, box, sym) > margin && lowerBound(y, 2, x, -1, box, sym) > margin;
}

/** A lower bound of kx·x̂ + ky·ŷ over the box. */
function lowerBound(x: Unit, kx: number, y: Unit, ky: number, box: Box, sym: Symbols): number {
  const aff = new Float64Array(x.aff.length);
  axpy(aff, kx, x.aff); axpy(aff, ky, y.aff);
  const mag = sym.mag;
  let e = 0;
  for (let k = 0; k < sym.count; k++) e += Math.abs(kx * x.form[k]! + ky * y.form[k]!) * mag[k]!;
  return range(aff, box)[0] - e;
}

/** The sign of a first-layer row w·x_c on points with x_c ≥ 0 (parallelotopeRoundingBound); 0 if not known. */
function knownSign(layer: DenseLayer, r: number, nonNegative: readonly boolean[]): number {
  if (layer.bias[r] !== 0) return 0;
  let sign = 0;
  for (let c = 0; c < layer.inSize; c++) {
    const w = layer.weights[r * layer.inSize + c]!;
    if (w === 0) continue;
    if (sign !== 0 || !nonNegative[c]) return 0;
    sign = Math.sign(w);
  }
  return sign;
}

/** The evaluation's own rounding ρ of one row (module comment, step 3). */
function sumRounding(terms: { aff: Float64Array; k: number; err: number }[], products: number, box: Box, a: Arith) {
  const m = terms.length;
  if (m <= 1) return products;
  const sizes: number[] = [];
  const n = box.mid.length + 3;
  const all = new Float64Array(n);
  let errAll = 0;
  for (const t of terms) { axpy(all, t.k, t.aff); errAll += t.err; }
  const full = maxAbs(all, box) + errAll;
  let inner = 0;
  if (m > 2) {
    if (m <= ENUMERATE) {
      // Partial sums by subset (mask), each from the mask without its lowest term, in one buffer
      // (the analysis's scratch; mask 0, the empty sum, is never written: zero).
      const { sums, errs } = a;
      for (let mask = 1; mask < (1 << m) - 1; mask++) {
        const low = 31 - Math.clz32(mask & -mask);
        const rest = mask & (mask - 1);
        axpyAt(sums, mask * n, rest * n, terms[low]!.k, terms[low]!.aff);
        errs[mask] = errs[rest]! + terms[low]!.err;
        if (rest !== 0) sizes.push(maxAbsAt(sums, mask * n, box) + errs[mask]!);
      }
    } else {
      let pos = 0; let neg = 0;
      for (const t of terms) {
        const s = new Float64Array(n); axpy(s, t.k, t.aff);
        const [l, h] = range(s, box);
        pos += Math.max(0, h) + t.err; neg += Math.max(0, -l) + t.err;
      }
      for (let i = 0; i < m - 2; i++) sizes.push(Math.max(pos, neg));
    }
    sizes.sort((p, q) => q - p);
    for (let i = 0; i < m - 2; i++) inner += sizes[i]!;
  }
  // First the u-bound on the total B of local errors, then each node's half ulp at |T_S| + B.
  const B = (products + a.u * (full + inner)) / (1 - (m - 1) * a.u);
  let tight = products + halfUlp(full + B, a.u, a.eta);
  for (let i = 0; i < m - 2; i++) tight += halfUlp(sizes[i]! + B, a.u, a.eta);
  return Math.min(B, tight);
}

/** buf[to, to + n) = buf[from, from + n) + k·src, src an enclosure of n numbers (axpy on a copy). */
function axpyAt(buf: Float64Array, to: number, from: number, k: number, src: Float64Array): void {
  const n = src.length;
  for (let i = 0; i < n - 2; i++) buf[to + i] = buf[from + i]! + k * src[i]!;
  const lo = k >= 0 ? src[n - 2]! : src[n - 1]!;
  const hi = k >= 0 ? src[n - 1]! : src[n - 2]!;
  buf[to + n - 2] = buf[from + n - 2]! + k * lo;
  buf[to + n - 1] = buf[from + n - 1]! + k * hi;
}

/** maxAbs of the enclosure stored at buf[off, off + d + 3). */
function maxAbsAt(buf: Float64Array, off: number, box: Box): number {
  const d = box.mid.length;
  const half = box.half;
  let w = 0;
  for (let i = 0; i < d; i++) w += Math.abs(buf[off + 1 + i]!) * half[i]!;
  return Math.max(-(buf[off]! - w + buf[off + d + 1]!), buf[off]! + w + buf[off + d + 2]!);
}

/**
 * The largest rounding error of a value of magnitude ≤ Y rounded to nearest: half the spacing
 * of the binade [2^e, 2^(e+1)) that holds Y, 2^e·u (u = 2^−24 in float32), at least the
 * underflow loss η (half the smallest subnormal). Each |y| ≤ Y lies in that binade or a lower one.
 * Infinity where a value that large may overflow.
 */
export function halfUlp(Y: number, u: number, eta: number): number {
  // Past the largest finite value the rounding overflows; Y is widened for its own float64 error.
  if (!(Y < (u > 2 ** -30 ? 2 ** 128 : 2 ** 1024) * (1 - u))) return Infinity;
  if (Y <= 0) return 0;
  Y *= 1 + 1e-12;
  const fast = binade(Y);
  if (fast !== null) return Math.max(POW2[fast + 1000]! * u, eta);
  let e = Math.floor(Math.log2(Y));
  while (2 ** (e + 1) <= Y) e++;
  return Math.max(2 ** e * u, eta);
}

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the word holding the exponent

/** 2^e for the binades binade() returns (e in [−1000, 999]), at index e + 1000: exact powers, no Math.pow per call. */
const POW2 = Float64Array.from({ length: 2000 }, (_, i) => 2 ** (i - 1000));

/**
 * The e of 2^e ≤ Y < 2^(e+1) read from Y's exponent bits, for a normal Y whose 20 leading
 * fraction bits are not all ones (Y < 2^(e+1)·(1 − 2^−21)): there floor(log2(Y)) is e even with
 * log2's rounding (its result is within ~2^−43 of the exact one), so halfUlp's answer is the same;
 * null elsewhere (halfUlp's own steps).
 */
function binade(Y: number): number | null {
  if (!(Y >= 2 ** -1000 && Y < 2 ** 1000)) return null;
  BITS[0] = Y;
  const hi = WORDS[HIGH]!;
  if ((hi & 0xfffff) === 0xfffff) return null;
  return ((hi >>> 20) & 0x7ff) - 1023;
}

/** A ReLU on the row's enclosure, exact range [lo, hi] (the enclosure's within the interval's) and error (step 4). */
function relu(
  aff: Float64Array, form: Float64Array, E: number, [lo, hi]: [number, number], sym: Symbols,
): Core & { on?: boolean } {
  const n = aff.length;
  if (hi + E <= 0) return { aff: new Float64Array(n), form: form.fill(0), E: 0, zero: true };
  if (lo - E >= 0) return { aff, form, E, zero: false, on: true };
  let out: Float64Array;
  if (hi <= 0) out = new Float64Array(n);
  else if (lo >= 0) out = aff;
  else {
    const lam = hi / (hi - lo);
    out = new Float64Array(n);
    axpy(out, lam, aff);
    out[n - 1] = out[n - 1]! - lam * lo;
  }
  // The form is the row's own storage: changed in place. Its bound Σ|c_k|·M_k, summed in the
  // order of Symbols.bound: E plus the new symbol when the form is kept (E is that sum), the new
  // symbol alone when it is cleared (were a magnitude not finite, so would be the output's
  // bound: Infinity either way), and the halved terms' sum, formed with them, otherwise.
  if (hi <= 0) { form.fill(0); form[sym.add(hi + E)] = 1; return { aff: out, form, E: hi + E, zero: false }; }
  if (lo >= 0) { form[sym.add(E - lo)] = 1; return { aff: out, form, E: E + (E - lo), zero: false }; }
  const mag = sym.mag;
  let t = 0;
  for (let k = 0; k < sym.count; k++) { form[k] = form[k]! / 2; t += Math.abs(form[k]!) * mag[k]!; }
  form[sym.add(E / 2)] = 1;
  return { aff: out, form, E: t + E / 2, zero: false };
}

/**
 * affineRoundingBound by branch and bound over the part of a box where `inRegion` may hold
 * (net/rounding.ts RoundingSplit with this analysis per box): refine(n) gives the largest
 * bound over the boxes covering the region.
 */
export function affineRoundingSplit(
  net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>, dtype: Dtype,
  inRegion?: (lo: number[], hi: number[]) => boolean,
): RoundingSplit {
  return new RoundingSplit(net, lo, hi, dtype, undefined, inRegion, (a, b) => affineRoundingBound(net, a, b, dtype));
}
