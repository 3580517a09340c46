import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildGraph } from '../../src/compile/graph.ts';
import { productIsExact, propagateRanges, sumIsExact } from '../../src/compile/ranges.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';

const SEED = 16005;
const rangeOf = (text: string, box: Record<string, [number, number]>) => {
  const g = buildGraph(parseFormula(text).expr, Object.keys(box));
  return propagateRanges(g, box, new Map())[g.output]!;
};

test('a product u·v, built as ((u+v)² − (u−v)²)/4, has the interval product of its factors as range (S·x with S in '
    + '[80, 120], x in [0, 1] is within [0, 120], not [-2040, 2140])', () => {
  const [lo, hi] = rangeOf('S * x', { S: [80, 120], x: [0, 1] });
  assert.ok(lo <= 0 && lo > -1e-3 && hi >= 120 && hi < 120.001, `[${lo}, ${hi}]`);
  // Inside a sum, the pair of squares of a product is bounded as the product too.
  const [a, b] = rangeOf('S * x - 2 * S * y', { S: [80, 120], x: [0, 1], y: [0, 1] });
  assert.ok(a >= -240.001 && b <= 120.001, `[${a}, ${b}]`);
});

test('an affine range whose products and sums are exact has no rounding slack: (x + y)/2 on [-1, 1]² is exactly [-1, '
    + '1]; productIsExact and sumIsExact are the TwoProduct/TwoSum error tests', () => {
  assert.deepEqual(rangeOf('(x + y)/2', { x: [-1, 1], y: [-1, 1] }), [-1, 1]);
  assert.ok(productIsExact(0.5, 3) && !productIsExact(0.1, 3) && productIsExact(0, 1e300) && !productIsExact(1e200,
      1e200));
  assert.ok(sumIsExact(1, 2 ** -52) && !sumIsExact(1, 2 ** -53) && !sumIsExact(1e308, 1e308));
});

test(`propagated ranges contain the float64 value of every output on random boxes, products of products included `
    + `(fast-check seed ${SEED})`, () => {
  const texts = ['x * y * z', 'x * y - y * z + x', '(x + 1) * (y - z) * x', 'x * y / (z + 3)', 'exp(x) * y - x * y'];
  const side = fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2,
      noNaN: true })).map(([p, q]): [number, number] => [Math.min(p, q), Math.max(p, q) + 1e-3]);
  fc.assert(
    fc.property(fc.constantFrom(...texts), side, side, side, (text, x, y, z) => {
      const box = { x, y, z };
      const [lo, hi] = rangeOf(text, box);
      const f = compileFunction(parseFormula(text).expr, ['x', 'y', 'z']);
      for (let i = 0; i < 200; i++) {
        const t = [x, y, z].map(([a, b], k) => a + ((b - a) * ((i * (k + 3) * 0.6180339887) % 1)));
        const v = f(t[0]!, t[1]!, t[2]!);
        const tol = 1e-12 * Math.max(1, Math.abs(v));
        assert.ok(v >= lo - tol && v <= hi + tol, `${text} at ${t}: ${v} outside [${lo}, ${hi}]`);
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});
