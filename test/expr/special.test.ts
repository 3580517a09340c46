import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { preciseMath } from '../../src/expr/precisemath.ts';
import { erf, erfc, normcdf } from '../../src/expr/special.ts';

const SEED = 16001;
const P = preciseMath(50);

/** |v − r| in ulps of r (r the 50-digit value rounded to double). */
function ulps(v: number, r: number): number {
  return r === 0 ? (v === 0 ? 0 : Infinity) : Math.abs(v - r) / (Math.abs(r) * 2 ** -52);
}

test(`erf(x) is within 4 ulp and normcdf(x) within 6 ulp of their 50-digit values on [-8, 8] (|x| < 1e-100 taken as ` +
  `0: subnormal results are outside the promise) (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.double({ min: -8, max: 8, noNaN: true }).map((v) => (Math.abs(v) < 1e-100 ? 0 : v)), (x) => {
      const re = P.erf(x).toNumber();
      const rn = P.normcdf(x).toNumber();
      assert.ok(ulps(erf(x), re) <= 4, `erf(${x}) = ${erf(x)}, 50 digits ${re}: ${ulps(erf(x), re)} ulp`);
      assert.ok(ulps(normcdf(x), rn) <= 6, `normcdf(${x}) = ${normcdf(x)}, 50 digits ${rn}: ${ulps(normcdf(x),
        rn)} ulp`);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('erf is odd, erf(0) = 0, erf(±6) = ±1, erfc(x) = 1 − erf(x) within an ulp of 1, normcdf(0) = 1/2', () => {
  for (const x of [0.1, 0.7, 1, 1.5, 2.5, 4]) assert.equal(erf(-x), -erf(x));
  assert.equal(erf(0), 0);
  assert.equal(erf(6), 1);
  assert.equal(erf(-6), -1);
  for (const x of [-1, 0.3, 0.8, 1.2]) assert.ok(Math.abs(erfc(x) - (1 - erf(x))) <= 2.3e-16);
  assert.equal(normcdf(0), 0.5);
  assert.ok(Number.isNaN(erf(NaN)) && Number.isNaN(normcdf(NaN)));
});
