import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { exprToString } from '../../src/expr/ast.ts';
import { compileFunction, compileFunction1 } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';

/** An InputError whose one sentence names the argument and quotes the bad value. */
const inputError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
  assert.match(e.message, pattern);
  return true;
};

test('parseFormula of an unknown function foo(x) is an InputError naming the argument and "foo"', () => {
  assert.throws(() => parseFormula('foo(x)'), inputError(
    /^expression must use only known functions .*\(got "foo"\)\.$/));
  assert.throws(() => parseFormula('foo(x)', '--expr'), inputError(/^--expr must .*\(got "foo"\)/));
});

test('parseFormula of a syntax error is an InputError naming the argument and quoting the text', () => {
  assert.throws(() => parseFormula('x+*2'), inputError(/^expression must be a valid formula .*\(got "x\+\*2"\)\.$/));
  assert.throws(() => parseFormula('sin(x'), inputError(/^expression must be a valid formula .*\(got "sin\(x"\)/));
});

test('parseFormula of a matrix, an assignment or a string is an InputError naming the argument and the text', () => {
  assert.throws(() => parseFormula('[1, ' +
    '2]'), inputError(/^expression must be a plain formula .*matrices.*\(got "\[1, 2\]"\)/));
  assert.throws(() => parseFormula('y = x^2'), inputError(/^expression must be a plain formula .*\(got "y = x\^2"\)/));
  assert.throws(() => parseFormula('"x"'), inputError(/^expression must .*\(got/));
});

test('parseFormula of an empty formula is an InputError naming the argument', () => {
  assert.throws(() => parseFormula('   '), inputError(/^expression must be a non-empty formula \(got "   "\)/));
});

test('parseFormula of a function name used as a variable asks for parentheses', () => {
  assert.throws(() => parseFormula('sqrt + ' +
    '1'), inputError(/^expression must call sqrt with parentheses \(got "sqrt"\)/));
});

test('parseFormula of a unary function with two arguments names the function and the count', () => {
  assert.throws(() => parseFormula('exp(x, ' +
    '2)'), inputError(/^expression must call exp with exactly 1 argument \(got "exp with 2"\)/));
});

test('parseFormula of an operator outside + - * / ^ names the operator', () => {
  assert.throws(() => parseFormula('x % ' +
    '2'), inputError(/^expression must use only the operators \+ - \* \/ \^ \(got "% in x % 2"\)/));
});

test('parseFormula lists variables in order of first appearance; pi and e are constants', () => {
  assert.deepEqual(parseFormula('y*x + y + pi*e').variables, ['y', 'x']);
  assert.deepEqual(parseFormula('2*pi').variables, []);
});

test('parseFormula reads numbers in any JS notation exactly (1e6, 2.4e7, .5, 1E-3)', () => {
  const f = compileFunction(parseFormula('1e6 + 2.4e7 + .5 + 1E-3').expr, []);
  assert.equal(f(), 1e6 + 2.4e7 + 0.5 + 1e-3);
});

test('compileFunction1 of the grammar equals the Math functions it names', () => {
  const cases: [string, (x: number) => number][] = [
    ['sqrt(x)', Math.sqrt], ['abs(x)', Math.abs], ['exp(x)', Math.exp], ['log(x)', Math.log], ['log1p(x)', Math.log1p],
    ['sin(x)', Math.sin], ['cos(x)', Math.cos], ['tan(x)', Math.tan], ['tanh(x)', Math.tanh],
    ['sigmoid(x)', (x) => 1 / (1 + Math.exp(-x))], ['relu(x)', (x) => (x > 0 ? x : 0)],
    ['min(x, 0.5)', (x) => Math.min(x, 0.5)], ['max(x, 0.5, 0.7)', (x) => Math.max(x, 0.5, 0.7)],
    ['x^2', (x) => x * x], ['x^3', (x) => x ** 3], ['-x/3 + 2*x - 1', (x) => -x / 3 + 2 * x - 1],
  ];
  for (const [text, ref] of cases) {
    const f = compileFunction1(parseFormula(text).expr, 'x');
    for (const x of [0.125, 0.3, 0.9, 2.5]) assert.equal(f(x), ref(x), `${text} at ${x}`);
  }
});

test('x^2 is computed as x*x, so it is defined and exact-rounded for negative x', () => {
  const f = compileFunction1(parseFormula('x^2').expr, 'x');
  assert.equal(f(-3), 9);
  assert.equal(f(1e6 + 1), (1e6 + 1) * (1e6 + 1));
});

test('exprToString gives text that parses back to the same function (unary minus, powers, division)', () => {
  for (const text of ['-(x-1)^2', '2^-x', '(-2)^2', 'x/(x/2)', '1-(x-1)', '-x^2', 'min(x, 1-x)*3e-7', 'x^(1/3)']) {
    const e = parseFormula(text).expr;
    const back = parseFormula(exprToString(e)).expr;
    const f = compileFunction1(e, 'x');
    const g = compileFunction1(back, 'x');
    for (const x of [0.5, 1.5, 2.75]) assert.equal(g(x), f(x), `${text} -> ${exprToString(e)} at ${x}`);
  }
});

test('the spellings users type are the functions they mean: ln is log, pow(a, b) is a^b, log(x, b), log10 and log2 '
  + 'divide by the base\'s log; the wrong count of arguments is named; values agree with Math', () => {
  const same = (typed: string, meant: string) =>
    assert.equal(exprToString(parseFormula(typed).expr), exprToString(parseFormula(meant).expr), typed);
  same('ln(x)', 'log(x)');
  same('pow(x, 3) + ln(1 + x)', 'x^3 + log(1 + x)');
  same('log(x, 10)', 'log(x) / log(10)');
  same('log10(x)', 'log(x) / log(10)');
  same('log2(x)', 'log(x) / log(2)');
  const f = compileFunction1(parseFormula('log10(x) + log2(x) + ln(x) + pow(x, 0.5)').expr, 'x');
  for (const x of [0.5, 3, 1e5]) {
    const want = Math.log10(x) + Math.log2(x) + Math.log(x) + Math.sqrt(x);
    assert.ok(Math.abs(f(x) - want) <= 1e-14 * Math.abs(want) + 1e-15, `${x}: ${f(x)} vs ${want}`);
  }
  for (const [text, rule] of [['ln(x, y)', 'call ln with exactly 1 argument'],
    ['pow(x)', 'call pow with exactly 2 arguments (base, exponent)'],
    ['log10()', 'call log10 with exactly 1 argument']]) {
    assert.throws(() => parseFormula(text!), (e: unknown) => e instanceof InputError && e.message.includes(rule!),
      text);
  }
});
