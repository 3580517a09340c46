import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import type { Network } from '../net/network.ts';
import { roundingErrorBound } from '../net/rounding.ts';
import { boundBox } from './box-bound.ts';
import { boxMayMeetRanges, FormulaEnclosure, type RangeCondition } from './formula.ts';
import { MaxHeap } from './heap.ts';
import { WorstSearch } from './worst.ts';

/**
 * Proves an upper bound of max |N(x) − f(x)| over a region (a box, optionally cut down by
 * range conditions on subexpressions) for any plain ReLU network N, and finds a worst input:
 * the answer is the interval [found, proven].
 *
 * Branch and bound over input sub-boxes (as in Bunel et al., "Branch and bound for piecewise
 * linear neural network verification", JMLR 2020, splitting the input domain): each box gets a
 * proven bound (box-bound.ts: back-substitution for N, mean-value form for f); the box with the
 * largest bound is halved along the input that moves its linear bound most (influence ×
 * width); boxes the range conditions cannot meet are dropped. Stops when the largest open bound
 * is within `gap` of the worst found, or at the time or box limit.
 *
 * The proven bound is for the network as evaluated in `dtype`: the bound for exact
 * arithmetic plus net/rounding.ts's bound of |float evaluation − exact| over the box.
 */

export interface CertifyOptions {
  net: Network;
  expr: Expr;
  /** One [lo, hi] per network input, in the network's input order. */
  box: readonly (readonly [number, number])[];
  ranges?: readonly RangeCondition[];
  /** Relative gap (proven − found) / found to stop at. Default 0.1. */
  gap?: number;
  timeSeconds?: number;
  maxBoxes?: number;
  /** The arithmetic the network is run in: its rounding is charged. Default float64. */
  dtype?: 'float64' | 'float32';
  seed?: number;
  /** Samples for the first search of the worst input. Default 4000 per input. */
  samples?: number;
  onProgress?: (p: CertifyProgress) => void;
}

export interface CertifyProgress { upper: number; lower: number; boxes: number; open: number; seconds: number }

export interface CertifyResult {
  /** Proven: max |N − f| over the region ≤ upper (N evaluated in `dtype`). */
  upper: number;
  /** The part of `upper` for the exact-arithmetic network. */
  upperExact: number;
  /** The part charged for the network's own rounding in `dtype`. */
  rounding: number;
  /** Worst |N − f| found (measured in float64), and where. */
  lower: number;
  worstInput: number[];
  /** (upper − lower) / lower. */
  gap: number;
  boxes: number;
  open: number;
  seconds: number;
  stopped: 'gap' | 'time' | 'boxes';
  /** ReLU units (linear hidden layers, as readers keep LeakyReLU read-outs, not counted). */
  relus: number;
  dtype: 'float64' | 'float32';
}

interface OpenBox { lo: Float64Array; hi: Float64Array; bound: number; influence: Float64Array }

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function certifyNetwork(opts: CertifyOptions): CertifyResult {
  const started = now();
  const { net, expr } = opts;
  const names = net.inputs;
  const gap = opts.gap ?? 0.1;
  const limitMs = (opts.timeSeconds ?? 60) * 1000;
  const maxBoxes = opts.maxBoxes ?? Infinity;
  const ranges = opts.ranges ?? [];
  const dtype = opts.dtype ?? 'float64';
  if (net.outputs.length !== 1) throw new InputError('model', 'have one output', `${net.outputs.length} outputs`);
  if (opts.box.length !== names.length) throw new InputError('--var',
    `give one range per model input (${names.length})`, opts.box.length);
  const lo0 = Float64Array.from(opts.box, (b) => b[0]), hi0 = Float64Array.from(opts.box, (b) => b[1]);
  const formula = new FormulaEnclosure(expr, names);
  const region = ranges.map((r) => ({ enc: new FormulaEnclosure(r.expr, names), lo: r.lo, hi: r.hi }));
  const search = new WorstSearch(net, expr, names, ranges, lo0, hi0);
  search.sample(opts.samples ?? 4000 * names.length, opts.seed ?? 1);
  if (search.undefinedAt) throw undefinedError(search.undefinedAt);
  const rounding = roundingErrorBound(net, lo0, hi0, dtype)[0]!;

  const heap = new MaxHeap<OpenBox>((b) => b.bound);
  let boxes = 0;
  const open = (lo: Float64Array, hi: Float64Array, parentBound: number) => {
    if (!boxMayMeetRanges(ranges, names, lo, hi)) return;
    boxes++;
    const b = boundBox(net, formula, lo, hi, region);
    for (const c of b.corners) search.consider(c);
    search.consider(lo.map((l, i) => l + (hi[i]! - l) / 2));
    heap.push({ lo, hi, bound: Math.min(parentBound, b.bound), influence: b.influence });
  };
  open(lo0, hi0, Infinity);
  const stopped = branch(heap, open, {
    done: (bound) => bound + rounding <= (1 + gap) * (search.best?.value ?? 0),
    outOfTime: () => now() - started > limitMs,
    outOfBoxes: () => boxes >= maxBoxes,
    report: () => opts.onProgress?.({ upper: (heap.peek()?.bound ?? 0) + rounding, lower: search.best?.value ?? 0,
      boxes, open: heap.size, seconds: (now() - started) / 1000 }),
  }, lo0, hi0);
  if (search.undefinedAt) throw undefinedError(search.undefinedAt);
  if (heap.size === 0) throw new InputError('--range', 'leave part of the --var box (the region is empty)',
    ranges.map((r) => r.text ?? '').join(', '));
  // A worst input near the end: ascend from the best found.
  if (search.best) search.ascend(search.best.input, search.best.value);
  const upperExact = heap.peek()!.bound;
  const upper = (upperExact + rounding) * (1 + 2 ** -52);
  const lower = search.best?.value ?? 0;
  return {
    upper, upperExact, rounding, lower,
    worstInput: search.best ? Array.from(search.best.input) : [],
    gap: lower > 0 ? (upper - lower) / lower : Infinity,
    boxes, open: heap.size, seconds: (now() - started) / 1000, stopped,
    relus: net.layers.reduce((n, l, i) => n + (i < net.layers.length - 1 && l.activation === 'relu' ? l.outSize : 0),
      0), dtype,
  };
}

/**
 * The loop: take the box with the largest bound, stop if it is within the gap (then all are)
 * or a limit is reached, else halve it (splitAxis) and open both halves.
 */
function branch(heap: MaxHeap<OpenBox>, open: (lo: Float64Array, hi: Float64Array, parentBound: number) => void,
  stop: { done: (bound: number) => boolean; outOfTime: () => boolean; outOfBoxes: () => boolean; report: () => void },
    lo0: Float64Array, hi0: Float64Array): CertifyResult['stopped'] {
  let lastReport = now();
  for (;;) {
    const top = heap.peek();
    if (!top || stop.done(top.bound)) return 'gap';
    if (stop.outOfTime()) return 'time';
    if (stop.outOfBoxes()) return 'boxes';
    const axis = splitAxis(top, lo0, hi0);
    if (axis < 0) return 'boxes';
    heap.pop();
    const mid = top.lo[axis]! + (top.hi[axis]! - top.lo[axis]!) / 2;
    const aHi = Float64Array.from(top.hi); aHi[axis] = mid;
    const bLo = Float64Array.from(top.lo); bLo[axis] = mid;
    open(top.lo, aHi, top.bound);
    open(bLo, top.hi, top.bound);
    if (now() - lastReport > 1000) { lastReport = now(); stop.report(); }
  }
}

const undefinedError = (x: Float64Array): InputError => new InputError('--expr', 'be defined everywhere on the region',
  `not finite at (${Array.from(x).join(', ')})`);

/** The input with the largest influence × relative width; −1 when the box cannot be halved. */
function splitAxis(b: OpenBox, lo0: Float64Array, hi0: Float64Array): number {
  let axis = -1, best = -1;
  for (let i = 0; i < b.lo.length; i++) {
    const w = b.hi[i]! - b.lo[i]!;
    const mid = b.lo[i]! + w / 2;
    if (!(mid > b.lo[i]! && mid < b.hi[i]!)) continue;
    const rel = w / (hi0[i]! - lo0[i]!);
    const score = (Number.isFinite(b.influence[i]!) ? b.influence[i]! : 0) + 1e-9 * rel;
    if (score > best) { best = score; axis = i; }
  }
  return axis;
}
