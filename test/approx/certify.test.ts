import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SizingWork } from '../../src/approx/budget.ts';
import { WorkError } from '../../src/errors.ts';
import { certifyMaxError, quadraticBound, slopeBound } from '../../src/approx/certify.ts';
import { fitInterpolate, fitMinimax } from '../../src/approx/fit.ts';
import { placeUniform } from '../../src/approx/placement.ts';
import { relClose, target } from './targets.ts';

test('certifyMaxError of the x^2 interpolant with 90 uniform segments on [1e6, 1e7] is h^2/4 = 2.5e9 (rel 1e-9)',
  () => {
  const t = target('x^2', 1e6, 1e7);
  const c = certifyMaxError(t, fitInterpolate(t, placeUniform(1e6, 1e7, 90)));
  assert.ok(c.maxError >= 2.5e9 && relClose(c.maxError, 2.5e9, 1e-9), `certified ${c.maxError}`);
  assert.ok(c.observedMax <= c.maxError);
});

test('certifyMaxError of the sqrt interpolant with 4 uniform segments on [0, 1] is sqrt(h)/4 = 0.125 (f\'\' ' +
  'unbounded at 0), within 0.1% above', () => {
  const t = target('sqrt(x)', 0, 1);
  const c = certifyMaxError(t, fitInterpolate(t, placeUniform(0, 1, 4)));
  assert.ok(c.maxError >= 0.125 && c.maxError <= 0.125 * 1.001, `certified ${c.maxError}`);
});

test('certifyMaxError of the abs(x-0.3) interpolant on knots -1, -0.5, 0, 0.5, 1 is 2uv/(u+v) = 0.24 at the kink (u ' +
  '= 0.3, v = 0.2), within 0.1% above', () => {
  const t = target('abs(x-0.3)', -1, 1);
  const c = certifyMaxError(t, fitInterpolate(t, placeUniform(-1, 1, 4)));
  assert.ok(c.maxError >= 0.24 && c.maxError <= 0.24 * 1.001, `certified ${c.maxError}`);
});

test('certifyMaxError of sin on [0, pi] with one segment (the chord is 0) is max sin = 1', () => {
  const t = target('sin(x)', 0, Math.PI);
  const c = certifyMaxError(t, fitInterpolate(t, Float64Array.of(0, Math.PI)));
  assert.ok(c.maxError >= 1 && c.maxError <= 1.001, `certified ${c.maxError}`);
});

test('certifyMaxError of the minimax fit of exp on [0, 1] with one segment is the equioscillation error (1 + m·ln m ' +
  '− m)/2, m = e − 1', () => {
  // Best line mx + c: f − p = E at 0 and 1, −E at ξ = ln m (Chebyshev alternation), so m = e − 1.
  const m = Math.E - 1;
  const E = (1 + m * Math.log(m) - m) / 2;
  const t = target('exp(x)', 0, 1);
  const c = certifyMaxError(t, fitMinimax(t, Float64Array.of(0, 1)));
  assert.ok(c.maxError >= E && relClose(c.maxError, E, 1e-3), `certified ${c.maxError} vs ${E}`);
});

test('quadraticBound with zero end errors and constant curvature m is h^2·|m|/8', () => {
  for (const [h, m] of [[1, 2], [0.5, -3], [1e5, 2], [3, 0]] as const) {
    const b = quadraticBound(0, 0, h, m, m);
    const want = (h * h * Math.abs(m)) / 8;
    assert.ok(b >= want && (relClose(b, want, 1e-14) || b === want), `h ${h}, m ${m}: ${b}`);
  }
});

test('quadraticBound with end errors A, B and no curvature is max(|A|, |B|)', () => {
  assert.ok(relClose(quadraticBound(0.3, -0.7, 2, 0, 0), 0.7, 1e-14));
});

test('quadraticBound for the minimax line of x^2 (f − p = +h^2/8 at both ends, f\'\' = 2) is h^2/8: the error swings ' +
  'to −h^2/8 mid-segment', () => {
  const h = 0.1;
  assert.ok(relClose(quadraticBound((h * h) / 8, (h * h) / 8, h, 2, 2), (h * h) / 8, 1e-14));
});

test('certifyMaxError of an exact PWL (abs(x) with a knot at 0) is at rounding level, found without bisecting to the ' +
  'bottom', () => {
  const t = target('abs(x)', -1, 1);
  const c = certifyMaxError(t, fitInterpolate(t, Float64Array.of(-1, 0, 1)));
  assert.equal(c.observedMax, 0);
  assert.ok(c.maxError < 1e-14, `certified ${c.maxError}`);
});

test('certifyMaxError at the rounding level stops bisecting a piece once no bisection can lower its bound by more ' +
  'than a quarter of its slack: at most 4 pieces per segment where the error is all rounding', () => {
  // sigmoid(10x) near 1 and tanh(4x) near -1 on short domains: interpolation errors below
  // f's own value error, so the bound is the rounding slack however far a piece is split
  // (it took thousands of pieces per segment before this rule: 229,404 for the first).
  // exp(x) on [0, 1e-6]: the ends' errors are the floor that no bisection removes.
  for (const [text, a, b, n] of [['sigmoid(10*x)', 10, 10.018, 28], ['tanh(4*x)', -3, -2.999, 6],
    ['exp(x)', 0, 1e-6, 10]] as const) {
    const t = target(text, a, b);
    const c = certifyMaxError(t, fitInterpolate(t, placeUniform(a, b, n)));
    assert.ok(c.pieces <= 4 * n, `${text}: ${c.pieces} pieces for ${n} segments`);
    assert.ok(c.maxError >= c.observedMax && c.maxError < 3e-14, `${text}: certified ${c.maxError}`);
  }
});

test('certifyMaxError of the 1e-16·x^3 interpolant on [0, 1e5] (one segment) is at least the true max ' +
  'L^3·1e-16·2/(3·sqrt 3)', () => {
  // Off the midpoint: a certificate built from a wrong f'' (mathjs used to drop 1e-16) stops at the midpoint's 0.0375.
  const t = target('1e-16*x^3', 0, 1e5);
  const c = certifyMaxError(t, fitInterpolate(t, Float64Array.of(0, 1e5)));
  const exact = (1e15 * 1e-16 * 2) / (3 * Math.sqrt(3));
  assert.ok(c.maxError >= exact && relClose(c.maxError, exact, 1e-3), `certified ${c.maxError} vs ${exact}`);
});

test('slopeBound with zero end errors and f\' − p\' in [−m, m] is m·w/2 (the two lines meet mid-piece)', () => {
  for (const [m, w] of [[1, 1], [3, 0.25], [1e-3, 7]]) {
    const B = slopeBound(0, 0, w!, -m!, m!);
    assert.ok(B >= (m! * w!) / 2 && relClose(B, (m! * w!) / 2, 1e-12), `${m} ${w}: ${B}`);
  }
});

test('slopeBound with f\' − p\' known exactly (e linear between its end errors A, B) is max(|A|, |B|)', () => {
  assert.ok(relClose(slopeBound(0.5, 0.5, 2, 0, 0), 0.5, 1e-12));
  const B = slopeBound(-0.25, 0.5, 1, 0.75, 0.75);
  assert.ok(B >= 0.5 && relClose(B, 0.5, 1e-12), `${B}`);
});

test('certifyMaxError of log(exp(x)) against x on [−5, 5] (one segment; f\'\' = 0 but encloses wide) is proven ' +
  'below 1e-4 by the first-order bound, with pieces under 2.5e-5 final', () => {
  const t = target('log(exp(x))', -5, 5);
  const c = certifyMaxError(t, { x: Float64Array.of(-5, 5), y: Float64Array.of(-5, 5) }, { enough: 2.5e-5 });
  assert.ok(c.maxError <= 1e-4 && c.maxError >= c.observedMax, `certified ${c.maxError}`);
});

test('a certificate with its request\'s work spent still bounds the error measured (sin on [0, π], 2 segments), ' +
  'and charges what it spent', () => {
  const t = target('sin(x)', 0, Math.PI);
  const p = fitInterpolate(t, Float64Array.of(0, Math.PI / 3, Math.PI));
  const spent = { left: 0, limit: 1000 };
  const c = certifyMaxError(t, p, { budget: spent });
  const free = certifyMaxError(t, p);
  assert.ok(c.maxError >= free.observedMax && c.maxError >= c.observedMax && free.observedMax > 0.1,
    `${c.maxError} ${free.observedMax}`);
  const some = { left: 1e6, limit: 1e6 };
  certifyMaxError(t, p, { budget: some });
  assert.ok(some.left < 1e6);
});

test('SizingWork refuses in one sentence, naming the flag, the limit and the best proven bound, once its work is ' +
  'spent and a certificate is over the tolerance; not before, nor when the certificate meets it', () => {
  const t = target('sin(x)', 0, Math.PI);
  const c = certifyMaxError(t, fitInterpolate(t, Float64Array.of(0, Math.PI)));
  const work = new SizingWork(1000);
  work.charge(c, 0.5, 3, 0.1, '--max-error');
  work.left = 0;
  work.charge(c, 0.05, 4, 0.1, '--max-error');
  assert.throws(() => work.charge(c, 2, 8, 0.01, '--max-error'), (e: unknown) => {
    assert.ok(e instanceof WorkError);
    assert.match(e.message, new RegExp(String.raw`^--max-error 0\.01 could not be proven within the work limit of ` +
      String.raw`1\.00e\+3 formula-node visits .*the best proven bound was 0\.05000 with 4 segments .*; raise the ` +
      String.raw`tolerance, or write the formula so that its derivatives enclose tighter\.$`));
    assert.equal(e.message.split('. ').length, 1);
    return true;
  });
});
