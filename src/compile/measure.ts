import type { Expr } from '../expr/ast.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { evaluate } from '../net/evaluate.ts';
import { treeSize } from '../expr/parse.ts';
import type { Network } from '../net/network.ts';
import type { Graph } from './graph.ts';
import type { Range } from './ranges.ts';
import { graphRegion, type RegionBand } from './region.ts';
import { sampleBox } from './sample.ts';

/** The box, and the samples (given, or how many fresh ones with which seed) and tolerance of the accurate f. */
export interface MeasureOptions {
  vars: Record<string, Range>;
  samples?: Float64Array | undefined;
  measureCount?: number | undefined;
  seed?: number | undefined;
  absTol?: number;
  /** Bands cut out of the region (--exclude): samples inside them count as outside. */
  bands?: readonly RegionBand[];
}

/** Fresh samples when the caller names no count: 100,000, fewer for long formulas. */
const DEFAULT_MEASURE_COUNT = 100_000;

/**
 * The fresh samples a measurement takes when `measureCount` is not given, for formulas of
 * `nodes` nodes in all: 100,000, or as many as 10^8 formula-node evaluations allow (26–60 ns
 * each: 3–6 s), at least 10,000; and never more than 10^7 numbers (80 MB) over all `inputs`.
 * A sum of 1,900 sines measured 100,000 samples in 25 s, a third of the request's time.
 */
export function defaultMeasureCount(nodes: number, inputs: number): number {
  const byWork = Math.max(10_000, Math.min(DEFAULT_MEASURE_COUNT, Math.floor(1e8 / Math.max(1, nodes))));
  return Math.max(1, Math.min(byWork, Math.floor(1e7 / Math.max(1, inputs))));
}

/** The formula nodes of `exprs` in all, what a measurement evaluates per sample. */
export function formulaNodes(exprs: readonly Expr[]): number {
  return exprs.reduce((sum, e) => sum + treeSize(e).nodes, 0);
}

/**
 * Measured error of a compiled network on samples of its certified region: the given samples
 * (or fresh uniform ones in the box), keeping only those whose intermediate values stay
 * within the recorded ranges; the others are counted as outside, never mixed in.
 * f is the real formula, evaluated accurately (expr/accurate.ts: float64 where its proven
 * error is below `absTol` or 2^−44·|f|, else in higher precision); the max error is a proven
 * lower bound of the true one (|f̃ − N| less f̃'s error bound), and a network output that is
 * not finite counts as an infinite error. `column`: which output of the network `expr` is.
 */
export function measureOnRegion(
  expr: Expr, inputs: string[], net: Network, g: Graph, ranges: Range[], live: Set<number>, o: MeasureOptions,
  column = 0,
) {
  return measureColumnsOnRegion([expr], inputs, net, g, ranges, live, o, [column])[0]!;
}

/** One output's measurement: max (a proven lower bound of the error), RMS, samples kept and outside. */
export interface Measurement { max: number; rms: number; count: number; outside: number }

/**
 * measureOnRegion for several outputs at once: `exprs[k]` against the network's output
 * `columns[k]`, on one set of samples kept once and one evaluation of the network (100 outputs
 * measured one by one sampled, filtered and evaluated the whole network 100 times: minutes).
 */
export function measureColumnsOnRegion(
  exprs: Expr[], inputs: string[], net: Network, g: Graph, ranges: Range[], live: Set<number>, o: MeasureOptions,
  columns: number[],
): Measurement[] {
  const d = inputs.length;
  const count = o.measureCount ?? defaultMeasureCount(formulaNodes(exprs), d);
  const samples = o.samples ?? sampleBox(inputs.map((v) => o.vars[v]!), count, o.seed ?? 1);
  const rows = samples.length / d;
  // Keep the samples inside the certified region: intermediate values within their ranges.
  const nodes = [...live].filter((id) => g.nodes[id]!.kind !== 'input').map((id) => ({ id, range: ranges[id]! }));
  const region = graphRegion(g, o.vars, nodes, o.bands);
  const x = keptRows(samples, d, region);
  const kept = x.length / d;
  const outside = rows - kept;
  const yNet = evaluate(net, x);
  return exprs.map((expr, k) => {
    const f = accurateEvaluator(expr, inputs);
    const out = new Float64Array(1);
    // One buffer for every sample's inputs (copies, not views: no allocation per sample).
    const point = new Float64Array(d);
    let max = 0;
    let sq = 0;
    for (let i = 0; i < kept; i++) {
      for (let j = 0; j < d; j++) point[j] = x[i * d + j]!;
      const fv = f(point, out, o.absTol ?? 0);
      const e = Math.abs(fv - yNet[i * net.outputs.length + columns[k]!]!);
      const lower = Number.isNaN(e) ? Infinity : e - out[0]!;
      max = Math.max(max, lower);
      sq += e * e;
    }
    // No sample inside the region: nothing was measured (NaN, printed as such, null in JSON).
    const rms = kept ? Math.sqrt(sq / kept) : NaN;
    return { max: kept ? max : NaN, rms, count: kept, outside };
  });
}

/** The rows of `samples` (d values each) that lie in the region, in order, packed. */
function keptRows(samples: Float64Array, d: number, region: { contains(p: readonly number[]): boolean }): Float64Array {
  const rows = samples.length / d;
  const x = new Float64Array(samples.length);
  const point: number[] = new Array<number>(d).fill(0);
  let kept = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) point[j] = samples[r * d + j]!;
    if (!region.contains(point)) continue;
    for (let j = 0; j < d; j++) x[kept * d + j] = point[j]!;
    kept++;
  }
  return x.slice(0, kept * d);
}
