import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { evaluate } from '../net/evaluate.ts';
import type { Network } from '../net/network.ts';
import { rng } from '../random.ts';
import { checkNetwork, choice, exprTree, numberPair, ofType, optionsOf, required, wholeNumber } from '../validate.ts';
import { anyOrderRange } from './anyorder.ts';
import { evaluateFloat32Fused, evaluateFloat32Reversed } from './float32fused.ts';

/**
 * An adversary for float32 networks: the largest |N_f32(x) − f(x)| it can find on a region,
 * over float32 inputs x (so input rounding plays no part and the figure is a lower bound of
 * the error under any reading of the certificate). N_f32 is the largest error of three
 * float32 evaluation orders: knotnet's (net/evaluate.ts, each product rounded), onnxruntime's
 * fused multiply-add (float32fused.ts), and the reverse column order with the bias first
 * (float32fused.ts; the certificates hold for any order of each row's sum, and this one rounds
 * at a row's large partial sums where the column order may not). f is the real formula (expr/accurate.ts,
 * proven within a radius r); the figure reported is |N − f̃| − r, never above the truth.
 *
 * Method: seeded samples of the region, then from the worst of them a compass search (Kolda,
 * Lewis & Torczon, "Optimization by direct search", SIAM Review 2003) over float32 points:
 * steps of 1/64 of the box width halved down to one ulp, a move taken whenever a step along a
 * coordinate (or along one of two random directions) raises the error, then single-ulp steps
 * until none helps (rounding errors change from one float32 to the next).
 *
 * With `orders: 'any'` the error at a point is also taken over the steered evaluations of
 * certify/anyorder.ts (each row summed in the order that rounds the worst way, fused or not):
 * a figure some runtime's order reaches, to be reported apart from the runtime orders'.
 */
export interface AdversaryOptions {
  net: Network;
  expr: Expr;
  /** One [lo, hi] per network input, in the network's input order. */
  box: [number, number][];
  /** The region inside the box (e.g. a shell); the whole box when absent. */
  inside?: (x: Float64Array) => boolean;
  /** Starting points, row-major; uniform samples of the box when absent. */
  samples?: Float64Array;
  /** Uniform samples when `samples` is absent (default 20 000). */
  n?: number;
  /** Worst samples the ascent starts from (default 16). */
  starts?: number;
  /** Points evaluated by the ascent at most (default 200 000). */
  maxEvaluations?: number;
  seed: number;
  /** 'runtime' (default): the three fixed orders; 'any': those and the steered orders of anyorder.ts. */
  orders?: Orders;
  /**
   * Points evaluated after the compass searches (within maxEvaluations; default 0): random
   * float32 points within 1 to 64 ulps of each coordinate of the worst point so far, the
   * centre moved to any better one (the rounding changes from point to point where the
   * approximation error barely does).
   */
  polish?: number;
}

/** Which float32 evaluation orders the adversary measures. */
export type Orders = 'runtime' | 'any';
const ORDERS: Orders[] = ['runtime', 'any'];

export interface AdversaryResult {
  /** Largest error found (a proven lower bound of max |N_f32 − f| on the region). */
  worst: number;
  /** The float32 input where it was found. */
  point: Float64Array;
  /** Largest error over the starting samples alone. */
  sampledWorst: number;
  /** Points evaluated in all. */
  evaluations: number;
}

const LIMITS = { n: 2_000_000, starts: 10_000, maxEvaluations: 20_000_000, polish: 20_000_000 };
const OPTION_NAMES = ['net', 'expr', 'box', 'inside', 'samples', 'n', 'starts', 'maxEvaluations', 'seed', 'orders',
  'polish'];

export function float32Adversary(o: AdversaryOptions): AdversaryResult {
  checkOptions(o);
  const error = float32ErrorAt(o.net, o.expr, o.orders);
  const dims = o.box.length;
  const starts = o.samples ?? uniformSamples(o.box, o.n ?? 20_000, o.seed);
  const region = (x: Float64Array): boolean => x.every((v, i) => v >= o.box[i]![0] && v <= o.box[i]![1])
    && (o.inside?.(x) ?? true);
  const candidates = rowsOf(starts, dims).map(toFloat32).filter(region);
  const errs = error(candidates);
  let evaluations = candidates.length;
  const order = errs.map((_, i) => i).sort((a, b) => errs[b]! - errs[a]!);
  const sampledWorst = candidates.length ? errs[order[0]!]! : 0;
  let best = { err: sampledWorst, x: candidates[order[0]!] ?? Float64Array.from(o.box, ([a, b]) => (a + b) / 2) };
  const budget = o.maxEvaluations ?? 200_000;
  const rand = rng(o.seed + 1);
  const climbBudget = Math.max(evaluations, budget - (o.polish ?? 0));
  for (const i of order.slice(0, o.starts ?? 16)) {
    if (evaluations >= climbBudget) break;
    const climb = compassSearch(candidates[i]!, errs[i]!, o.box, region, error, rand, climbBudget - evaluations);
    evaluations += climb.evaluations;
    if (climb.err > best.err) best = { err: climb.err, x: climb.x };
  }
  const polishing = Math.min(o.polish ?? 0, budget - evaluations);
  if (candidates.length && polishing > 0) {
    const polished = polish(best, region, error, rand, polishing);
    evaluations += polished.evaluations;
    best = polished;
  }
  return { worst: best.err, point: best.x, sampledWorst, evaluations };
}

/**
 * Errors |N_f32(x) − f(x)| − r at a batch of float32 points, the largest over three evaluation
 * orders, and over the steered orders of anyorder.ts with `orders` 'any'.
 */
export function float32ErrorAt(net: Network, expr: Expr, orders: Orders = 'runtime'):
  (points: Float64Array[]) => number[] {
  const f = accurateEvaluator(expr, net.inputs);
  const radius = new Float64Array(1);
  const range = orders === 'any' ? anyOrderRange(net) : undefined;
  return (points) => {
    if (!points.length) return [];
    const flat = new Float64Array(points.length * net.inputs.length);
    points.forEach((p, i) => flat.set(p, i * net.inputs.length));
    const ours = evaluate(net, flat, 'float32');
    const fused = evaluateFloat32Fused(net, flat);
    const back = evaluateFloat32Reversed(net, flat);
    return points.map((p, i) => {
      const truth = f(p, radius);
      let e = Math.max(Math.abs(ours[i]! - truth), Math.abs(fused[i]! - truth), Math.abs(back[i]! - truth));
      if (range) { const [lo, hi] = range(p); e = Math.max(e, truth - lo, hi - truth); }
      e -= radius[0]!;
      return Number.isNaN(e) ? -Infinity : e;
    });
  };
}

/** The compass search from x (error err) over float32 points of the region. */
function compassSearch(x: Float64Array, err: number, box: [number, number][], region: (x: Float64Array) => boolean,
  error: (p: Float64Array[]) => number[], rand: () => number, budget: number) {
  let evaluations = 0;
  let scale = 1 / 64;
  let ulpSteps = 0;
  while (evaluations < budget) {
    const ulpOnly = box.every(([a, b], i) => scale * (b - a) <= ulp32(x[i]!));
    const steps = box.map(([a, b], i) => (ulpOnly ? 1 : Math.max(scale * (b - a), ulp32(x[i]!))));
    const tries = neighbours(x, steps, ulpOnly, rand).filter(region);
    const errs = error(tries);
    evaluations += tries.length;
    const k = errs.reduce((m, e, j) => (e > errs[m]! ? j : m), 0);
    if (tries.length && errs[k]! > err) { x = tries[k]!; err = errs[k]!; continue; }
    if (ulpOnly && ++ulpSteps > 2) break;
    scale /= 2;
  }
  return { x, err, evaluations };
}

/** Random float32 points within 1–64 ulps of the best point's coordinates, the centre moved to any better one. */
function polish(best: { x: Float64Array; err: number }, region: (x: Float64Array) => boolean,
  error: (p: Float64Array[]) => number[], rand: () => number, budget: number) {
  let { x, err } = best;
  let evaluations = 0;
  for (let round = 0; evaluations < budget; round++) {
    const reach = 2 ** (round % 7);
    const tries = Array.from({ length: Math.min(64, budget - evaluations) }, () =>
      toFloat32(x.map((v) => v + Math.round((2 * rand() - 1) * reach) * ulp32(v)))).filter(region);
    evaluations += Math.max(1, tries.length);
    const errs = error(tries);
    errs.forEach((e, j) => { if (e > err) { err = e; x = tries[j]!; } });
  }
  return { x, err, evaluations };
}

/** x moved by ± each coordinate's step, and along two random directions; rounded to float32. */
function neighbours(x: Float64Array, steps: number[], ulpOnly: boolean, rand: () => number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < x.length; i++) {
    for (const sign of [-1, 1]) {
      const y = Float64Array.from(x);
      y[i] = ulpOnly ? nextFloat32(x[i]!, sign) : x[i]! + sign * steps[i]!;
      out.push(toFloat32(y));
    }
  }
  for (let k = 0; k < 2 && x.length > 1; k++) {
    out.push(toFloat32(x.map((v, i) => (ulpOnly ? nextFloat32(v, rand() < 0.5 ? -1 : 1)
      : v + (2 * rand() - 1) * steps[i]!))));
  }
  return out;
}

/** The spacing of float32 values at v (2^-149 below the normal range). */
export function ulp32(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

/** The float32 neighbour of float32 v in direction sign. */
function nextFloat32(v: number, sign: number): number {
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  if (v === 0) return sign * 2 ** -149;
  bits[0]! += (v > 0) === (sign > 0) ? 1 : -1;
  return f[0]!;
}

function toFloat32(x: Float64Array): Float64Array {
  return x.map(Math.fround);
}

function rowsOf(flat: Float64Array, dims: number): Float64Array[] {
  return Array.from({ length: Math.floor(flat.length / dims) }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
}

function uniformSamples(box: [number, number][], n: number, seed: number): Float64Array {
  const rand = rng(seed);
  const out = new Float64Array(n * box.length);
  for (let i = 0; i < out.length; i++) { const [a, b] = box[i % box.length]!; out[i] = a + (b - a) * rand(); }
  return out;
}

function checkOptions(o: AdversaryOptions): void {
  const opts = optionsOf(o, 'options', OPTION_NAMES);
  checkNetwork(required(opts, 'net'), 'net');
  exprTree(required(opts, 'expr'), 'expr');
  const box = required(opts, 'box');
  if (!Array.isArray(box) || box.length !== o.net.inputs.length) {
    throw new InputError('box', `be one [lo, hi] pair per network input (${o.net.inputs.length})`, String(box),
      { field: 'box', code: 'wrong-length' });
  }
  box.forEach((b: [number, number], i) => {
    numberPair(b, 'box', String(i));
    if (!(b[0] <= b[1])) throw new InputError(`box[${i}]`, 'be a pair [lo, hi] with lo <= hi', `[${b.join(', ')}]`,
      { field: 'box', code: 'out-of-range' });
  });
  if (o.inside !== undefined) ofType(o.inside, 'inside', 'function');
  if (o.samples !== undefined && !(o.samples instanceof Float64Array && o.samples.length % box.length === 0)) {
    throw new InputError('samples', `be a Float64Array of whole rows of ${box.length} inputs`, String(o.samples),
      { field: 'samples', code: 'wrong-type' });
  }
  for (const k of ['n', 'starts', 'maxEvaluations', 'polish'] as const) {
    if (o[k] !== undefined) wholeNumber(o[k], k, 0, LIMITS[k]);
  }
  if (o.samples !== undefined) wholeNumber(o.samples.length / box.length, 'samples rows', 0, LIMITS.n);
  wholeNumber(required(opts, 'seed'), 'seed', 0);
  if (o.orders !== undefined) choice(o.orders, 'orders', ORDERS);
}
