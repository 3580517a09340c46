import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluate } from '../../src/net/evaluate.ts';
import { layerRanges, roundingErrorBound, roundingErrorBoundSplit } from '../../src/net/rounding.ts';
import { pwlToNetwork } from '../../src/approx/pwl.ts';
import { abs, dyadic, exactOutputs, lessEq, sub, toNumber } from './exact.ts';
import { boxAndPoints, noTiny, pwlAndFractions, smallNetwork } from './networks.ts';

const SEED = 424242;

const netWithBox = smallNetwork().chain((net) => boxAndPoints(net.inputs.length).map((b) => ({ net, ...b })));

for (const dtype of ['float32', 'float64'] as const) {
  test(`roundingErrorBound(net, box, ${dtype}) >= |evaluate(net, x, ${dtype}) - exact net(x)| on random small nets ` +
    `(fast-check seed ${SEED})`, () => {
    fc.assert(
      fc.property(netWithBox, ({ net, lo, hi, points }) => {
        const bound = roundingErrorBound(net, lo, hi, dtype)[0]!;
        assert.ok(bound >= 0 && Number.isFinite(bound), `bound ${bound}`);
        const y = evaluate(net, points.flat(), dtype);
        points.forEach((x, i) => {
          const exact = exactOutputs(net, x)[0]!;
          const err = abs(sub(dyadic(y[i]!), exact));
          assert.ok(lessEq(err, dyadic(bound)), `at x = [${x}]: |${dtype} ${y[i]} - exact ${toNumber(exact)}| ` +
            `= ${toNumber(err)} > bound ${bound}`);
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
}

test(`roundingErrorBound(pwl network, float32) >= |evaluate32 - exact| for random PWLs (fast-check seed ${SEED})`,
  () => {
  const pwl = pwlAndFractions({ start: 100, width: [1e-3, 10], y: 50, segments: 40, fractions: [1, 20] });
  fc.assert(
    fc.property(pwl, ({ p: { x, y }, fracs }) => {
      const net = pwlToNetwork({ x, y });
      const a = x[0]!;
      const b = x[x.length - 1]!;
      const pts = [a, b, ...x, ...fracs.map((s) => a + s * (b - a))];
      for (const dtype of ['float32', 'float64'] as const) {
        const bound = roundingErrorBound(net, [a], [b], dtype)[0]!;
        const out = evaluate(net, pts, dtype);
        pts.forEach((t, i) => {
          const err = abs(sub(dyadic(out[i]!), exactOutputs(net, [t])[0]!));
          assert.ok(lessEq(err, dyadic(bound)), `${dtype} at ${t}: error ${toNumber(err)} > bound ${bound}`);
        });
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('roundingErrorBound of a network with exact weights on exact inputs is small but covers float32 input rounding',
  () => {
  // y = x + 0: in float32 the only error is rounding x itself, at most 2^-24·|x|.
  const net = { inputs: ['x'], outputs: ['y'], layers: [{ activation: 'linear' as const, inSize: 1, outSize: 1,
    weights: Float64Array.of(1), bias: Float64Array.of(0) }] };
  const b32 = roundingErrorBound(net, [0], [3], 'float32')[0]!;
  assert.ok(b32 >= 3 * 2 ** -24, `bound ${b32}`);
  assert.ok(b32 <= 4 * 3 * 2 ** -24, `bound ${b32} is loose`);
  const x = 1 / 3;
  assert.equal(evaluate(net, [x], 'float32')[0], Math.fround(x));
});

test('layerRanges encloses every layer output at sampled points of the box', () => {
  fc.assert(
    fc.property(netWithBox, ({ net, lo, hi, points }) => {
      const ranges = layerRanges(net, lo, hi);
      const y = evaluate(net, points.flat());
      const last = ranges[ranges.length - 1]!;
      points.forEach((x, i) => assert.ok(last.lo[0]! <= y[i]! && y[i]! <= last.hi[0]!,
        `output ${y[i]} at [${x}] outside [${last.lo[0]}, ${last.hi[0]}]`));
    }),
    { seed: SEED, numRuns: 200 },
  );
});

// Edge cases: extreme weight ratios, and float32 underflow of weights and biases.

test('roundingErrorBound is a number (not NaN) when one row mixes weights 5e-324 and 1', () => {
  const net = {
    inputs: ['x0', 'x1'],
    outputs: ['y'],
    layers: [
      { activation: 'relu' as const, inSize: 2, outSize: 1, weights: Float64Array.of(-5e-324, 1),
        bias: Float64Array.of(0) },
      { activation: 'linear' as const, inSize: 1, outSize: 1, weights: Float64Array.of(1), bias: Float64Array.of(1) },
    ],
  };
  assert.ok(!Number.isNaN(roundingErrorBound(net, [0, 0], [1, 1], 'float64')[0]!));
});

test('roundingErrorBound(float32) covers underflow: a bias of 6e-308 rounds to 0 in float32', () => {
  const net = { inputs: ['x'], outputs: ['y'], layers: [{ activation: 'linear' as const, inSize: 1, outSize: 1,
    weights: Float64Array.of(0), bias: Float64Array.of(6e-308) }] };
  const err = Math.abs(evaluate(net, [0], 'float32')[0]! - 6e-308);
  assert.ok(roundingErrorBound(net, [0], [0], 'float32')[0]! >= err);
});

test(`roundingErrorBoundSplit covers every point of the box and never exceeds the whole-box bound (fast-check ` +
  `seed ${SEED})`, () => {
  fc.assert(
    fc.property(netWithBox, fc.integer({ min: 1, max: 40 }), ({ net, lo, hi, points }, evaluations) => {
      for (const dtype of ['float32', 'float64'] as const) {
        const whole = roundingErrorBound(net, lo, hi, dtype)[0]!;
        const split = roundingErrorBoundSplit(net, lo, hi, dtype, undefined, { evaluations });
        assert.ok(split <= whole, `split ${split} > whole ${whole}`);
        const y = evaluate(net, points.flat(), dtype);
        points.forEach((x, i) => {
          const err = abs(sub(dyadic(y[i]!), exactOutputs(net, x)[0]!));
          assert.ok(lessEq(err, dyadic(split)), `at x = [${x}] (${dtype}): error ${toNumber(err)} > split ` +
            `bound ${split}`);
        });
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test(`mirrored rows relu(w·x + b), relu(−w·x − b) share one rounding, and the bound still covers (fast-check ` +
  `seed ${SEED})`, () => {
  const w = fc.double({ min: -5, max: 5, noNaN: true }).map(noTiny).filter((v) => v !== 0);
  const b = fc.double({ min: -5, max: 5, noNaN: true }).map(noTiny);
  const c = fc.double({ min: -3, max: 3, noNaN: true }).map(noTiny);
  fc.assert(
    fc.property(w, b, c, c, fc.double({ min: -4, max: 4, noNaN: true }).map(noTiny), fc.double({ min: 0, max: 4,
      noNaN: true }).map(noTiny), (w1, b1, c1, c2, x0, width) => {
      // y = c1·relu(w1·x + b1) + c2·relu(−w1·x − b1): |w1·x + b1| when c1 = c2 = 1.
      const net = {
        inputs: ['x'], outputs: ['y'],
        layers: [
          { activation: 'relu' as const, inSize: 1, outSize: 2, weights: Float64Array.of(w1, -w1),
            bias: Float64Array.of(b1, -b1) },
          { activation: 'linear' as const, inSize: 2, outSize: 1, weights: Float64Array.of(c1, c2),
            bias: Float64Array.of(0) },
        ],
      };
      const lo = [x0];
      const hi = [x0 + width];
      for (const dtype of ['float32', 'float64'] as const) {
        const bound = roundingErrorBound(net, lo, hi, dtype)[0]!;
        for (let k = 0; k <= 16; k++) {
          const x = Math.fround(x0 + (width * k) / 16);
          const err = abs(sub(dyadic(evaluate(net, [x], dtype)[0]!), exactOutputs(net, [x])[0]!));
          assert.ok(lessEq(err, dyadic(bound)), `x=${x} ${dtype}: ${toNumber(err)} > ${bound}`);
        }
      }
    }),
    { seed: SEED, numRuns: 500 },
  );
});
