import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitPoints, shapedNetwork } from '../../src/approx/datafit.ts';
import { lsqOnKnots } from '../../src/approx/freeknots.ts';
import { minLinkPath } from '../../src/approx/minlink.ts';
import { groupPoints, pointErrors, pointsTube } from '../../src/approx/points.ts';
import { placeUniform } from '../../src/approx/placement.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { InputError, WorkError } from '../../src/errors.ts';

/** Deterministic noise in [−a, a] (a linear congruential generator, seed given). */
function noise(n: number, a: number, seed: number): Float64Array {
  let r = seed;
  return Float64Array.from({ length: n }, () => { r = (r * 16807) % 2147483647; return a * (2 * (r / 2147483647) - 1);
    });
}

const N = 2000;
const X = Float64Array.from({ length: N }, (_, i) => (2 * Math.PI * i) / (N - 1));
const NOISE = noise(N, 0.05, 7);
const SIN = groupPoints(X, X.map((x, i) => Math.sin(x) + NOISE[i]!));

test('fit --max-error: every point within E, and the count equals the minimum-link count of the points\' tube ' +
  '(minimal)', () => {
  for (const E of [0.2, 0.1, 0.06]) {
    const r = fitPoints(SIN, { kind: 'maxError', error: E });
    assert.ok(r.maxError <= E, `E ${E}: max error ${r.maxError}`);
    assert.equal(r.pwl.x.length - 1, minLinkPath(pointsTube(SIN, E)).links);
    assert.equal(r.segmentsLowerBound, r.pwl.x.length - 1);
  }
});

test('fit --max-error on points of a 3-segment PWL (no noise) finds 3 segments', () => {
  const x = Float64Array.from({ length: 301 }, (_, i) => i / 100);
  const y = x.map((t) => (t < 1 ? t : t < 2 ? 1 + 3 * (t - 1) : 4 - 2 * (t - 2)));
  const r = fitPoints(groupPoints(x, y), { kind: 'maxError', error: 1e-6 });
  assert.equal(r.pwl.x.length - 1, 3);
});

test('fit --segments: free-knot least squares beats least squares on uniform knots with the same count', () => {
  for (const n of [4, 8, 16]) {
    const r = fitPoints(SIN, { kind: 'segments', segments: n });
    assert.equal(r.pwl.x.length - 1, n);
    const uniform = lsqOnKnots(SIN, placeUniform(X[0]!, X[N - 1]!, n)).pwl;
    assert.ok(r.rmsError <= pointErrors(SIN, uniform).rmsError, `n ${n}: ${r.rmsError} > uniform ${pointErrors(SIN,
      uniform).rmsError}`);
  }
});

test('fit --rms-error: the fewest segments meeting it (one fewer does not)', () => {
  const r = fitPoints(SIN, { kind: 'rmsError', error: 0.04 });
  const n = r.pwl.x.length - 1;
  assert.ok(r.rmsError <= 0.04, `rms ${r.rmsError}`);
  assert.ok(fitPoints(SIN, { kind: 'segments', segments: n - 1 }).rmsError > 0.04);
});

test('monotone and convex fits hold exactly on the network: every output-weight partial sum (slope) >= 0, every ' +
  'change of slope >= 0, and sampled values agree', () => {
  const x = Float64Array.from({ length: 500 }, (_, i) => i / 50);
  const noisy = noise(500, 0.2, 3);
  const p = groupPoints(x, x.map((t, i) => t * t / 10 + noisy[i]!));
  for (const shape of [{ monotone: 'increasing' as const }, { curvature: 'convex' as const },
    { monotone: 'increasing' as const, curvature: 'convex' as const }]) {
    for (const size of [{ kind: 'maxError' as const, error: 0.3 }, { kind: 'segments' as const, segments: 6 }]) {
      const r = fitPoints(p, size, shape);
      const { network, violation } = shapedNetwork(r.pwl, shape, 'x', 'y');
      assert.equal(violation, -1);
      const w = network.layers[1]!.weights;
      let sum = 0;
      for (let i = 0; i < w.length; i++) {
        sum += w[i]!;
        if (shape.monotone) assert.ok(sum >= 0, `slope ${i} = ${sum}`);
        if (shape.curvature && i > 0) assert.ok(w[i]! >= 0, `change of slope ${i} = ${w[i]}`);
      }
      const ys = evaluate(network, Float64Array.from({ length: 2001 }, (_, i) => i / 200));
      if (shape.monotone) for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! >= ys[i - 1]! - 1e-12,
        `network decreases at ${i / 200}`);
      if (size.kind === 'maxError') assert.ok(r.maxError <= 0.3 + 1e-12, `max error ${r.maxError}`);
    }
  }
});

test('decreasing and concave fits are the mirror images of increasing and convex ones; data that cannot meet them is ' +
  'named', () => {
  const down = groupPoints(X, X.map((x, i) => -x / 3 + NOISE[i]!));
  const r = fitPoints(down, { kind: 'maxError', error: 0.1 }, { monotone: 'decreasing', curvature: 'concave' });
  assert.ok(r.maxError <= 0.1, `max error ${r.maxError}`);
  assert.equal(shapedNetwork(r.pwl, { monotone: 'decreasing', curvature: 'concave' }, 'x', 'y').violation, -1);
  assert.throws(() => fitPoints(down, { kind: 'maxError', error: 0.1 }, { monotone: 'increasing' }),
    (e: unknown) => e instanceof WorkError && /^no increasing function is within 0.1 of every point: at x = /.test(
      e.message));
  assert.throws(() => fitPoints(SIN, { kind: 'maxError', error: 0.1 }, { curvature: 'concave' }),
    (e: unknown) => e instanceof WorkError && /^no concave function is within 0.1 of every point: at x = /.test(
      e.message));
});

test('the mixed shapes: increasing and concave (sqrt), decreasing and convex fit within E, exact on the network; ' +
  ' a shape the data cannot meet names the shape asked for and an x of the data', () => {
  const xs = Float64Array.from({ length: 101 }, (_, i) => i / 10);
  const cases = [
    { ys: xs.map(Math.sqrt), shape: { monotone: 'increasing', curvature: 'concave' } as const },
    { ys: xs.map((x) => (x - 10) ** 2 / 10), shape: { monotone: 'decreasing', curvature: 'convex' } as const },
    { ys: xs.map((x) => -Math.sqrt(x)), shape: { monotone: 'decreasing', curvature: 'convex' } as const },
  ];
  for (const { ys, shape } of cases) {
    const p = groupPoints(xs, ys);
    for (const size of [{ kind: 'maxError', error: 0.05 }, { kind: 'segments', segments: 4 }] as const) {
      const r = fitPoints(p, size, shape);
      if (size.kind === 'maxError') assert.ok(r.maxError <= 0.05, `${JSON.stringify(shape)}: ${r.maxError}`);
      assert.equal(r.pwl.x[0], 0);
      assert.equal(r.pwl.x.at(-1), 10);
      assert.equal(shapedNetwork(r.pwl, shape, 'x', 'y').violation, -1, JSON.stringify(shape));
    }
  }
  assert.throws(() => fitPoints(groupPoints(xs, xs.map(Math.sqrt)), { kind: 'maxError', error: 0.05 },
    { monotone: 'decreasing', curvature: 'concave' }), (e: unknown) => e instanceof WorkError
    && /^no decreasing function is within 0.05 of every point: at x = (\d|\.)+ /.test(e.message));
});

test('bad data: unsorted x is sorted and said so; repeated x take the spread; a tolerance below half the spread ' +
  'names the x; < 2 distinct x and non-finite values are InputErrors', () => {
  const p = groupPoints(Float64Array.from([2, 0, 1, 1]), Float64Array.from([4, 0, 1, 1.5]));
  assert.equal(p.wasUnsorted, true);
  assert.deepEqual(Array.from(p.x), [0, 1, 2]);
  assert.equal(p.repeatedWithSpread, 1);
  assert.equal(p.widestSpread, 0.5);
  assert.throws(() => fitPoints(p, { kind: 'maxError', error: 0.2 }), (e: unknown) => e instanceof WorkError
    && /below half the spread of y at the repeated x = 1 /.test(e.message));
  assert.ok(fitPoints(p, { kind: 'maxError', error: 0.25 }).maxError <= 0.25);
  assert.throws(() => groupPoints(Float64Array.from([1, 1]), Float64Array.from([0, 1])),
    (e: unknown) => e instanceof InputError && /at least 2 points with different x/.test(e.message));
  assert.throws(() => groupPoints(Float64Array.from([0, NaN]), Float64Array.from([0, 1])),
    (e: unknown) => e instanceof InputError && /point 2 must have finite x and y/.test(e.message));
});
