import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { erf, normcdf } from '../../src/expr/special.ts';

const SEED = 16003;

/**
 * The functions of issue 16 on random sub-domains of where they are defined, including the
 * ends where the slope is infinite (asin, acos at ±1; cbrt at 0).
 */
const CASES: { text: string; f: (x: number) => number; domain: [number, number] }[] = [
  { text: 'atan(x)', f: Math.atan, domain: [-20, 20] },
  { text: 'asin(x)', f: Math.asin, domain: [-1, 1] },
  { text: 'acos(x)', f: Math.acos, domain: [-1, 1] },
  { text: 'cbrt(x)', f: Math.cbrt, domain: [-8, 8] },
  { text: 'sinh(x)', f: Math.sinh, domain: [-5, 5] },
  { text: 'cosh(x)', f: Math.cosh, domain: [-5, 5] },
  { text: 'erf(x)', f: erf, domain: [-4, 4] },
  { text: 'normcdf(x)', f: normcdf, domain: [-6, 6] },
  { text: 'atan2(x, 0.5)', f: (x) => Math.atan2(x, 0.5), domain: [-5, 5] },
  { text: 'atan2(1, x)', f: (x) => Math.atan2(1, x), domain: [-5, 5] },
  { text: 'clamp(x, -0.3, 0.4)', f: (x) => Math.min(Math.max(x, -0.3), 0.4), domain: [-1, 1] },
  { text: 'x^(x/2)', f: (x) => Math.pow(x, x / 2), domain: [0.05, 3] },
];

const setup = fc.record({
  kase: fc.constantFrom(...CASES),
  // Sub-domain [a, b] of the case's domain: an end pinned to the domain's end half the time.
  s: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
    fc.boolean()),
  n: fc.integer({ min: 2, max: 40 }),
  fit: fc.constantFrom('interpolate' as const, 'minimax' as const),
});

test(`certified max error >= max |f − network| on 40 points per segment, for the new functions on random domains ` +
  `(ends with infinite slope included), counts and fits (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(setup, ({ kase, s: [p, q, pinLo, pinHi], n, fit }) => {
      const [A, B] = kase.domain;
      let a = A + (B - A) * Math.min(p, q);
      let b = A + (B - A) * Math.max(p, q);
      if (pinLo) a = A;
      if (pinHi) b = B;
      if (!(b - a > 1e-3)) return;
      const r = approximate({ expr: kase.text, domain: [a, b], size: { kind: 'knots', segments: n },
        placement: 'optimal', fit });
      const { x } = r.pwl;
      const xs: number[] = [];
      for (let i = 0; i + 1 < x.length; i++) for (let j = 0; j < 40; j++) xs.push(x[i]! + ((x[i
        + 1]! - x[i]!) * j) / 40);
      xs.push(b);
      const net = evaluate(r.network, xs);
      let worst = 0;
      let at = a;
      xs.forEach((t, k) => { const d = Math.abs(kase.f(t) - net[k]!); if (d > worst) { worst = d; at = t; } });
      assert.ok(r.certifiedMax >= worst, `${kase.text} on [${a}, ${b}], n = ${n}, ${fit}: ` +
        `certified ${r.certifiedMax} < ${worst} at x = ${at}`);
      assert.ok(r.certifiedMax >= r.measuredMax);
    }),
    { seed: SEED, numRuns: 60 },
  );
});
