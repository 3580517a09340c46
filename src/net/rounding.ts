import {
  ErrorSymbols, noError, symbolError, type ErrForm, type Group, type LayerState, type Units,
} from './errorform.ts';
import { type Dtype, UNDERFLOW_LOSS, UNIT_ROUNDOFF } from './floatformat.ts';
import { boxBounds, checkNetwork, choice, DTYPES } from '../validate.ts';
import type { DenseLayer, Network } from './network.ts';
import { RowCombiner } from './rowerror.ts';
import { RowGroups } from './rowgroups.ts';
import { rowStatistics, type RowStats } from './rowstats.ts';
import {
  gamma, isDead, MirroredRows, roundingsPerTerm, sterbenzExact, termMagnitude, underflowLoss,
} from './roundingrules.ts';

/**
 * Interval bounds of every layer's outputs over an input box, by exact interval propagation
 * through the affine maps (positive/negative parts of W) and ReLU. Widened by a relative
 * 1e-12 to cover the rounding of the propagation itself.
 */
export function layerRanges(
  net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>,
): { lo: Float64Array; hi: Float64Array }[] {
  checkNetwork(net);
  boxBounds(lo, hi, net.inputs.length);
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

export { UNIT_ROUNDOFF } from './floatformat.ts';

/**
 * Known ranges of each hidden unit's pre-activation value (exact arithmetic), per hidden layer;
 * `exact` marks units whose dot product the builder proves float32 computes without rounding
 * from its (possibly already rounded) inputs, such as the sawtooth teeth of compile/deep.ts.
 */
export type PreRangeHints = { lo: Float64Array; hi: Float64Array; exact?: Uint8Array }[];

/** How a dtype rounds: u for sums and products, uw for weights and biases as stored. */
interface Rounding { dtype: Dtype; u: number; uw: number }

/**
 * A proven bound on |evaluate(net, x, dtype) − exact real-arithmetic net(x)| for every x in
 * the box [lo, hi], for any order of summation inside each dot product (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1: |fl(Σ t_i) − Σ t_i| ≤ γ_{k−1} Σ|t_i|), including
 * the rounding of weights and of the inputs themselves to the dtype.
 *
 * Method. Errors are sums of independent rounding symbols with interval coefficients, so
 * correlated errors cancel as in the arithmetic (net/errorform.ts). Each layer goes row by
 * row: row statistics (net/rowstats.ts) → the rules that bound the row's own rounding
 * (net/roundingrules.ts: γ_k, one sign, Sterbenz, underflow, mirrored rows, dead units) →
 * row groups (net/rowgroups.ts). Units whose weight rows are proportional are ReLUs of one
 * scalar v; a later layer's combination Σ c_i·relu(α_i v + b_i) is a piecewise-linear
 * function P of v, and P(v̂) − P(v) lies in [min slope, max slope]·(v̂ − v) over v's range —
 * so a PWL layer passes an input's error on with the approximated function's slope, and a
 * sawtooth tooth with its Lipschitz constant 2, not with Σ|c_i α_i|. Each unit's own rounding
 * δ_i enters as c_i·λ_i·δ_i, λ_i ∈ [0, 1] (ReLU is monotone and 1-Lipschitz). `hints` give
 * known pre-activation ranges (the compiler knows them exactly; interval propagation alone is
 * loose in deep constructions); they are intersected with interval propagation. Returns the
 * bound per output.
 */
export function roundingErrorBound(
  net: Network,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  dtype: Dtype,
  hints?: PreRangeHints,
): Float64Array {
  checkNetwork(net);
  boxBounds(lo, hi, net.inputs.length);
  choice(dtype, 'dtype', DTYPES);
  const u = UNIT_ROUNDOFF[dtype];
  const rounding: Rounding = { dtype, u, uw: dtype === 'float32' ? u : 0 };
  const symbols = new ErrorSymbols();
  let state = inputState(lo, hi, rounding, symbols);
  net.layers.forEach((layer, li) => { state = layerState(layer, state, hints?.[li], rounding, symbols); });
  // The last layer is linear: each output's error is its own group's error plus its rounding.
  const { units, groups } = state;
  return Float64Array.from(units.group, (g, r) =>
    Math.abs(units.alpha[r]!) * groups[g]!.errMag + symbols.magnitudes[units.fresh[r]!]!);
}

/** Layer 0: the inputs, each its own group with α = 1, no ReLU, rounded to the dtype. */
function inputState(
  lo: ArrayLike<number>, hi: ArrayLike<number>, rounding: Rounding, symbols: ErrorSymbols,
): LayerState {
  const n = lo.length;
  const units: Units = {
    group: new Int32Array(n), alpha: new Float64Array(n).fill(1), bias: new Float64Array(n),
    fresh: new Int32Array(n).fill(-1), freshSign: new Float64Array(n).fill(1), dead: new Uint8Array(n), relu: false,
  };
  const groups: Group[] = [];
  for (let i = 0; i < n; i++) {
    const m = rounding.uw > 0 ? rounding.u * Math.max(Math.abs(lo[i]!), Math.abs(hi[i]!)) + UNDERFLOW_LOSS.float32 : 0;
    const err = m > 0 ? symbolError(symbols.add(m)) : noError();
    groups.push({ err, errMag: m, vLo: lo[i]!, vHi: hi[i]! });
    units.group[i] = i;
  }
  const errMag = Float64Array.from(groups, (g) => g.errMag);
  return { groups, units, lo: Float64Array.from(lo), hi: Float64Array.from(hi), errMag };
}

/** The analysis of one layer's outputs from its inputs': row by row, then the row groups. */
function layerState(
  layer: DenseLayer,
  input: LayerState,
  hint: PreRangeHints[number] | undefined,
  rounding: Rounding,
  symbols: ErrorSymbols,
): LayerState {
  const n = layer.outSize;
  const relu = layer.activation === 'relu';
  const units: Units = {
    group: new Int32Array(n), alpha: new Float64Array(n), bias: new Float64Array(n),
    fresh: new Int32Array(n), freshSign: new Float64Array(n), dead: new Uint8Array(n), relu,
  };
  const out: LayerState = {
    groups: [], units, lo: new Float64Array(n), hi: new Float64Array(n), errMag: new Float64Array(n),
  };
  const rowGroups = new RowGroups();
  const mirrored = new MirroredRows(symbols);
  const magnitude = (e: ErrForm) => symbols.magnitude(e);
  // One closure and one combiner per layer, not per row (their set-up cost more than the grouping).
  const combiner = new RowCombiner(layer, input.units, input.groups, symbols);
  const errorOf = (r: number, alpha: number) => combiner.row(r, alpha);
  for (let r = 0; r < n; r++) {
    const bias = layer.bias[r]!;
    const s = rowStatistics(layer, r, input, rounding.uw);
    const [pLo, pHi] = preActivationRange(s, hint, r);
    const freshMag = hint?.exact?.[r] === 1
      ? underflowLoss(s.fanIn, rounding.dtype)
      : ownRounding(s, bias, pLo, pHi, relu, rounding);
    const alpha = s.alpha === 0 ? 1 : s.alpha;
    // v = row/alpha is shared by every unit with a proportional row: unit = relu(alpha·v + b).
    const [vA, vB] = [(pLo - bias) / alpha, (pHi - bias) / alpha];
    const gi = rowGroups.place(layer, r, s.fanIn, s.firstCol, alpha, vA, vB, errorOf, magnitude);
    const w1 = s.fanIn === 1 ? layer.weights[r * layer.inSize + s.firstCol]! : 0;
    const { fresh, sign } = mirrored.symbolFor(s.fanIn, s.firstCol, w1, bias, freshMag);
    units.freshSign[r] = sign;
    units.group[r] = gi;
    units.alpha[r] = alpha;
    units.bias[r] = bias;
    units.fresh[r] = fresh;
    const own = Math.abs(alpha) * rowGroups.groups[gi]!.errMag + freshMag;
    const dead = isDead(relu, pHi, own);
    units.dead[r] = dead ? 1 : 0;
    out.errMag[r] = dead ? 0 : own;
    out.lo[r] = relu ? Math.max(0, pLo) : pLo;
    out.hi[r] = relu ? Math.max(0, pHi) : pHi;
  }
  out.groups = rowGroups.groups;
  return out;
}

/**
 * The range of row r's exact sum: interval arithmetic widened by a relative 1e-12 (for the
 * rounding of the propagation itself), intersected with the builder's hint where given.
 */
function preActivationRange(s: RowStats, hint: PreRangeHints[number] | undefined, r: number): [number, number] {
  const slack = 1e-12 * s.absSum + 1e-300;
  let pLo = s.pLo - slack;
  let pHi = s.pHi + slack;
  if (hint && Number.isFinite(hint.lo[r]!)) pLo = Math.max(pLo, hint.lo[r]!);
  if (hint && Number.isFinite(hint.hi[r]!)) pHi = Math.min(pHi, hint.hi[r]!);
  return [pLo, pHi];
}

/**
 * A bound on the row's own rounding, its inputs taken as computed: the stored weights
 * (Σ|fl(w) − w|·|x|) and bias, the γ_k rule on the sum's terms (unless Sterbenz makes it
 * exact), underflow; times 1 + 1e-9 for the float64 rounding of this arithmetic itself.
 */
function ownRounding(s: RowStats, bias: number, pLo: number, pHi: number, relu: boolean, rounding: Rounding): number {
  const { u, uw } = rounding;
  const k = roundingsPerTerm(s.fanIn, bias, s.inexact);
  const biasRounding = uw > 0 ? Math.abs(Math.fround(bias) - bias) : 0;
  const storedBias = uw > 0 ? Math.fround(bias) : bias;
  const sumMag = termMagnitude(s, storedBias, biasRounding, pLo, pHi, u);
  const exactProducts = !s.inexact && (uw === 0 || s.inexactDot === 0);
  const sterbenz = sterbenzExact(relu, s.fanIn, exactProducts, storedBias, s.yMax);
  const sumRounding = k > 0 && !sterbenz ? gamma(k, u) * (1 + uw) * sumMag : 0;
  return (s.inexactDot + sumRounding + biasRounding) * (1 + 1e-9) + underflowLoss(s.fanIn, rounding.dtype);
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
  dtype: Dtype,
  hints: PreRangeHints | undefined,
  opts: { evaluations: number; inRegion?: (lo: number[], hi: number[]) => boolean },
): number {
  return new RoundingSplit(net, lo, hi, dtype, hints, opts.inRegion).refine(opts.evaluations);
}

/**
 * roundingErrorBoundSplit's branch and bound, kept so that it can go on: refine(n) then
 * refine(m > n) gives what one run of m analyses gives, without repeating the first n.
 */
export class RoundingSplit {
  private readonly width0: number[];
  private readonly leaves: { lo: number[]; hi: number[]; bound: number }[];
  private used = 1;

  constructor(
    private readonly net: Network, lo: ArrayLike<number>, hi: ArrayLike<number>, private readonly dtype: Dtype,
    private readonly hints: PreRangeHints | undefined,
    private readonly inRegion?: (lo: number[], hi: number[]) => boolean,
    /** The analysis of one box (default roundingErrorBound's first output). */
    private readonly analyse?: (lo: ArrayLike<number>, hi: ArrayLike<number>) => number,
  ) {
    this.width0 = Array.from(hi, (h, i) => h - lo[i]!);
    this.leaves = [{ lo: Array.from(lo), hi: Array.from(hi), bound: this.bound(lo, hi) }];
  }

  private bound(a: ArrayLike<number>, b: ArrayLike<number>): number {
    if (this.analyse) return this.analyse(a, b);
    return roundingErrorBound(this.net, a, b, this.dtype, this.hints)[0]!;
  }

  /** Splits until `evaluations` analyses in all (counting earlier calls'); the largest bound over the boxes. */
  refine(evaluations: number): number {
    const { leaves, width0 } = this;
    while (this.used + 2 <= evaluations && leaves.length > 0) {
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
      const children: typeof leaves = [];
      for (const [a, b] of [[leaf.lo[axis]!, mid], [mid, leaf.hi[axis]!]] as const) {
        const cLo = leaf.lo.slice();
        const cHi = leaf.hi.slice();
        cLo[axis] = a;
        cHi[axis] = b;
        if (this.inRegion && !this.inRegion(cLo, cHi)) continue;
        this.used++;
        children.push({ lo: cLo, hi: cHi, bound: Math.min(leaf.bound, this.bound(cLo, cHi)) });
      }
      leaves.splice(w, 1, ...children);
    }
    return leaves.reduce((m, l) => Math.max(m, l.bound), 0);
  }
}
