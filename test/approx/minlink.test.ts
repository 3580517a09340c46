import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { minLinkPath, type Tube } from '../../src/approx/minlink.ts';
import { minimalPwl, sampleTube, segmentsLowerBound } from '../../src/approx/minimal.ts';
import { certifyMaxError } from '../../src/approx/certify.ts';
import { target } from './targets.ts';

const SEED = 141421;

/** Value of the path at t (linear between its vertices). */
function pathAt(p: { x: Float64Array; y: Float64Array }, t: number): number {
  let k = 0;
  while (k + 2 < p.x.length && p.x[k + 1]! <= t) k++;
  const s = (t - p.x[k]!) / (p.x[k + 1]! - p.x[k]!);
  return p.y[k]! + s * (p.y[k + 1]! - p.y[k]!);
}

test(`minLinkPath: strictly increasing vertices from x_0 to x_M, inside the tube at every sample, for random tubes ` +
  `(fast-check seed ${SEED})`, () => {
  const tubes = fc.record({
    steps: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 300 }),
    widths: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 301, maxLength: 301 }),
    gaps: fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: 300, maxLength: 300 }),
  });
  fc.assert(fc.property(tubes, ({ steps, widths, gaps }) => {
    const M = steps.length;
    const x = new Float64Array(M + 1);
    const mid = new Float64Array(M + 1);
    for (let j = 1; j <= M; j++) { x[j] = x[j - 1]! + gaps[j - 1]!; mid[j] = mid[j - 1]! + steps[j - 1]!; }
    const tube: Tube = { x, lo: mid.map((v, j) => v - widths[j]!), hi: mid.map((v, j) => v + widths[j]!) };
    const p = minLinkPath(tube);
    assert.equal(p.x.length, p.links + 1);
    assert.equal(p.x[0], x[0]);
    assert.equal(p.x[p.links], x[M]);
    for (let k = 1; k <= p.links; k++) assert.ok(p.x[k]! > p.x[k - 1]!,
      `vertex ${k} at ${p.x[k]} not right of ${p.x[k - 1]}`);
    for (let j = 0; j <= M; j++) {
      const v = pathAt(p, x[j]!);
      const tol = 1e-9 * (1 + Math.abs(v));
      assert.ok(v >= tube.lo[j]! - tol && v <= tube.hi[j]! + tol,
        `sample ${j}: ${v} outside [${tube.lo[j]}, ${tube.hi[j]}]`);
    }
  }), { seed: SEED, numRuns: 200 });
});

test('minLinkPath: a straight tube takes one link; a tube with one corner takes two', () => {
  const x = Float64Array.from({ length: 11 }, (_, j) => j);
  const line = minLinkPath({ x, lo: x.map((v) => 2 * v - 0.1), hi: x.map((v) => 2 * v + 0.1) });
  assert.equal(line.links, 1);
  const corner = minLinkPath({ x, lo: x.map((v) => Math.abs(v - 5) - 0.1), hi: x.map((v) => Math.abs(v - 5) + 0.1) });
  assert.equal(corner.links, 2);
});

/**
 * x² on an interval of width w: the best continuous PWL with n segments has max error
 * (w/n)²/8 (equal segments, each the chord shifted by half its error), so the fewest segments
 * within E is ⌈w/√(8E)⌉.
 */
test('x^2: the lower bound and the certified construction both equal ceil(w / sqrt(8E)) away from ties', () => {
  for (const [a, b, E] of [[-3.5, 3.5, 0.1], [-3.5, 3.5, 0.01], [0, 1, 1e-4], [1e6, 1e7, 1e9]] as const) {
    const t = target('x^2', a, b);
    const expected = Math.ceil((b - a) / Math.sqrt(8 * E));
    const s = sampleTube(t, 4096, 1e-4 * E);
    assert.equal(segmentsLowerBound(s, E), expected, `lower bound on [${a}, ${b}] at ${E}`);
    const r = minimalPwl(t, E, 1e6, (p, rtol) => certifyMaxError(t, p, { rtol }).maxError)!;
    assert.equal(r.pwl.x.length - 1, expected, `construction on [${a}, ${b}] at ${E}`);
    assert.ok(r.certified <= E, `certified ${r.certified}`);
  }
});

test('sampleTube: each slack bounds |f − chord| on the adjacent gaps (checked at 64 points per gap)', () => {
  for (const [text, a, b] of [['sin(x)', 0, 6.3], ['sqrt(x)', 0, 1], ['abs(x-0.3)+x^3', -1, 1]] as const) {
    const t = target(text, a, b);
    const s = sampleTube(t, 600, 1e-4);
    for (let j = 0; j + 1 < s.x.length; j++) {
      const c = s.x[j]!;
      const d = s.x[j + 1]!;
      for (let q = 1; q < 64; q++) {
        const v = c + ((d - c) * q) / 64;
        const dev = Math.abs(t.f(v) - (s.fx[j]! + ((s.fx[j + 1]! - s.fx[j]!) * q) / 64));
        assert.ok(dev <= Math.min(s.slack[j]!, s.slack[j + 1]!) * (1 + 1e-9) + 1e-15,
          `${text} at ${v}: |f − chord| ${dev} > slack ${Math.min(s.slack[j]!, s.slack[j + 1]!)}`);
      }
    }
  }
});
