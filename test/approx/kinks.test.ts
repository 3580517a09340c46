import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { propertyRuns } from '../support/runs.ts';
import { target } from './targets.ts';
import { trueMaxError } from './truth.ts';

const SEED = 161803;

/** A number of [min, max] with at most three decimals (degenerate formulas, f ≡ 0 or 1e-78, are not the point). */
const num = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((k) => k / 1000);
/** A factor of magnitude in [min, max], either sign. */
const factor = (min: number, max: number) => fc.tuple(num(min, max), fc.boolean()).map(([c, neg]) => (neg ? -c : c));

/** A non-linear argument: its f'' is not 0, so taking the wrong branch shows in the certificate. */
const smooth: fc.Arbitrary<string> = fc.oneof(
  num(0.5, 6).map((c) => `sin((${c})*x)`),
  factor(0.2, 2).map((c) => `exp((${c})*x)`),
  factor(0.2, 3).map((c) => `(${c})*x^2`),
  num(0.5, 5).map((c) => `tanh((${c})*x)`),
  fc.constant('x^4'),
);

/**
 * A kink of non-linear arguments in either order, against a constant or another argument:
 * min, max (of two and three), clamp, and abs and relu of a difference.
 */
const kinked: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('min', 'max'), smooth, smooth).map(([m, p, q]) => `${m}(${p}, ${q})`),
  fc.tuple(fc.constantFrom('min', 'max'), smooth, factor(0.05, 1), fc.boolean())
    .map(([m, p, c, first]) => (first ? `${m}(${c}, ${p})` : `${m}(${p}, ${c})`)),
  fc.tuple(fc.constantFrom('min', 'max'), smooth, factor(0.05, 1), smooth)
    .map(([m, p, c, q]) => `${m}(${p}, ${c}, ${q})`),
  fc.tuple(smooth, num(-1, -0.05), num(0.05, 1)).map(([p, lo, hi]) => `clamp(${p}, ${lo}, ${hi})`),
  fc.tuple(fc.constantFrom('abs', 'relu'), smooth, smooth).filter(([, p, q]) => p !== q)
    .map(([k, p, q]) => `${k}(${p} - (${q}))`),
);

const setup = fc.record({
  text: kinked,
  a: num(-2, 1),
  width: num(0.5, 3),
  segments: fc.integer({ min: 1, max: 30 }),
  placement: fc.constantFrom('uniform' as const, 'optimal' as const),
  fit: fc.constantFrom('interpolate' as const, 'minimax' as const, 'lsq' as const),
});

test(`approx's certified max error >= the true error, evaluated exactly at every breakpoint of the network, at the ` +
  `formula's kinks and at each piece's error peaks, for min, max, clamp, abs and relu of non-linear arguments ` +
  `(fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(setup, ({ text, a, width, segments, placement, fit }) => {
      const domain: [number, number] = [a, a + width];
      const r = approximate({ expr: text, domain, size: { kind: 'knots', segments }, placement, fit });
      const t = target(text, domain[0], domain[1]);
      const truth = trueMaxError(r.network, t.expr, t.variable, domain, t.kinks);
      assert.ok(truth.error <= r.certifiedMax, `${text} on [${domain.join(', ')}], ${segments} segments, ` +
        `${placement}, ${fit}: certified ${r.certifiedMax} < true error ${truth.error} (${truth.evaluation}) ` +
        `at x = ${truth.at}`);
    }),
    { seed: SEED, numRuns: propertyRuns(20) },
  );
});

test('approx certificates of the formulas of issue 29 hold against the true error at every breakpoint', () => {
  const cases: [string, [number, number], number, 'uniform' | 'optimal', 'interpolate' | 'minimax'][] = [
    ['max(x^2, 0.5, sin(5*x))', [-2, 2], 1e-4, 'optimal', 'minimax'],
    ['min(exp(x), 3)', [-2, 2], 1e-4, 'optimal', 'minimax'],
    ['max(0, exp(4*x))', [0, 2], 1, 'uniform', 'interpolate'],
    ['max(0.1, x^4)', [0, 2], 1e-3, 'optimal', 'minimax'],
  ];
  for (const [text, domain, error, placement, fit] of cases) {
    const r = approximate({ expr: text, domain, size: { kind: 'maxError', error }, placement, fit });
    const t = target(text, domain[0], domain[1]);
    const truth = trueMaxError(r.network, t.expr, t.variable, domain, t.kinks);
    assert.ok(truth.error <= r.certifiedMax, `${text}: certified ${r.certifiedMax} < true error ${truth.error} at ` +
      `x = ${truth.at}`);
  }
});
