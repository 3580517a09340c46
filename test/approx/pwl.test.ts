import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { roundingOf } from '../../src/approx/build.ts';
import { evalPwl, pwlToNetwork, segmentCount, segmentOf, type Pwl } from '../../src/approx/pwl.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { countRelus } from '../../src/net/network.ts';
import { abs, add, dyadic, lessEq, mul, sub, toNumber } from '../net/exact.ts';
import { noTiny, pwlAndFractions } from '../net/networks.ts';

const SEED = 5150;

test('pwlToNetwork has one ReLU per segment, bias -k_i and output weight = change of slope', () => {
  const p: Pwl = { x: Float64Array.of(0, 1, 3, 4), y: Float64Array.of(2, 3, -1, 0) };
  const net = pwlToNetwork(p);
  assert.equal(countRelus(net), segmentCount(p));
  assert.deepEqual(Array.from(net.layers[0]!.bias), [-0, -1, -3]);
  assert.deepEqual(Array.from(net.layers[1]!.weights), [1, -3, 3]); // slopes 1, -2, 1
  assert.deepEqual(Array.from(net.layers[1]!.bias), [2]);
});

test('pwlToNetwork reproduces the PWL values at its knots exactly when all arithmetic is exact (integer knots, ' +
  'values, slopes)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -50, max: 50 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: -20, max: 20 })), { minLength: 1, maxLength: 60 }), fc.integer({ min: -1000, max: 1000 }), (a,
        segs, y0) => {
      const x = [a];
      const y = [y0];
      for (const [w, slope] of segs) { x.push(x[x.length - 1]! + w); y.push(y[y.length - 1]! + w * slope); }
      const net = pwlToNetwork({ x: Float64Array.from(x), y: Float64Array.from(y) });
      assert.deepEqual(Array.from(evaluate(net, x)), y);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

/**
 * |net(t) − p(t)| ≤ bound in exact arithmetic, with p(t) = (y_i·(x_{i+1} − t) + y_{i+1}·(t − x_i))
 * / (x_{i+1} − x_i).
 */
function withinExactly(p: Pwl, t: number, netValue: number, bound: number): { ok: boolean; err: number } {
  const i = segmentOf(p, t);
  const [xi, xj, yi, yj] = [p.x[i]!, p.x[i + 1]!, p.y[i]!, p.y[i + 1]!].map(dyadic) as [ReturnType<typeof dyadic>,
    ReturnType<typeof dyadic>, ReturnType<typeof dyadic>, ReturnType<typeof dyadic>];
  const T = dyadic(t);
  const den = sub(xj, xi);
  const num = add(mul(yi, sub(xj, T)), mul(yj, sub(T, xi)));
  const diff = abs(sub(mul(dyadic(netValue), den), num)); // |net − p|·den
  return { ok: lessEq(diff, mul(dyadic(bound), den)), err: toNumber(diff) / toNumber(den) };
}

test(`the network of a PWL is within roundingOf(p) of the exact PWL everywhere sampled, underflow aside (fast-check ` +
  `seed ${SEED})`, () => {
  const pwl = pwlAndFractions({ start: 1e6, width: [1e-6, 1e3], y: 1e8, segments: 50, fractions: [5, 30] });
  fc.assert(
    fc.property(pwl, ({ p, fracs }) => {
      const a = p.x[0]!;
      const b = p.x[p.x.length - 1]!;
      const ts = [...p.x, ...fracs.map((s) => Math.min(b, noTiny(a + s * (b - a))))];
      const out = evaluate(pwlToNetwork(p), ts);
      const bound = roundingOf(p);
      ts.forEach((t, k) => {
        const r = withinExactly(p, t, out[k]!, bound);
        assert.ok(r.ok, `at ${t}: |net − p| = ${r.err} > roundingOf(p) = ${bound}`);
      });
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('outside its knots the network is the constant y0 on the left and continues the last segment on the right', () => {
  const p: Pwl = { x: Float64Array.of(0, 1, 3), y: Float64Array.of(2, 3, -1) };
  const [left, right] = evaluate(pwlToNetwork(p), [-5, 4]);
  assert.equal(left, 2);
  assert.equal(right, -3); // slope -2 continued one unit past 3
});

test('segmentOf finds the segment holding t and clamps outside the knots; evalPwl interpolates', () => {
  const p: Pwl = { x: Float64Array.of(0, 1, 3), y: Float64Array.of(2, 3, -1) };
  assert.deepEqual([-1, 0, 0.5, 1, 2, 3, 9].map((t) => segmentOf(p, t)), [0, 0, 0, 1, 1, 1, 1]);
  assert.equal(evalPwl(p, 0.5), 2.5);
  assert.equal(evalPwl(p, 2), 1);
});
