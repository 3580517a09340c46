import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { certifyMaxError } from '../../src/approx/certify.ts';
import { fit, fitInterpolate, fitLeastSquares, fitMinimax } from '../../src/approx/fit.ts';
import { placeUniform } from '../../src/approx/placement.ts';
import { relClose, target } from './targets.ts';

const SEED = 6502;

/** Sorted distinct knots from a to b with random interior points. */
const knotsOn = (a: number, b: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true, maxExcluded: true }), { minLength: 0,
    maxLength: 30 }).map((fr) => {
    const inner = [...new Set(fr.map((s) => a + s * (b - a)))].filter((v) => v > a && v < b).sort((p, q) => p - q);
    return Float64Array.from([a, ...inner, b]);
  });

test('fitInterpolate takes the values of f at the knots exactly', () => {
  const t = target('sin(3*x) + x^2', -1, 2);
  const x = placeUniform(-1, 2, 17);
  const p = fitInterpolate(t, x);
  x.forEach((v, i) => assert.equal(p.y[i], Math.sin(3 * v) + v * v));
});

test(`fitLeastSquares of a linear f reproduces f at every knot, for any knots (fast-check seed ${SEED})`, () => {
  const t = target('3*x - 2', -1, 5);
  fc.assert(
    fc.property(knotsOn(-1, 5), (x) => {
      const p = fitLeastSquares(t, x);
      x.forEach((v, i) => assert.ok(Math.abs(p.y[i]! - (3 * v - 2)) <= 1e-12 * 13,
        `knot ${v}: ${p.y[i]} vs ${3 * v - 2}`));
    }),
    { seed: SEED, numRuns: 100 },
  );
});

test(`fitMinimax of a linear f reproduces f at every knot (fast-check seed ${SEED})`, () => {
  const t = target('-0.5*x + 7', -1, 5);
  fc.assert(
    fc.property(knotsOn(-1, 5), (x) => {
      const p = fitMinimax(t, x);
      x.forEach((v, i) => assert.ok(Math.abs(p.y[i]! - (-0.5 * v + 7)) <= 1e-12 * 8, `knot ${v}: ${p.y[i]} vs ${-0.5 * v
        + 7}`));
    }),
    { seed: SEED, numRuns: 50 },
  );
});

test('fitMinimax of x^2 on uniform knots is the interpolant lowered by h^2/8: half the interpolation error', () => {
  const t = target('x^2', 1e6, 1e7);
  const h = 1e5;
  const x = placeUniform(1e6, 1e7, 90);
  const p = fitMinimax(t, x);
  x.forEach((v, i) => assert.ok(Math.abs(p.y[i]! - (v * v - (h * h) / 8)) <= 1e-6 * h * h,
    `knot ${v}: ${p.y[i]} vs ${v * v - (h * h) / 8}`));
  const interp = certifyMaxError(t, fitInterpolate(t, x)).maxError;
  const minimax = certifyMaxError(t, p).maxError;
  assert.ok(relClose(minimax, interp / 2, 1e-6), `minimax ${minimax} vs interpolation ${interp} / 2`);
});

test('fitLeastSquares of x^2 on uniform knots is the interpolant lowered by h^2/6 (each segment\'s L2 best line, ' +
  'already continuous)', () => {
  const t = target('x^2', 0, 3);
  const h = 0.25;
  const x = placeUniform(0, 3, 12);
  const p = fitLeastSquares(t, x);
  x.forEach((v, i) => assert.ok(Math.abs(p.y[i]! - (v * v - (h * h) / 6)) <= 1e-12,
    `knot ${v}: ${p.y[i]} vs ${v * v - (h * h) / 6}`));
});

test(`fitMinimax never has a larger certified max error than interpolation on the same knots (fast-check seed ${SEED})`,
  () => {
  const t = target('exp(x) + sin(5*x)', -1, 2);
  fc.assert(
    fc.property(knotsOn(-1, 2), (x) => {
      const mm = certifyMaxError(t, fitMinimax(t, x)).maxError;
      const ip = certifyMaxError(t, fitInterpolate(t, x)).maxError;
      assert.ok(mm <= ip * (1 + 1e-3), `minimax ${mm} > interpolation ${ip} on ${x.length - 1} segments`);
    }),
    { seed: SEED, numRuns: 40 },
  );
});

test('fit(kind) dispatches to the three fits', () => {
  const t = target('x^2', 0, 1);
  const x = placeUniform(0, 1, 4);
  assert.deepEqual(fit('interpolate', t, x).y, fitInterpolate(t, x).y);
  assert.deepEqual(fit('minimax', t, x).y, fitMinimax(t, x).y);
  assert.deepEqual(fit('lsq', t, x).y, fitLeastSquares(t, x).y);
});
