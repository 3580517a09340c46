import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as I from 'interval-arithmetic';
import { add, div, exp, mul, negative, pow, sqrt, sub } from '../../src/expr/intervalops.ts';

const SEED = 20261207;

/** Endpoints from every sign case: zeros of both signs, tiny, huge, infinite and NaN values among ordinary ones. */
const end = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 5e-324, -5e-324, 1, -1, 1e308, -1e308, Infinity, -Infinity, NaN),
);
const interval = fc.tuple(end, end).map(([a, b]) => new I.Interval(Math.min(a, b), Math.max(a, b)));
/** Empty intervals too ([∞, −∞], and lo > hi). */
const anyInterval = fc.oneof(interval, fc.constant(I.constants.EMPTY), fc.tuple(end, end).map(([a, b]) => {
  const v = new I.Interval(0, 0);
  [v.lo, v.hi] = [a, b];
  return v;
}));

const same = (x: I.Interval, y: I.Interval) => Object.is(x.lo, y.lo) && Object.is(x.hi, y.hi);

test(`add, sub, negative, mul, div, pow, exp, sqrt: the library's endpoints (fast-check seed ${SEED})`, () => {
  const power = fc.oneof(fc.integer({ min: -4, max: 12 }), fc.constantFrom(1001, 2 ** 31 + 1, 2 ** 52));
  fc.assert(fc.property(anyInterval, anyInterval, power, (x, y, p) => {
    assert.ok(same(add(x, y), I.add(x, y)), 'add');
    assert.ok(same(sub(x, y), I.sub(x, y)), 'sub');
    assert.ok(same(negative(x), I.negative(x)), 'negative');
    assert.ok(same(mul(x, y), I.mul(x, y)), `mul [${x.lo}, ${x.hi}]·[${y.lo}, ${y.hi}]`);
    assert.ok(same(div(x, y), I.div(x, y)), `div [${x.lo}, ${x.hi}]/[${y.lo}, ${y.hi}]`);
    assert.ok(same(pow(x, p), I.pow(x, p)), `[${x.lo}, ${x.hi}]^${p}`);
    assert.ok(same(exp(x), I.exp(x)) && same(sqrt(x), I.sqrt(x)), `exp, sqrt [${x.lo}, ${x.hi}]`);
    assert.ok(mul(x, y) instanceof I.Interval && div(x, y) instanceof I.Interval);
  }), { seed: SEED, numRuns: 20_000 });
});
