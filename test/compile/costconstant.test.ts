/**
 * The constant charge of an exponent (compile/constants.ts exponentSlope): x^k·ln x, the slope of
 * x^k in k, tends to 0 at x = 0 but its interval enclosure does not; bounded by its peak
 * 1/(e·k) on (0, 1] and A^k·ln A beyond, x^(2/3)·y builds with a charge of that size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { constantCharge, foldConstants, powLogBound, type FoldedConstant } from '../../src/compile/constants.ts';
import { parseFormula } from '../../src/expr/parse.ts';

test('powLogBound is at least a^k·|ln a| at every a in [0, A] and k in [k0, k1], and 1/(e·k0) when A <= 1', () => {
  fc.assert(fc.property(fc.double({ min: 1e-3, max: 100, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }),
    fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }), (A, k0, dk, s, t) => {
      const k = k0 + t * dk;
      const a = s * A;
      const value = a === 0 ? 0 : Math.pow(a, k) * Math.abs(Math.log(a));
      return powLogBound(A, k0, k0 + dk) >= value;
    }), { seed: 3011, numRuns: 500 });
  // The peak itself, at a = e^(−1/k): within the bound, which is within 2^−40 of it.
  const k = 2 / 3;
  const peak = Math.pow(Math.exp(-1 / k), k) * (1 / k);
  assert.ok(powLogBound(1, k, k) >= peak && powLogBound(1, k, k) <= peak * (1 + 1e-12));
});

test('x^(2/3)·y on [0, 1] × [1, 2]: the charge of rounding 2/3 is sup|y| · 1/(e·2/3) · its radius, and it builds',
  () => {
  const e = parseFormula('x^(2/3)*y').expr;
  const charge = constantCharge(e, { x: [0, 1], y: [1, 2] });
  const folded: FoldedConstant[] = [];
  foldConstants(e, folded);
  const [{ value, radius }] = folded as [FoldedConstant];
  // sup |∂(z·y)/∂z| = 2, sup |x^k ln x| = 1/(e·k) at the lowest k of the constant's interval.
  const expected = 2 * (1 / (Math.E * (value - 1.01 * radius))) * radius;
  assert.ok(radius > 0 && Math.abs(charge - expected) <= 1e-9 * expected, `${charge} vs ${expected}`);
  const r = compileFormula({ expr: 'x^(2/3)*y', vars: { x: [0, 1], y: [1, 2] }, maxError: 1e-3 });
  assert.ok(r.certifiedMax <= 1e-3 && r.measuredMax <= r.certifiedMax, `${r.certifiedMax} ${r.measuredMax}`);
});

test('an exponent whose power may have a negative base keeps the refusal (the rule does not apply)', () => {
  assert.throws(() => constantCharge(parseFormula('(x-1)^(2/3)*y').expr, { x: [0, 2], y: [1, 2] }),
    /slope in it is unbounded on the box/);
});
