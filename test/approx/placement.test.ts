import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { asymptoticSegments, curvatureIntegral, placeBySpacing, placeOptimalMax, placeOptimalRms,
  placeUniform } from '../../src/approx/placement.ts';
import { relClose, target } from './targets.ts';

const SEED = 8086;

test('placeUniform(a, b, n) has n segments from exactly a to exactly b', () => {
  fc.assert(
    fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
      fc.integer({ min: 1, max: 500 }), (a, w, n) => {
      const b = a + w;
      const x = placeUniform(a, b, n);
      assert.equal(x.length, n + 1);
      assert.equal(x[0], a);
      assert.equal(x[n], b);
      for (let i = 1; i <= n; i++) assert.ok(x[i]! > x[i - 1]!, `knots not increasing at ${i}`);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('placeBySpacing(0, 1, 0.3) is 0, 0.3, 0.6, 0.9, 1: a spacing that does not divide the domain still ends at b',
  () => {
  const x = Array.from(placeBySpacing(0, 1, 0.3));
  assert.equal(x.length, 5);
  assert.equal(x[0], 0);
  assert.equal(x[4], 1);
  [0.3, 0.6, 0.9].forEach((v, i) => assert.ok(Math.abs(x[i + 1]! - v) < 1e-15));
});

test('placeBySpacing(1e6, 1e7, 1e5) is exactly the 90 segments of T1, ending at 1e7', () => {
  const x = placeBySpacing(1e6, 1e7, 1e5);
  assert.equal(x.length, 91);
  assert.equal(x[90], 1e7);
});

test('placeBySpacing with a spacing wider than the domain is one segment [a, b]', () => {
  assert.deepEqual(Array.from(placeBySpacing(0, 1, 2)), [0, 1]);
});

test(`placeBySpacing(a, b, h) always starts at a, ends at b, and no segment is longer than h (fast-check seed ${SEED})`,
  () => {
  fc.assert(
    fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true }),
      fc.double({ min: 1e-2, max: 1, noNaN: true }), (a, w, frac) => {
      const b = a + w;
      const h = w * frac;
      const x = placeBySpacing(a, b, h);
      assert.equal(x[0], a);
      assert.equal(x[x.length - 1], b);
      for (let i = 1; i < x.length; i++) {
        assert.ok(x[i]! > x[i - 1]!);
        assert.ok(x[i]! - x[i - 1]! <= h * (1 + 1e-9), `segment ${i} is ${x[i]! - x[i - 1]!} > h = ${h}`);
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('optimal placement puts a knot exactly at the kink 0.3 of abs(x-0.3), for max and RMS error and any count', () => {
  const t = target('abs(x-0.3)', -1, 1);
  for (const n of [2, 3, 4, 7, 10, 25, 60]) {
    const xm = Array.from(placeOptimalMax(t, n));
    const xr = Array.from(placeOptimalRms(t, n));
    assert.ok(xm.includes(0.3), `max, n = ${n}: ${xm}`);
    assert.ok(xr.includes(0.3), `rms, n = ${n}: ${xr}`);
    assert.equal(xm.length, n + 1);
    assert.equal(xr.length, n + 1);
  }
});

test('optimal placement for x^2 (constant curvature) is uniform: widths equal to 1e-6', () => {
  const x = placeOptimalMax(target('x^2', 1e6, 1e7), 90);
  assert.equal(x.length, 91);
  assert.equal(x[0], 1e6);
  assert.equal(x[90], 1e7);
  for (let i = 1; i <= 90; i++) assert.ok(relClose(x[i]! - x[i - 1]!, 1e5, 1e-6), `width ${i}: ${x[i]! - x[i - 1]!}`);
});

test('curvatureIntegral of sqrt on [0, 1] is the integral of sqrt|f\'\'| = 2 (within 1%), so n* = 2/(4·sqrt(1e-4)) = ' +
  '50', () => {
  const t = target('sqrt(x)', 0, 1);
  assert.ok(relClose(curvatureIntegral(t), 2, 0.01), `${curvatureIntegral(t)}`);
  assert.ok(relClose(asymptoticSegments(t, 1e-4), 50, 0.01));
});

test('curvatureIntegral of x^2 on [1e6, 1e7] is sqrt(2)·9e6', () => {
  assert.ok(relClose(curvatureIntegral(target('x^2', 1e6, 1e7)), Math.SQRT2 * 9e6, 1e-9));
});

test('optimal placement for sqrt on [0, 1] grades the knots toward 0 (each segment no wider than the next)', () => {
  const x = placeOptimalMax(target('sqrt(x)', 0, 1), 20);
  assert.equal(x[0], 0);
  assert.equal(x[20], 1);
  for (let i = 2; i <= 20; i++) assert.ok(x[i]! - x[i - 1]! >= (x[i - 1]! - x[i - 2]!) * (1 - 1e-3), `segment ${i}`);
});
