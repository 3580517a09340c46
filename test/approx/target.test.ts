import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { InputError } from '../../src/errors.ts';
import { target } from './targets.ts';

const inputError = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);

test('makeTarget of sqrt(x) on [-1, 1] is an InputError naming the expression, the rule and where it fails', () => {
  assert.throws(() => target('sqrt(x)', -1, 1), inputError(
    /^expression must be defined and finite on the whole domain \[-1, 1\] \(got "sqrt\(x\) = NaN at x = -1"\)/));
});

test('makeTarget of log(x) on [0, 1] is an InputError: log(0) = -Infinity', () => {
  assert.throws(() => target('log(x)', 0, 1), inputError(
    /^expression must be defined and finite on the whole domain \[0, 1\] \(got "log\(x\) = -Infinity at x = 0"\)/));
});

test('makeTarget of 1/(x-0.123456789) on [0, 1] is an InputError naming the pole, which lies between the sample points',
  () => {
  assert.throws(() => target('1/(x-0.123456789)', 0, 1),
    inputError(
      new RegExp(String.raw`^expression must be defined and finite on the whole domain \[0, 1\] \(got "1 \/ \(x - ` +
        String.raw`0\.123456789\) = (-)?Infinity at x = 0\.123456789"\)`)));
  assert.throws(() => target('1/(x-1e-9)', 0, 1), inputError(/= (-)?Infinity at x = 1e-9"/));
  assert.throws(() => target('log(x-0.7777777)^2', 0.7777777, 2), inputError(/at x = 0\.7777777"/));
});

test('makeTarget of x^(2/3), x^(1/3) on [0, 1] (computed exponents): 0^b = 0 for a proven b > 0, values proven', () => {
  for (const [expr, p] of [['x^(2/3)', 2 / 3], ['x^(1/3)', 1 / 3], ['x^(3/2)', 1.5]] as const) {
    const t = target(expr, 0, 1);
    assert.equal(t.f(0), 0, expr);
    assert.ok(Math.abs(t.f(0.5) - Math.pow(0.5, p)) <= 1e-15, `${expr} at 0.5: ${t.f(0.5)}`);
  }
  assert.throws(() => target('x^(1/3)', -1, 1), inputError(/x \^ \(1 \/ 3\) = NaN at x = -1/));
  // 3·fl(1/3) − 1 is −5.6e-17 in the reals (float64 gives 0): no proven value there, and the message says so.
  assert.throws(() => target('(3*x-1)^(2/3)', 1 / 3, 1), inputError(new RegExp(String.raw`\(got "\(3 \* x - 1\) \^ ` +
    String.raw`\(2 \/ 3\) has no proven value at x = 0\.3333333333333333 \(float64 gives 0\)"\)\.$`)));
});

test('makeTarget accepts formulas whose enclosures are pessimistic at the ends: sqrt(1-x^2) on [-1, 1], sqrt(x-0.5) ' +
  'on [0.5, 1]', () => {
  assert.doesNotThrow(() => target('sqrt(1-x^2)', -1, 1));
  assert.doesNotThrow(() => target('sqrt(x-0.5)', 0.5, 1));
  assert.doesNotThrow(() => target('x/(1+x^2)', -3, 3));
});

test('makeTarget finds the kinks of abs(x-0.3) at 0.3 and of max(x, 1-x) at 0.5, exactly', () => {
  assert.deepEqual(target('abs(x-0.3)', -1, 1).kinks, [0.3]);
  assert.deepEqual(target('max(x, 1-x)', 0, 1).kinks, [0.5]);
  assert.deepEqual(target('relu(x)', -1, 1).kinks, [0]);
});

test('makeTarget finds the three kinks of abs(sin(3x)) on [-2, 2] at -pi/3, 0, pi/3 (to an ulp)', () => {
  const k = target('abs(sin(3*x))', -2, 2).kinks;
  assert.equal(k.length, 3);
  [-Math.PI / 3, 0, Math.PI / 3].forEach((v, i) => assert.ok(Math.abs(k[i]! - v) <= 4e-16, `kink ${k[i]} vs ${v}`));
});

test('a kink at an end of the domain is not a kink inside it', () => {
  assert.deepEqual(target('abs(x)', 0, 1).kinks, []);
});

test('Target.f2 is f\'\' on each branch and NaN at a kink; encloseF2 is null across a kink', () => {
  const t = target('abs(x-0.3)^2 + abs(x-0.3)*x', -1, 1);
  assert.equal(t.f2(0.5), 4); // (x-0.3)^2 + (x-0.3)x: f'' = 2 + 2
  assert.equal(t.f2(0), 0); // (x-0.3)^2 - (x-0.3)x: f'' = 2 - 2
  assert.ok(Number.isNaN(t.f2(0.3)));
  assert.equal(t.encloseF2(0.2, 0.4), null);
  const e = t.encloseF2(0.4, 0.9)!;
  assert.ok(e.lo <= 4 && 4 <= e.hi && e.hi - e.lo < 1e-12);
});

test('Target.f2 and encloseF2 take the active argument of max and min in either order: f\'\' of max(0.5, sin(5x)) ' +
  'and max(sin(5x), 0.5) on [0.31, 0.32] is -25 sin(5x), of min(exp(x), 3) on [0, 1] is exp(x)', () => {
  for (const text of ['max(0.5, sin(5*x))', 'max(sin(5*x), 0.5)']) {
    const t = target(text, -2, 2);
    const e = t.encloseF2(0.31, 0.32)!;
    assert.ok(e.lo <= -25 * Math.sin(5 * 0.32) && e.hi >= -25 * Math.sin(5 * 0.31) && e.lo > -25.1 && e.hi < -24.8,
      `${text}: [${e.lo}, ${e.hi}]`);
    assert.ok(Math.abs(t.f2(0.315) + 25 * Math.sin(5 * 0.315)) < 1e-12, `${text}: f2(0.315) = ${t.f2(0.315)}`);
    assert.deepEqual(t.encloseF2(-0.5, -0.4), { lo: 0, hi: 0 }, text); // 0.5 is active there
  }
  for (const text of ['min(exp(x), 3)', 'min(3, exp(x))']) {
    const e = target(text, -2, 2).encloseF2(0, 1)!;
    assert.ok(e.lo <= 1 && e.hi >= Math.E && e.lo > 0.99 && e.hi < 2.75, `${text}: [${e.lo}, ${e.hi}]`);
  }
});

test('Target.scale is max |f| on the domain (the unit of relative errors)', () => {
  assert.equal(target('x^2', 1e6, 1e7).scale, 1e14);
  assert.equal(target('x-3', 0, 1).scale, 3);
  assert.equal(target('0*x', 0, 1).scale, 1); // an all-zero f still has a unit
});

test('approx of x^(2/3) on [0, 1] at 1e-3 builds: certified <= 1e-3 and >= measured', () => {
  const r = approximate({ expr: 'x^(2/3)', domain: [0, 1], size: { kind: 'maxError', error: 1e-3 } });
  assert.ok(r.certifiedMax <= 1e-3 && r.measuredMax <= r.certifiedMax, `${r.certifiedMax} ${r.measuredMax}`);
});

test('makeTarget of exp(-1/x) and exp(-1/x^2) on [0, 1] is an InputError at once: the 100-digit evaluation of values '
  + 'like e^(−1e10) stays small (a positional decimal string of it had 4e9 digits: out of memory)', () => {
  assert.throws(() => target('exp(-1/x)', 0, 1), inputError(/^expression must be defined and finite on the whole /));
  assert.throws(() => target('exp(-1/x^2)', 0, 1), inputError(/^expression must be defined and finite on the whole /));
  const t = target('exp(-1/x)', 1e-9, 1);
  assert.equal(t.f(1e-9), 0); // e^(−1e9) underflows float64
  assert.ok(Math.abs(t.f(0.5) - Math.exp(-2)) <= 1e-16);
});
