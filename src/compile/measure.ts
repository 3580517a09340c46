import type { Expr } from '../expr/ast.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { evaluate } from '../net/evaluate.ts';
import type { Network } from '../net/network.ts';
import type { Graph } from './graph.ts';
import type { Range } from './ranges.ts';
import { sampleBox } from './sample.ts';

/**
 * Measured error of a compiled network on samples of its certified region: the given samples
 * (or fresh uniform ones in the box), keeping only those whose intermediate values stay
 * within the recorded ranges; the others are counted as outside, never mixed in.
 * f is the real formula, evaluated accurately (expr/accurate.ts: float64 where its proven
 * error is below `absTol` or 2^−44·|f|, else in higher precision); the max error is a proven
 * lower bound of the true one (|f̃ − N| less f̃'s error bound), and a network output that is
 * not finite counts as an infinite error. `column`: which output of the network `expr` is.
 */
export function measureOnRegion(expr: Expr, inputs: string[], net: Network, g: Graph, ranges: Range[], live: Set<number>, o: { vars: Record<string, Range>; samples?: Float64Array; measureCount?: number; seed?: number; absTol?: number }, column = 0) {
  const f = accurateEvaluator(expr, inputs);
  const out = new Float64Array(1);
  const d = inputs.length;
  const samples = o.samples ?? sampleBox(inputs.map((v) => o.vars[v]!), o.measureCount ?? 100_000, o.seed ?? 1);
  const rows = samples.length / d;
  // Keep the samples inside the certified region: intermediate values within their ranges.
  const checks = [...live].filter((id) => g.nodes[id]!.kind !== 'input').map((id) => ({ id, fn: nodeFunction(g, id, inputs) }));
  const keep: number[] = [];
  let outside = 0;
  for (let r = 0; r < rows; r++) {
    const args = Array.from(samples.subarray(r * d, r * d + d));
    let ok = args.every((v, i) => v >= o.vars[inputs[i]!]![0] && v <= o.vars[inputs[i]!]![1]);
    for (const c of checks) {
      if (!ok) break;
      const v = c.fn(...args);
      const [a, b] = ranges[c.id]!;
      if (!(v >= a && v <= b)) ok = false;
    }
    if (ok) keep.push(r); else outside++;
  }
  const x = new Float64Array(keep.length * d);
  keep.forEach((r, i) => x.set(samples.subarray(r * d, r * d + d), i * d));
  const yNet = evaluate(net, x);
  let max = 0;
  let sq = 0;
  keep.forEach((_, i) => {
    const fv = f(x.subarray(i * d, i * d + d), out, o.absTol ?? 0);
    const e = Math.abs(fv - yNet[i * net.outputs.length + column]!);
    const lower = Number.isNaN(e) ? Infinity : e - out[0]!;
    max = Math.max(max, lower);
    sq += e * e;
  });
  // No sample inside the region: nothing was measured (NaN, printed as such, null in JSON).
  return { max: keep.length ? max : NaN, rms: keep.length ? Math.sqrt(sq / keep.length) : NaN, count: keep.length, outside };
}

/** Exact value of a graph node as a JS function of the inputs (for region membership). */
function nodeFunction(g: Graph, id: number, inputs: string[]): (...a: number[]) => number {
  const memo = new Map<number, (a: number[]) => number>();
  const fnOfNode = (k: number): ((a: number[]) => number) => {
    const hit = memo.get(k);
    if (hit) return hit;
    const n = g.nodes[k]!;
    let fn: (a: number[]) => number;
    switch (n.kind) {
      case 'input': { const i = inputs.indexOf(n.name); fn = (a) => a[i]!; break; }
      case 'affine': { const ts = n.terms.map((t) => [fnOfNode(t.node), t.coef] as const); fn = (a) => ts.reduce((s, [h, c]) => s + c * h(a), n.constant); break; }
      case 'abs': { const h = fnOfNode(n.arg); fn = (a) => Math.abs(h(a)); break; }
      case 'relu': { const h = fnOfNode(n.arg); fn = (a) => Math.max(0, h(a)); break; }
      case 'max': { const p = fnOfNode(n.a), q = fnOfNode(n.b); fn = (a) => Math.max(p(a), q(a)); break; }
      case 'min': { const p = fnOfNode(n.a), q = fnOfNode(n.b); fn = (a) => Math.min(p(a), q(a)); break; }
      case 'square': { const h = fnOfNode(n.arg); fn = (a) => { const v = h(a); return v * v; }; break; }
      case 'norm': { const hs = n.args.map(fnOfNode); fn = (a) => Math.hypot(...hs.map((h) => h(a))); break; }
      case 'unary': { const h = fnOfNode(n.arg); const gfn = compileFunction(n.fn, ['u']); fn = (a) => gfn(h(a)); break; }
    }
    memo.set(k, fn!);
    return fn!;
  };
  const f = fnOfNode(id);
  return (...a: number[]) => f(a);
}
