import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitInterpolate, fitLeastSquares } from '../../src/approx/fit.ts';
import { measureErrors, samplesPerSegment } from '../../src/approx/measure.ts';
import { placeUniform } from '../../src/approx/placement.ts';
import { relClose, target } from './targets.ts';

const h = 1e5;
const t = target('x^2', 1e6, 1e7);
const x = placeUniform(1e6, 1e7, 90);

test('measureErrors of the x^2 interpolant, 90 uniform segments: max h^2/4 = 2.5e9 at a midpoint, RMS h^2/sqrt(30) = ' +
  '1.826e9', () => {
  const m = measureErrors(t.f, fitInterpolate(t, x), 100);
  assert.ok(relClose(m.maxError, (h * h) / 4, 1e-9), `max ${m.maxError}`);
  assert.ok(relClose(m.rmsError, (h * h) / Math.sqrt(30), 1e-3), `rms ${m.rmsError}`);
  const k = (m.maxAt - 1e6) / h;
  assert.ok(Math.abs(k - Math.round(k - 0.5) - 0.5) < 1e-6, `max at ${m.maxAt}, not a midpoint`);
});

test('measureErrors of the x^2 least-squares fit, 90 uniform segments: RMS h^2/sqrt(180) = 7.45e8', () => {
  const m = measureErrors(t.f, fitLeastSquares(t, x), 100);
  assert.ok(relClose(m.rmsError, (h * h) / Math.sqrt(180), 1e-3), `rms ${m.rmsError}`);
});

test('measureErrors of an exact PWL (f linear) is 0', () => {
  const lin = target('2*x + 1', 0, 4);
  const m = measureErrors(lin.f, fitInterpolate(lin, Float64Array.of(0, 1, 4)), 10);
  assert.equal(m.maxError, 0);
  assert.equal(m.rmsError, 0);
});

test('measureErrors of an exact PWL on a narrow domain far from 0 (x - 1e15 on [1e15, 1e15 + 1e6]) is 0: p is ' +
  'taken at the double each sample rounds to (an ulp of 1e15 is 0.125, far above the error)', () => {
  const lin = target('x - 1e15', 1e15, 1e15 + 1e6);
  const m = measureErrors(lin.f, fitInterpolate(lin, placeUniform(1e15, 1e15 + 1e6, 3)), 100);
  assert.equal(m.maxError, 0);
});

test('samplesPerSegment keeps segments × samples within the budget, at least 2 and at most 100 per segment', () => {
  assert.equal(samplesPerSegment(90), 100);
  assert.equal(samplesPerSegment(1e6, 4e6), 4);
  assert.equal(samplesPerSegment(1e7, 4e6), 2);
});
