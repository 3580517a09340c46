import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { evalPwl } from '../../src/approx/pwl.ts';

const SEED = 173205;
const TOLERANCES = [0.1, 0.05, 0.01, 0.005, 0.001];
const FUNCTIONS: [string, number, number][] = [
  ['x^2', -3.5, 3.5], ['log(x)', 1, 32], ['sin(x)', 0, 2 * Math.PI], ['tanh(x)', -5, 5], ['sin(x)/x', 1, 12],
  ['2*x^2+x^3', -2.5, 2.5], ['exp(-x)*sin(x)', -4, 4], ['exp(-100*(x-2)^2)', 0, 3],
];

/**
 * x² on [-3.5, 3.5] with n equal segments has best error (7/n)²/8: at E = 0.005, n = 35 meets
 * E exactly (a tie), which the narrowed construction cannot prove, so it may use 36.
 */
const tiedAtE = (text: string, E: number) => text === 'x^2' && Math.abs((7 / 35) ** 2 / 8 - E) <= 1e-15;

for (const [text, a, b] of FUNCTIONS) {
  test(`approx --max-error on ${text} over [${a}, ${b}] at ${TOLERANCES.join(', ')}: segments = the proven lower ` +
    `bound (+1 only where tied at E), certified <= E and >= measured`, () => {
    for (const E of TOLERANCES) {
      const r = approximate({ expr: text, domain: [a, b], size: { kind: 'maxError', error: E } });
      const what = `${text} at ${E}: ${r.segments} segments, bound ${r.segmentsLowerBound}, ` +
        `certified ${r.certifiedMax}`;
      assert.ok(r.certifiedMax <= E, what);
      assert.ok(r.certifiedMax >= r.measuredMax, `${what} < measured ${r.measuredMax}`);
      assert.ok(r.segmentsLowerBound !== undefined, what);
      assert.ok(r.segments >= r.segmentsLowerBound!, what);
      assert.ok(r.segments <= r.segmentsLowerBound! + (tiedAtE(text, E) ? 1 : 0), what);
    }
  });
}

/** Counts of the independent reference quoted in issue 14 (a lower bound met by a verified construction). */
test('the minimum counts quoted in issue 14: sin on [0, 2π] at 0.05 needs 5, exp(-100(x-2)^2) on [0, 3] at 0.05 ' +
  'needs 5, 2x^2 + x^3 on [-2.5, 2.5] at 1e-3 needs 105', () => {
  for (const [text, a, b, E, n] of [['sin(x)', 0, 2 * Math.PI, 0.05, 5], ['exp(-100*(x-2)^2)', 0, 3, 0.05, 5],
    ['2*x^2+x^3', -2.5, 2.5, 1e-3, 105]] as const) {
    const r = approximate({ expr: text, domain: [a, b], size: { kind: 'maxError', error: E } });
    assert.equal(r.segments, n, text);
    assert.equal(r.segmentsLowerBound, n, text);
  }
});

test('--knots N with minimax: the least max error over N segments lies between the proven lower bound and the ' +
  'certificate (within 1%); equidistributed knots do not beat the bound', () => {
  const r = approximate({ expr: 'sin(x)', domain: [0, 2 * Math.PI], size: { kind: 'knots', segments: 5 } });
  assert.equal(r.segments, 5);
  assert.ok(r.errorLowerBound! <= r.certifiedMax && r.certifiedMax <= 1.01 * r.errorLowerBound!,
    `bound ${r.errorLowerBound}, certified ${r.certifiedMax}`);
  // The equidistributed knots with the same count do no better than the minimum-link minimax.
  const eq = approximate({ expr: 'sin(x)', domain: [0, 2 * Math.PI], size: { kind: 'knots', segments: 5 },
    placement: 'equidistribute' });
  assert.ok(eq.measuredMax >= r.errorLowerBound!, `equidistributed ${eq.measuredMax} below the lower ` +
    `bound ${r.errorLowerBound}`);
});

test(`property: certified >= measured (100 points per segment) and <= E for the minimum-link construction on random ` +
  `a·sin(b·x) + c·x^2 + d·exp(x/4) (fast-check seed ${SEED})`, () => {
  const num = (min: number, max: number) => fc.double({ min, max, noNaN: true });
  fc.assert(fc.property(num(-2, 2), num(0.2, 4), num(-1, 1), num(-1, 1), num(-5, 0), num(0.5, 6), fc.constantFrom(0.1,
    0.01, 0.001), (A, B, C, D, lo, w, E) => {
    const text = `(${A})*sin((${B})*x)+(${C})*x^2+(${D})*exp(x/4)`;
    const f = (x: number) => A * Math.sin(B * x) + C * (x * x) + D * Math.exp(x / 4);
    const r = approximate({ expr: text, domain: [lo, lo + w], size: { kind: 'maxError', error: E } });
    let worst = 0;
    const { x } = r.pwl;
    for (let i = 0; i + 1 < x.length; i++) for (let j = 0; j <= 100; j++) { const v = x[i]! + ((x[i
      + 1]! - x[i]!) * j) / 100; worst = Math.max(worst, Math.abs(f(v) - evalPwl(r.pwl, v))); }
    assert.ok(r.certifiedMax >= worst, `${text} on [${lo}, ${lo
      + w}] at ${E}: certified ${r.certifiedMax} < measured ${worst}`);
    assert.ok(r.certifiedMax <= E, `${text}: certified ${r.certifiedMax} > ${E}`);
    assert.ok(r.segments >= (r.segmentsLowerBound ?? 0));
  }), { seed: SEED, numRuns: 30 });
});
