import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorSymbols } from '../../src/net/errorform.ts';
import { UNDERFLOW_LOSS, UNIT_ROUNDOFF } from '../../src/net/floatformat.ts';
import {
  gamma, isDead, isPowerOfTwo, MirroredRows, roundingsPerTerm, sterbenzExact, termMagnitude, underflowLoss,
} from '../../src/net/roundingrules.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { abs, add, dyadic, lessEq, mul, sub, toNumber, type Dyadic } from './exact.ts';

const SEED = 180718;
const U32 = UNIT_ROUNDOFF.float32;
const f = Math.fround;
/** A float32 number in [−range, range], or 0. */
const float32 = (range: number) => fc.double({ min: -range, max: range, noNaN: true }).map(f);
/** A float32 number in [min, max] (0 < min). */
const positive32 = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(f);
const sumExact = (ts: number[]): Dyadic => ts.reduce((s, t) => add(s, dyadic(t)), dyadic(0));

test(`gamma(n − 1, u)·Σ|t| bounds a float32 sum of n float32 terms (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.array(float32(1e6), { minLength: 1, maxLength: 40 }), (ts) => {
      const computed = ts.reduce((s, t) => f(s + t), 0);
      const err = abs(sub(dyadic(computed), sumExact(ts)));
      const bound = gamma(ts.length - 1, U32) * ts.reduce((s, t) => s + Math.abs(t), 0);
      assert.ok(lessEq(err, dyadic(bound)), `error ${toNumber(err)} > bound ${bound} for [${ts}]`);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

test('roundingsPerTerm: a carry relu(x) rounds nowhere; each inexact product and the bias add one', () => {
  assert.equal(roundingsPerTerm(1, 0, false), 0);
  assert.equal(roundingsPerTerm(1, 0.5, false), 1);
  assert.equal(roundingsPerTerm(3, 0, true), 3);
  assert.equal(roundingsPerTerm(3, -2, true), 4);
});

test(`isPowerOfTwo(w): f32(w·x) = w·x for float32 x away from over- and underflow (seed ${SEED})`, () => {
  assert.deepEqual([1, -2, 0.25, 2 ** 127, 2 ** -126].map(isPowerOfTwo), [true, true, true, true, true]);
  assert.deepEqual([0, 3, 0.1, 2 ** -127, 2 ** 128].map(isPowerOfTwo), [false, false, false, false, false]);
  const x32 = fc
    .tuple(fc.boolean(), fc.double({ min: 2 ** -100, max: 1e6, noNaN: true }))
    .map(([neg, m]) => f(neg ? -m : m));
  fc.assert(
    fc.property(fc.integer({ min: -20, max: 20 }), x32, (k, x) => {
      const w = -(2 ** k);
      assert.ok(isPowerOfTwo(w));
      assert.equal(f(w * x), w * x);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test(`termMagnitude of terms of one sign bounds Σ|t̂| by the exact sum's range (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.array(positive32(1e-3, 1e3), { minLength: 1, maxLength: 20 }), (ts) => {
      const exact = ts.reduce((s, t) => s + t, 0) * (1 + 1e-12);
      const signs = { pos: true, neg: false, absSum: 2 * exact, errDot: 0, inexactDot: 0 };
      const m = termMagnitude(signs, 0, 0, 0, exact, U32);
      assert.ok(m < signs.absSum, `one sign: ${m} is not the tighter |Σ t|`);
      assert.ok(m >= ts.reduce((s, t) => s + Math.abs(t), 0));
      assert.equal(termMagnitude({ ...signs, pos: false }, 0, 0, 0, exact, U32), signs.absSum);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test(`sterbenzExact: float32 computes relu(2^k·x + β) exactly when 2^k·x ≤ −2β (seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.integer({ min: -8, max: 8 }), float32(100), positive32(1e-3, 100), (k, x, m) => {
      const beta = -m;
      const y = 2 ** k * x;
      fc.pre(sterbenzExact(true, 1, true, beta, y));
      const computed = Math.max(0, f(f(y) + beta));
      const exact = add(dyadic(y), dyadic(beta));
      const exactly = exact.m <= 0n ? computed === 0 : lessEq(abs(sub(dyadic(computed), exact)), dyadic(0));
      assert.ok(exactly, `y ${y}, β ${beta}`);
    }),
    { seed: SEED, numRuns: 500 },
  );
  assert.equal(sterbenzExact(true, 1, true, -1, 2.5), false, 'y > −2β: y + β may round');
  assert.equal(sterbenzExact(false, 1, true, -1, 1), false, 'without the ReLU a negative sum may round');
});

test(`underflowLoss bounds the loss of a float32 product that underflows (fast-check seed ${SEED})`, () => {
  assert.equal(underflowLoss(3, 'float32'), 3 * UNDERFLOW_LOSS.float32);
  fc.assert(
    fc.property(positive32(1e-30, 1e-20), positive32(1e-25, 1e-19), (a, b) => {
      const err = abs(sub(dyadic(f(a * b)), mul(dyadic(a), dyadic(b))));
      assert.ok(lessEq(err, dyadic(underflowLoss(1, 'float32'))), `${a}·${b}: error ${toNumber(err)}`);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('isDead: a ReLU that stays ≤ 0 however rounded carries no error into the next layer', () => {
  assert.equal(isDead(true, -1, 0.5), true);
  assert.equal(isDead(true, -1, 2), false);
  assert.equal(isDead(false, -1, 0.5), false);
  // y = 5·relu(0.3·x − 10) on [0, 1]: the unit is dead, so only the output product's underflow remains.
  const net = {
    inputs: ['x'], outputs: ['y'],
    layers: [
      { activation: 'relu' as const, inSize: 1, outSize: 1, weights: Float64Array.of(0.3), bias: Float64Array.of(-10) },
      { activation: 'linear' as const, inSize: 1, outSize: 1, weights: Float64Array.of(5), bias: Float64Array.of(0) },
    ],
  };
  assert.equal(roundingErrorBound(net, [0], [1], 'float32')[0], underflowLoss(1, 'float32'));
});

test(`MirroredRows: f32(−w·x − b) = −f32(w·x + b), so the pair shares one symbol (seed ${SEED})`, () => {
  fc.assert(
    fc.property(float32(10), float32(10), float32(10), (w, x, b) => {
      assert.ok(Object.is(f(f(-w * x) + -b) + 0, -f(f(w * x) + b) + 0), `w ${w}, x ${x}, b ${b}`);
    }),
    { seed: SEED, numRuns: 500 },
  );
  const symbols = new ErrorSymbols();
  const rows = new MirroredRows(symbols);
  const first = rows.symbolFor(1, 0, 0.3, 1, 1e-7);
  assert.deepEqual(rows.symbolFor(1, 0, -0.3, -1, 2e-7), { fresh: first.fresh, sign: -1 });
  assert.equal(symbols.magnitudes[first.fresh], 2e-7, 'the shared symbol covers both rows');
  assert.notEqual(rows.symbolFor(1, 0, 0.3, 1, 1e-7).fresh, first.fresh, 'a third row starts anew');
  assert.equal(rows.symbolFor(1, 1, -0.3, -1, 1e-7).sign, 1, 'another column does not mirror');
});
