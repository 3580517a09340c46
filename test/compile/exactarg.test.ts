/**
 * A unary function of a product whose range, widened for the product's float64 evaluation
 * (1e-10 of the squares' scale), leaves the function's domain. sqrt(x·y) on [0, 1]²: a product
 * of factors of one sign is ≥ 0 by structure, its range clipped at 0 (ranges.ts), and the input
 * clamped to [0, ∞) by the builder, so it builds with a certificate at or above the error against
 * the true values, edges and corners included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { buildGraph } from '../../src/compile/graph.ts';
import { lowerForCompile } from '../../src/compile/lower.ts';
import { propagateRanges, type Range } from '../../src/compile/ranges.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { propertyRuns } from '../support/runs.ts';

/** The largest |net − truth| on fresh samples, the box's corners and points on its edges; Math.sqrt within 1e-15. */
function measuredOn(net: Parameters<typeof evaluate>[0], box: Range[], truth: (x: number, y: number) => number,
  seed: number): number {
  const [[a, b], [c, d]] = box as [Range, Range];
  const edges = [a, c, a, d, b, c, b, d];
  for (let i = 0; i <= 64; i++) {
    const s = a + (b - a) * (i / 64);
    const t = c + (d - c) * (i / 64);
    edges.push(s, c, s, d, a, t, b, t);
  }
  const x = Float64Array.from([...edges, ...sampleBox(box, 20_000, seed)]);
  const y = evaluate(net, x);
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i]! - truth(x[2 * i]!, x[2 * i + 1]!)) - 1e-15);
  return worst;
}

test('the product x·y on [0, 1]²: range [0, 1 + 1.25e-10] for float evaluation (≥ 0 by its factors\' signs)',
  () => {
    const vars: Record<string, Range> = { x: [0, 1], y: [0, 1] };
    const g = buildGraph(lowerForCompile(parseFormula('sqrt(x*y)').expr, vars), ['x', 'y']);
    const exactArgs = new Map<number, Range>();
    const r = propagateRanges(g, vars, new Map(), exactArgs);
    const sqrt = g.nodes.find((n) => n.kind === 'unary')!;
    const arg = (sqrt as { arg: number }).arg;
    // Factors of one sign: the product is ≥ 0 by structure, its range clipped at 0 (issue 28 item 3).
    assert.equal(r[arg]![0], 0, `the float range starts at 0: ${r[arg]}`);
    assert.ok(!exactArgs.has(sqrt.id) || exactArgs.get(sqrt.id)![0] === 0);
    const [lo, hi] = r[sqrt.id]!; // sqrt over [0, 1], outward
    assert.ok(lo <= 0 && lo > -1e-300 && hi >= 1 && hi < 1 + 1e-15, `${r[sqrt.id]}`);
  });

test('sqrt(x*y) on [0, 1]² builds to 1e-2: certified >= measured against the true values, edges included', () => {
  const box: Range[] = [[0, 1], [0, 1]];
  const r = compileFormula({ expr: 'sqrt(x*y)', vars: { x: box[0]!, y: box[1]! }, maxError: 1e-2, seed: 3,
    measureCount: 5000 });
  assert.ok(r.certifiedMax <= 1e-2, `certified ${r.certifiedMax}`);
  const node = r.nodes.find((n) => n.text === 'sqrt(x * y)')!;
  assert.equal(node.builtOn![0], 0, 'built on its clamped input, from 0');
  const worst = measuredOn(r.network, box, (x, y) => Math.sqrt(x * y), 7);
  assert.ok(worst <= r.certifiedMax, `measured ${worst} > certified ${r.certifiedMax}`);
});

test('sqrt(x*y) on random boxes where x·y >= 0 (fast-check seed 16): certified >= measured', () => {
  const end = fc.integer({ min: 1, max: 40 }).map((k) => k / 8);
  const side = fc.tuple(fc.constantFrom(0, 0, 0.25), end).map(([lo, w]) => [lo, lo + w] as Range);
  fc.assert(fc.property(side, side, fc.boolean(), (bx, by, negative) => {
    // Both factors non-positive: the product is >= 0 as well.
    const box: Range[] = negative ? [[-bx[1], -bx[0]], [-by[1], -by[0]]] : [bx, by];
    const r = compileFormula({ expr: 'sqrt(x*y)', vars: { x: box[0]!, y: box[1]! }, maxError: 2e-2, seed: 5,
      measureCount: 2000 });
    const worst = measuredOn(r.network, box, (x, y) => Math.sqrt(x * y), 11);
    assert.ok(worst <= r.certifiedMax, `box ${JSON.stringify(box)}: measured ${worst} > certified ${r.certifiedMax}`);
  }), { seed: 16, numRuns: propertyRuns(6) });
});

test('sqrt(x*y) where the true product reaches below 0 is still refused in one sentence', () => {
  assert.throws(() => compileFormula({ expr: 'sqrt(x*y)', vars: { x: [-1, 1], y: [0, 1] }, maxError: 1e-2 }),
    /expression must be defined on the range of every subexpression/);
});
