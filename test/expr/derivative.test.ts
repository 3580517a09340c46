import assert from 'node:assert/strict';
import { test } from 'node:test';
import { branchAt, branchWithSigns, derivative, kinkSites } from '../../src/expr/derivative.ts';
import { exprToString } from '../../src/expr/ast.ts';
import { compileFunction1 } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';

/** Relative closeness that rejects NaN and requires infinities to match. */
function close(actual: number, expected: number, rtol: number): boolean {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return false;
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= rtol * Math.max(1, Math.abs(expected));
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** formula, f' and f'' written out by hand (independent of mathjs), points to check. */
const CASES: [string, (x: number) => number, (x: number) => number, number[]][] = [
  ['x^3', (x) => 3 * x * x, (x) => 6 * x, [-2, 0.5, 3]],
  ['x^2', (x) => 2 * x, () => 2, [-1e7, 1e6, 3]],
  ['sin(x)', Math.cos, (x) => -Math.sin(x), [0, 1, 4]],
  ['cos(3*x)', (x) => -3 * Math.sin(3 * x), (x) => -9 * Math.cos(3 * x), [0.2, 1]],
  ['exp(2*x)', (x) => 2 * Math.exp(2 * x), (x) => 4 * Math.exp(2 * x), [-1, 0, 1.5]],
  ['log(x)', (x) => 1 / x, (x) => -1 / (x * x), [0.1, 1, 10]],
  ['log1p(x^2)', (x) => (2 * x) / (1 + x * x), (x) => (2 - 2 * x * x) / ((1 + x * x) ** 2), [-2, 0.3, 1]],
  ['sqrt(x)', (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, [0.01, 1, 4]],
  ['x^(1/3)', (x) => x ** (-2 / 3) / 3, (x) => (-2 / 9) * x ** (-5 / 3), [0.5, 8]],
  ['tanh(x)', (x) => 1 - Math.tanh(x) ** 2, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), [-1, 0.4, 2]],
  ['tan(x)', (x) => 1 / Math.cos(x) ** 2, (x) => (2 * Math.tan(x)) / Math.cos(x) ** 2, [-1, 0.3, 1.2]],
  ['sigmoid(x)', (x) => sig(x) * (1 - sig(x)), (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)), [-3, 0, 2]],
  ['x*exp(-x)', (x) => (1 - x) * Math.exp(-x), (x) => (x - 2) * Math.exp(-x), [0, 1, 5]],
  ['1/(1+x^2)', (x) => (-2 * x) / (1 + x * x) ** 2, (x) => (6 * x * x - 2) / (1 + x * x) ** 3, [-1, 0.5, 2]],
];

for (const [text, d1, d2, points] of CASES) {
  test(`derivative of ${text} twice gives f' and f'' as written by hand`, () => {
    const { expr } = parseFormula(text);
    const e1 = derivative(expr, 'x');
    const e2 = derivative(e1, 'x');
    const f1 = compileFunction1(e1, 'x');
    const f2 = compileFunction1(e2, 'x');
    for (const x of points) {
      assert.ok(close(f1(x), d1(x), 1e-12), `${text}: f'(${x}) = ${f1(x)} (${exprToString(e1)}), expected ${d1(x)}`);
      assert.ok(close(f2(x), d2(x), 1e-12), `${text}: f''(${x}) = ${f2(x)} (${exprToString(e2)}), expected ${d2(x)}`);
    }
  });
}

test('derivative of a formula with a kink (abs, relu, min, max) is a RangeError: differentiate a branch', () => {
  for (const text of ['abs(x)', 'relu(x-1)', 'min(x, 1)', 'max(x, 2*x)']) {
    assert.throws(() => derivative(parseFormula(text).expr, 'x'), RangeError, text);
  }
});

test('kinkSites of abs(x-0.3)+max(x, 1-x) are the selectors x-0.3 and x-(1-x)', () => {
  const sites = kinkSites(parseFormula('abs(x-0.3)+max(x, 1-x)').expr);
  assert.equal(sites.length, 2);
  const s = sites.map((k) => compileFunction1(k.selector, 'x'));
  assert.equal(s[0]!(0.3), 0);
  assert.equal(s[1]!(0.5), 0);
});

test('branchAt of abs(x-0.3) is x-0.3 where the selector is positive and -(x-0.3) where it is negative', () => {
  const { expr } = parseFormula('abs(x-0.3)^2 + relu(x)');
  const plus = compileFunction1(branchAt(expr, () => 1), 'x');
  const minus = compileFunction1(branchAt(expr, () => -1), 'x');
  assert.equal(plus(-2), 2.3 ** 2 + -2); // relu branch taken as the identity
  assert.equal(minus(2), 1.7 ** 2 + 0); // relu branch taken as 0
  const d2 = compileFunction1(derivative(derivative(branchAt(expr, () => -1), 'x'), 'x'), 'x');
  assert.equal(d2(0.1), 2);
});

test('branchWithSigns matches min and max selectors by structure: max(0.5, sin(5x)) with its selector negative is ' +
  'sin(5x), positive is 0.5; a sign for another selector is refused', () => {
  const { expr } = parseFormula('max(0.5, sin(5*x))');
  const sites = kinkSites(expr);
  assert.equal(exprToString(branchWithSigns(expr, sites, [-1])), exprToString(parseFormula('sin(5*x)').expr));
  assert.equal(exprToString(branchWithSigns(expr, sites, [1])), '0.5');
  assert.throws(() => branchWithSigns(expr, kinkSites(parseFormula('max(0.5, sin(4*x))').expr), [1]), RangeError);
});

test('derivative keeps every constant exactly: 1e-16·x^3 → 3e-16·x^2 (not 0), 1.0000000000001·x^2 → 2.0000000000002·x',
  () => {
  // mathjs simplification rounds numbers through fractions and drops small ones; the
  // constants must come back as the very same doubles.
  const d3 = compileFunction1(derivative(parseFormula('1e-16*x^3').expr, 'x'), 'x');
  assert.equal(d3(2), 3 * 1e-16 * 4);
  const d2 = compileFunction1(derivative(parseFormula('1.0000000000001*x^2').expr, 'x'), 'x');
  assert.equal(d2(1), 2 * 1.0000000000001);
  const dexp = compileFunction1(derivative(derivative(parseFormula('(-1e-100)*exp(-0.24*x)').expr, 'x'), 'x'), 'x');
  assert.ok(close(dexp(0), -1e-100 * 0.24 * 0.24, 1e-15) && dexp(0) !== 0, `${dexp(0)}`);
});

test('derivative of a formula whose variable looks like the internal constant names still works', () => {
  const d = compileFunction1(derivative(parseFormula('0.5*__c0^2').expr, '__c0'), '__c0');
  assert.equal(d(3), 3);
});
