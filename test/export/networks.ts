/**
 * Hand-built networks and checks shared by the exporter tests (not a test file itself).
 */
import assert from 'node:assert/strict';
import { denseLayer, type Network } from '../../src/net/network.ts';

/**
 * The interpolant of x² on [0, 1] at n + 1 uniform knots as one hidden layer (DESIGN.md §1):
 * unit i = relu(x − k_i), output weight = change of slope (s_0 = k_0 + k_1 = h, then 2h).
 */
export function pwlSquare(n = 10): Network {
  const h = 1 / n;
  const knots = Array.from({ length: n }, (_, i) => i * h);
  const slopes = knots.map((k) => k + (k + h)); // ((k+h)² − k²)/h
  // Biases are 0 − k, not −k: JSON has no −0, and round-trip tests compare exactly.
  const out = slopes.map((s, i) => (i === 0 ? s : s - slopes[i - 1]!));
  return {
    inputs: ['x'],
    outputs: ['y'],
    layers: [denseLayer('relu', 1, n, new Array(n).fill(1), knots.map((k) => 0 - k)), denseLayer('linear', n, 1, out,
      [0])],
  };
}

/** mulberry32 (src/random.ts): every random network is reproducible from its seed. */
export { rng as mulberry32 } from '../../src/random.ts';
import { rng as mulberry32 } from '../../src/random.ts';

/** A dense ReLU network with the given widths (inputs first) and weights, biases in [−1, 1). */
export function randomNetwork(seed: number, widths: number[]): Network {
  const rand = mulberry32(seed);
  const u = (): number => 2 * rand() - 1;
  const layers = widths.slice(1).map((outSize, i) => {
    const inSize = widths[i]!;
    const last = i === widths.length - 2;
    return denseLayer(last ? 'linear' : 'relu', inSize, outSize, Array.from({ length: outSize * inSize }, u),
      Array.from({ length: outSize }, u));
  });
  return {
    inputs: Array.from({ length: widths[0]! }, (_, i) => `x${i}`),
    outputs: Array.from({ length: widths[widths.length - 1]! }, (_, i) => `y${i}`),
    layers,
  };
}

/** A batch of `batch` seeded points in the box [lo, hi]^nIn, row-major. */
export function samplePoints(seed: number, batch: number, nIn: number, lo: number, hi: number): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: batch * nIn }, () => lo + (hi - lo) * rand());
}

/** `lo, lo + step, …, hi` with `count` points (the grid always includes both ends). */
export function grid(lo: number, hi: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => (i === count - 1 ? hi : lo + ((hi - lo) * i) / (count - 1)));
}

/**
 * Asserts |actual[i] − expected[i]| ≤ tolerance(i) for every i; NaN never passes and
 * infinities must match in sign. Failure messages show index, input row, both values and
 * the tolerance, which is what reproduces the case.
 */
export function assertWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: (i: number) => number,
  describe: (i: number) => string = (i) => `index ${i}`,
): number {
  assert.equal(actual.length, expected.length, `length ${actual.length} does not match expected ` +
    `length ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const tol = tolerance(i);
    const ok = Number.isNaN(a) || Number.isNaN(e) ? false : a === e || Math.abs(a - e) <= tol;
    if (!ok) assert.fail(`${describe(i)}: got ${a}, expected ${e}, difference ${Math.abs(a - e)} exceeds ` +
      `tolerance ${tol}`);
    worst = Math.max(worst, Math.abs(a - e));
  }
  return worst;
}

/** Relative closeness after stdlib-js: eps · max(1, |a|, |b|). */
export function relTolerance(eps: number, a: ArrayLike<number>, b: ArrayLike<number>): (i: number) => number {
  return (i) => eps * Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!));
}
