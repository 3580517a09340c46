import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildGraph } from '../../src/compile/graph.ts';
import { lowerForCompile } from '../../src/compile/lower.ts';
import { formulaRegion, graphRegion, MAX_REJECTION_DRAWS } from '../../src/compile/region.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { parseFormula } from '../../src/expr/parse.ts';

// The certified region: the box [-1, 1]² where the annulus 0.25 ≤ x² + y² ≤ 1 holds.
const box: [number, number][] = [[-1, 1], [-1, 1]];
const sumOfSquares = parseFormula('x^2+y^2').expr;
const annulus = formulaRegion(['x', 'y'], box, [{ text: 'x^2+y^2', expr: sumOfSquares, range: [0.25, 1] }]);
const inAnnulus = (x: number, y: number) =>
  x >= -1 && x <= 1 && y >= -1 && y <= 1 && x * x + y * y >= 0.25 && x * x + y * y <= 1;

describe('Region (compile/region.ts): the box where every stated subexpression range holds', () => {
  it('contains(p) is the box test and every constraint at p', () => {
    for (const [x, y] of [[0, 0], [0.5, 0], [0.6, 0.6], [0.8, 0.7], [1, 0], [0, -0.5], [1.2, 0], [0.3, 0.3]] as const) {
      assert.equal(annulus.contains([x, y]), inAnnulus(x, y), `(${x}, ${y})`);
    }
    assert.equal(annulus.inBox([1.2, 0]), false);
    assert.equal(annulus.holds([1.2, 0]), false);
    assert.equal(annulus.holds([0.5, 0]), true);
  });
  it('mayMeet is false only for sub-boxes that miss the region, and sound (fast-check seed 1804)', () => {
    assert.equal(annulus.mayMeet([0, 0], [0.1, 0.1]), false, 'x² + y² ≤ 0.02 there');
    assert.equal(annulus.mayMeet([0.9, 0.9], [1, 1]), false, 'x² + y² ≥ 1.62 there');
    assert.equal(annulus.mayMeet([0, 0], [0.6, 0.6]), true);
    // Sound: a sub-box holding a point of the region may meet it.
    const coord = fc.double({ min: -1, max: 1, noNaN: true });
    fc.assert(fc.property(coord, coord, coord, coord, fc.double({ min: 0, max: 1, noNaN: true }), (a, b, c, d, t) => {
      const lo = [Math.min(a, b), Math.min(c, d)];
      const hi = [Math.max(a, b), Math.max(c, d)];
      const p = [lo[0]! + t * (hi[0]! - lo[0]!), lo[1]! + (1 - t) * (hi[1]! - lo[1]!)];
      if (annulus.contains(p)) assert.ok(annulus.mayMeet(lo, hi), `p = ${p} in [${lo}] … [${hi}]`);
    }), { seed: 1804, numRuns: 2000 });
  });
  it('sample(n, seed): n points in the region, the same for the same seed; no constraints: sampleBox itself', () => {
    const s = annulus.sample(500, 3);
    assert.ok(s.samples !== null && s.kept === 500 && s.drawn >= 500);
    for (let i = 0; i < 500; i++) {
      assert.ok(annulus.contains([s.samples[2 * i]!, s.samples[2 * i + 1]!]), `sample ${i}`);
    }
    assert.deepEqual(annulus.sample(500, 3).samples, s.samples);
    const plain = formulaRegion(['x', 'y'], box, []);
    assert.deepEqual(plain.sample(100, 7).samples, sampleBox(box, 100, 7));
    assert.equal(plain.mayMeet([5, 5], [6, 6]), true, 'no constraint rules a sub-box out');
  });
  it('sample gives up (samples null) when the region is a sliver the draws cannot fill', () => {
    const sliver = formulaRegion(['x'], [[0, 1]], [{ text: 'x', expr: parseFormula('x').expr, range: [0, 1e-12] }]);
    const s = sliver.sample(1000, 1, 100_000);
    assert.equal(s.samples, null);
    assert.ok(s.drawn <= 100_000 && s.kept < 1000, `kept ${s.kept} of ${s.drawn}`);
    assert.ok(MAX_REJECTION_DRAWS >= 1e6);
  });
  it('graphRegion (compile graph nodes) and formulaRegion (formula texts) agree on the same constraint', () => {
    const vars: Record<string, [number, number]> = { x: [-1, 1], y: [-1, 1] };
    const g = buildGraph(lowerForCompile(parseFormula('sqrt(x^2+y^2)').expr, vars), ['x', 'y']);
    const sum = g.intern(lowerForCompile(parseFormula('x^2+y^2').expr, vars));
    const viaGraph = graphRegion(g, vars, [{ id: sum, range: [0.25, 1] }]);
    const coord = fc.double({ min: -1.1, max: 1.1, noNaN: true });
    fc.assert(fc.property(coord, coord, (x, y) => {
      assert.equal(viaGraph.contains([x, y]), annulus.contains([x, y]), `(${x}, ${y})`);
    }), { seed: 1805, numRuns: 2000 });
    assert.equal(viaGraph.mayMeet([0, 0], [0.1, 0.1]), false);
    assert.equal(viaGraph.mayMeet([0, 0], [0.6, 0.6]), true);
  });
});
