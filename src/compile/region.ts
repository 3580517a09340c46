import type { Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { enclose } from '../expr/interval.ts';
import type { Graph } from './graph.ts';
import { propagateRanges, type Range } from './ranges.ts';
import { sampleBox } from './sample.ts';
import { nameRecord } from '../expr/names.ts';

/** One condition of a region: the exact value of a subexpression lies in `range`. */
export interface RegionConstraint {
  text: string;
  range: Range;
  /** The subexpression's value at a point (its formula evaluated in float64), inputs in region order. */
  value: (point: readonly number[]) => number;
}

/**
 * A band cut out of a region: the points where |value − center| < halfWidth (an open band, so
 * its edges stay in the region). `enclose` bounds the value over a sub-box (null: unknown).
 */
export interface RegionBand {
  text: string;
  center: number;
  halfWidth: number;
  value: (point: readonly number[]) => number;
  enclose: (lo: readonly number[], hi: readonly number[]) => Range | null;
  /** The band's formula, where known (jumps of that very formula are covered without bisection). */
  expr?: Expr;
}

/** Encloses the constraints' subexpressions over a sub-box (in constraint order); null when it cannot. */
export type RegionEnclosure = (lo: readonly number[], hi: readonly number[]) => Range[] | null;

/** Most box samples `sample` draws before it gives up on a sliver of a region. */
export const MAX_REJECTION_DRAWS = 20_000_000;

/** What `sample` drew: `samples` (rows × inputs) or null when it gave up, with the counts either way. */
export interface RegionSample { samples: Float64Array | null; kept: number; drawn: number }

/** The point lies in no band (each open: |value − center| < halfWidth is cut out). */
export function outsideBands(bands: readonly RegionBand[], p: readonly number[]): boolean {
  return !bands.some((b) => Math.abs(b.value(p) - b.center) < b.halfWidth);
}

/**
 * The region a certificate covers: the box of the inputs, restricted to the points where every
 * constraint holds (a subexpression within its stated range) and outside every excluded band
 * (compile --exclude). One type for every test of it:
 * `contains` for points (measuring), `mayMeet` for sub-boxes (branch and bound: false only
 * when interval enclosures prove the sub-box misses the region), `sample` for fresh points.
 */
export class Region {
  constructor(
    readonly inputs: readonly string[],
    readonly box: readonly Range[],
    readonly constraints: readonly RegionConstraint[],
    private readonly enclosure: RegionEnclosure,
    readonly bands: readonly RegionBand[] = [],
  ) {}

  /** The point lies in the box (bounds included). */
  inBox(p: readonly number[]): boolean {
    // Loops, not every(): measuring tests each of 100,000 samples.
    for (let i = 0; i < p.length; i++) if (!(p[i]! >= this.box[i]![0] && p[i]! <= this.box[i]![1])) return false;
    return true;
  }

  /** The point lies in the box and every constraint holds there (a NaN value fails it). */
  contains(p: readonly number[]): boolean {
    return this.inBox(p) && this.holds(p);
  }

  /** Every constraint holds at the point and no band holds it (the box is not tested). */
  holds(p: readonly number[]): boolean {
    for (const c of this.constraints) {
      const v = c.value(p);
      if (!(v >= c.range[0] && v <= c.range[1])) return false;
    }
    return outsideBands(this.bands, p);
  }

  /** Interval enclosure proves the sub-box [lo, hi] lies inside one excluded band. */
  insideBand(lo: readonly number[], hi: readonly number[]): boolean {
    return this.bands.some((b) => {
      const r = b.enclose(lo, hi);
      return r !== null && r[0] > b.center - b.halfWidth && r[1] < b.center + b.halfWidth;
    });
  }

  /**
   * False only when the sub-box [lo, hi] certainly misses the region: some constraint's
   * enclosure over it lies outside the constraint's range, or it lies inside a band. Sound,
   * not tight (true when unsure).
   */
  mayMeet(lo: readonly number[], hi: readonly number[]): boolean {
    if (this.insideBand(lo, hi)) return false;
    if (this.constraints.length === 0) return true;
    const r = this.enclosure(lo, hi);
    if (r === null) return true;
    return this.constraints.every((c, i) => r[i]![1] >= c.range[0] && r[i]![0] <= c.range[1]);
  }

  /**
   * n points uniform in the region: the box sampled as sampleBox(box, n, seed) when there are no
   * constraints, else rejection sampling in batches of min(max(n, 10⁴), 10⁶) box points (seed
   * + round·7919), which gives up (samples null) as soon as the acceptance rate seen so far
   * projects more than `maxDraws` draws: the region is a sliver of the box.
   */
  sample(n: number, seed: number, maxDraws = MAX_REJECTION_DRAWS): RegionSample {
    if (this.constraints.length === 0 && this.bands.length === 0) {
      return { samples: sampleBox([...this.box], n, seed), kept: n, drawn: n };
    }
    const d = this.box.length;
    const kept = new Float64Array(n * d);
    let rows = 0, drawn = 0;
    for (let round = 0; rows < n; round++) {
      const m = Math.min(Math.max(n, 10_000), 1_000_000);
      const batch = sampleBox([...this.box], m, seed + round * 7919);
      drawn += m;
      for (let i = 0; i < m && rows < n; i++) {
        const row = Array.from(batch.subarray(i * d, i * d + d));
        if (this.holds(row)) kept.set(row, d * rows++);
      }
      if (rows < n && (rows === 0 || (drawn * n) / rows > maxDraws)) return { samples: null, kept: rows, drawn };
    }
    return { samples: kept, kept: rows, drawn };
  }
}

/**
 * The region of subexpression formulas given as text (a saved network's `region.ranges`, the
 * CLI's --range): each text parsed by the caller into `expr` over `inputs`; enclosures by
 * interval arithmetic (expr/interval.ts), unknown where a formula is undefined on the sub-box.
 */
export function formulaRegion(
  inputs: readonly string[], box: readonly Range[], given: readonly { text: string; expr: Expr; range: Range }[],
  bands: readonly RegionBand[] = [],
): Region {
  const constraints = given.map(({ text, expr, range }) => {
    const f = compileFunction(expr, [...inputs]);
    return { text, range, value: (p: readonly number[]) => f(...p) };
  });
  const enclosure: RegionEnclosure = (lo, hi) => given.map(({ expr }) => {
    const e = enclose(expr, Object.fromEntries(inputs.map((v, i) => [v, [lo[i]!, hi[i]!] as const])));
    return (e.undefinedPart ? [-Infinity, Infinity] : [e.lo, e.hi]) as Range;
  });
  return new Region(inputs, box, constraints, enclosure, bands);
}

/**
 * The region of nodes of a compile graph: the box of `box` (in the graph's input order) where
 * each listed node's exact value lies in its range. Values by graphValues (one pass a point); enclosures by
 * propagating ranges over the sub-box (propagateRanges, unknown where it throws).
 */
export function graphRegion(
  g: Graph, box: Record<string, Range>, nodes: readonly { id: number; range: Range }[],
  bands: readonly RegionBand[] = [],
): Region {
  const inputs = g.inputs;
  const valuesAt = graphValues(g, inputs, Math.max(-1, ...nodes.map((n) => n.id)));
  const constraints = nodes.map(({ id, range }) => (
    { text: g.nodes[id]!.text, range, value: (p: readonly number[]) => valuesAt(p)[id]! }));
  const enclosure: RegionEnclosure = (lo, hi) => {
    const sub = nameRecord<Range>();
    inputs.forEach((v, i) => { sub[v] = [lo[i]!, hi[i]!]; });
    let r: Range[];
    try { r = propagateRanges(g, sub, new Map()); } catch { return null; }
    return nodes.map(({ id }) => r[id]!);
  };
  return new Region(inputs, inputs.map((v) => box[v]!), constraints, enclosure, bands);
}

type NodeStep = (v: Float64Array, p: readonly number[]) => number;

/**
 * Exact values (float64 evaluation, for region membership) of the graph's nodes 0..`last` at a
 * point, in id order (a node's operands have smaller ids), the last point's values kept: the
 * constraints of one point share one pass (a value function per node re-evaluated every
 * subtree: 100 outputs measured 30 s in membership tests).
 */
function graphValues(g: Graph, inputs: readonly string[], last: number): (p: readonly number[]) => Float64Array {
  const steps = g.nodes.slice(0, last + 1).map((n) => nodeStep(n, inputs));
  const vals = new Float64Array(last + 1);
  let at: number[] | null = null;
  return (p) => {
    if (at === null || p.length !== at.length || p.some((x, i) => !Object.is(x, at![i]))) {
      steps.forEach((step, k) => { vals[k] = step(vals, p); });
      at = [...p];
    }
    return vals;
  };
}

/** One node's value from its operands' values `v` and the point `p`. */
function nodeStep(n: Graph['nodes'][number], inputs: readonly string[]): NodeStep {
  switch (n.kind) {
    case 'input': { const i = inputs.indexOf(n.name); return (_, p) => p[i]!; }
    case 'affine': return (v) => n.terms.reduce((s, t) => s + t.coef * v[t.node]!, n.constant);
    case 'abs': return (v) => Math.abs(v[n.arg]!);
    case 'relu': return (v) => Math.max(0, v[n.arg]!);
    case 'max': return (v) => Math.max(v[n.a]!, v[n.b]!);
    case 'min': return (v) => Math.min(v[n.a]!, v[n.b]!);
    case 'square': return (v) => v[n.arg]! * v[n.arg]!;
    case 'norm': return (v) => Math.hypot(...n.args.map((k) => v[k]!));
    case 'unary': { const gfn = compileFunction(n.fn, ['u']); return (v) => gfn(v[n.arg]!); }
  }
}
