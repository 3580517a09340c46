import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { propertyRuns } from '../support/runs.ts';
import { target } from './targets.ts';
import { trueMaxError } from './truth.ts';

const SEED = 314159;

/**
 * Formulas on [c, c + w]: sin and cos of x itself (w at most 10, so a few segments can follow
 * them), and formulas that vary on the domain's own scale or on |c|'s.
 */
function formulaOn(kind: number, c: number, w: number): string {
  const forms = [
    'sin(x)', 'cos(x)', '(0.5)*x^2', 'sqrt(abs(x))', 'atan(x)', `sigmoid((x - (${c + w / 2}))/(${w / 4}))`,
    `sin((x - (${c}))*(${6 / w}))`, `abs(x - (${c + w / 3}))`, `exp(x/(${Math.abs(c)}))`,
  ];
  return forms[kind]!;
}

/** c = ±m·10^e with |c| up to 1e15; w from 1e-12·|c| (a few thousand ulps) to 0.1·|c|, 10 at most for sin and cos. */
const setup = fc.record({
  exponent: fc.integer({ min: 0, max: 15 }),
  mantissa: fc.integer({ min: 1000, max: 9999 }).map((k) => k / 1000),
  negative: fc.boolean(),
  widthExponent: fc.integer({ min: -1200, max: -100 }).map((k) => k / 100),
  kind: fc.integer({ min: 0, max: 12 }).map((k) => (k < 6 ? k % 2 : k - 4)), // sin and cos about half the time
  segments: fc.integer({ min: 1, max: 30 }),
  placement: fc.constantFrom('uniform' as const, 'optimal' as const),
  fit: fc.constantFrom('interpolate' as const, 'minimax' as const, 'lsq' as const),
});

test(`approx on narrow domains far from 0, [c, c + w] with |c| up to 1e15 and w down to 1e-12·|c|: no certificate ` +
  `that does not hold (exit 3), and the certified max error >= the true error evaluated exactly at every breakpoint ` +
  `(fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(setup, ({ exponent, mantissa, negative, widthExponent, kind, segments, placement, fit }) => {
      const c = (negative ? -1 : 1) * mantissa * 10 ** exponent;
      const w = Math.abs(c) * 10 ** widthExponent;
      const text = formulaOn(kind, c, kind < 2 ? Math.min(w, 10) : w);
      const domain: [number, number] = [c, c + (kind < 2 ? Math.min(w, 10) : w)];
      const r = approximate({ expr: text, domain, size: { kind: 'knots', segments }, placement, fit });
      const t = target(text, domain[0], domain[1]);
      const truth = trueMaxError(r.network, t.expr, t.variable, domain, t.kinks);
      const what = `${text} on [${domain.join(', ')}], ${segments} segments, ${placement}, ${fit}: certified ` +
        `${r.certifiedMax}`;
      assert.ok(r.measuredMax <= r.certifiedMax, `${what} < measured ${r.measuredMax}`);
      assert.ok(truth.error <= r.certifiedMax, `${what} < true error ${truth.error} (${truth.evaluation}) at ` +
        `x = ${truth.at}`);
    }),
    { seed: SEED, numRuns: propertyRuns(30) },
  );
});

test('approx builds the narrow far domains of issue 29 (sin on [1e6, 1e6 + 1e-6], cos on [1e6, 1e6 + 2e-6], sin on ' +
  '[1e5, 1e5 + 1e-6]) with certificates that hold at every breakpoint', () => {
  const cases: [string, [number, number]][] = [
    ['sin(x)', [1e6, 1.000000000001e6]], ['cos(x)', [1e6, 1e6 + 2e-6]], ['sin(x)', [1e5, 1e5 + 1e-6]],
  ];
  for (const [text, domain] of cases) {
    const r = approximate({ expr: text, domain, size: { kind: 'maxError', error: 1e-3 } });
    const t = target(text, domain[0], domain[1]);
    const truth = trueMaxError(r.network, t.expr, t.variable, domain, t.kinks);
    assert.ok(truth.error <= r.certifiedMax && r.measuredMax <= r.certifiedMax, `${text} on [${domain.join(', ')}]: ` +
      `certified ${r.certifiedMax}, measured ${r.measuredMax}, true ${truth.error}`);
  }
});
