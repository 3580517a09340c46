import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { BigNumber } from 'mathjs';
import { derivative } from '../../src/expr/derivative.ts';
import { compileFunction, compileFunction1 } from '../../src/expr/evaluate.ts';
import { enclose } from '../../src/expr/interval.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { exprToString } from '../../src/expr/ast.ts';
import { preciseMath } from '../../src/expr/precisemath.ts';
import { InputError } from '../../src/errors.ts';

const SEED = 16002;
const P = preciseMath(50);
const M = P.M;

/** The functions added for issue 16, their domains, and 50-digit references (exact binary inputs). */
const CASES: { fn: string; domain: [number, number]; ref: (x: BigNumber) => BigNumber }[] = [
  { fn: 'atan', domain: [-50, 50], ref: (x) => M.atan(x) as BigNumber },
  { fn: 'asin', domain: [-1, 1], ref: (x) => M.asin(x) as BigNumber },
  { fn: 'acos', domain: [-1, 1], ref: (x) => M.acos(x) as BigNumber },
  { fn: 'cbrt', domain: [-20, 20], ref: (x) => M.cbrt(x) as BigNumber },
  { fn: 'sinh', domain: [-20, 20], ref: (x) => M.sinh(x) as BigNumber },
  { fn: 'cosh', domain: [-20, 20], ref: (x) => M.cosh(x) as BigNumber },
  { fn: 'erf', domain: [-7, 7], ref: (x) => P.erf(x) },
  { fn: 'normcdf', domain: [-9, 9], ref: (x) => P.normcdf(x) },
];

const within = (lo: number, hi: number, r: BigNumber) => r.gte(P.big(lo)) && r.lte(P.big(hi));

for (const { fn, domain, ref } of CASES) {
  test(`enclose(${fn}) on random intervals contains the 50-digit values at both ends and 3 inner points (fast-check ` +
    `seed ${SEED})`, () => {
    const { expr } = parseFormula(`${fn}(x)`);
    const pt = fc.double({ min: domain[0], max: domain[1], noNaN: true });
    fc.assert(
      fc.property(pt, pt, fc.constantFrom(0, 1e-12, 1e-6, 1), (p, q, shrink) => {
        const lo = Math.min(p, q);
        const hi = shrink === 1 ? Math.max(p, q) : Math.min(Math.max(p, q), lo + shrink);
        const e = enclose(expr, { x: [lo, hi] });
        assert.equal(e.undefinedPart, false, `${fn} on [${lo}, ${hi}] flagged`);
        for (const x of [lo, hi, lo + (hi - lo) / 3, (lo + hi) / 2, lo + (2 * (hi - lo)) / 3]) {
          const r = ref(P.big(x));
          assert.ok(within(e.lo, e.hi, r), `${fn}(${x}) = ${r.toString()} outside enclose on [${lo}, ${hi}] = ` +
            `[${e.lo}, ${e.hi}]`);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
}

test(`enclose(atan2(y, x)) on random boxes off the cut and the origin contains the 50-digit values at corners and ` +
  `inside (fast-check seed ${SEED})`, () => {
  const { expr } = parseFormula('atan2(y, x)');
  const v = fc.double({ min: -5, max: 5, noNaN: true });
  fc.assert(
    fc.property(v, v, v, v, (a, b, c, d) => {
      const Y: [number, number] = [Math.min(a, b), Math.max(a, b)];
      const X: [number, number] = [Math.min(c, d), Math.max(c, d)];
      const e = enclose(expr, { y: Y, x: X });
      const origin = X[0] <= 0 && X[1] >= 0 && Y[0] <= 0 && Y[1] >= 0;
      const cut = X[0] < 0 && Y[0] < 0 && Y[1] >= 0;
      assert.equal(e.undefinedPart, origin || cut, `flag on y ${Y}, x ${X}`);
      if (e.undefinedPart) return;
      for (const y of [Y[0], Y[1], (Y[0] + Y[1]) / 2]) {
        for (const x of [X[0], X[1], (X[0] + X[1]) / 2]) {
          const r = (M.atan2 as unknown as (a: BigNumber, b: BigNumber) => BigNumber)(P.big(y), P.big(x));
          assert.ok(within(e.lo, e.hi, r), `atan2(${y}, ${x}) = ${r.toString()} outside [${e.lo}, ${e.hi}]`);
        }
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});

/**
 * The two-argument shapes written through others (x^y = exp(y·log x), hypot = sqrt of squares,
 * clamp = min∘max) and their 50-digit values.
 */
const BOX_CASES: { text: string; x: [number, number]; y: [number, number]; ref: (x: BigNumber,
  y: BigNumber) => BigNumber }[] = [
  { text: 'x^y', x: [1e-3, 30], y: [-4, 4], ref: (x, y) => M.pow(x, y) as BigNumber },
  { text: 'hypot(x, y, 1.5)', x: [-40, 40], y: [-40, 40], ref: (x, y) => M.sqrt(M.add(M.add(M.multiply(x, x),
    M.multiply(y, y)), P.big(2.25)) as BigNumber) as BigNumber },
  { text: 'clamp(x, -1, 2) * y', x: [-5, 5], y: [-5, 5], ref: (x, y) => M.multiply(M.min(M.max(x, P.big(-1)), P.big(2)),
    y) as BigNumber },
];

for (const { text, x: X, y: Y, ref } of BOX_CASES) {
  test(`enclose(${text}) on random boxes contains the 50-digit values at the corners and the middle (fast-check ` +
    `seed ${SEED})`, () => {
    const { expr } = parseFormula(text);
    const side = (d: [number, number]) => fc.tuple(fc.double({ min: d[0], max: d[1], noNaN: true }),
      fc.double({ min: d[0], max: d[1], noNaN: true })).map(([p, q]): [number, number] => [Math.min(p, q), Math.max(p,
        q)]);
    fc.assert(
      fc.property(side(X), side(Y), (bx, by) => {
        const e = enclose(expr, { x: bx, y: by });
        assert.equal(e.undefinedPart, false, `${text} on x ${bx}, y ${by} flagged`);
        for (const x of [bx[0], bx[1], (bx[0] + bx[1]) / 2]) {
          for (const y of [by[0], by[1], (by[0] + by[1]) / 2]) {
            const r = ref(P.big(x), P.big(y));
            assert.ok(within(e.lo, e.hi, r), `${text} at x = ${x}, y = ${y}: ${r.toString()} outside ` +
              `[${e.lo}, ${e.hi}] on x ${bx}, y ${by}`);
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
}

test('enclose flags asin and acos beyond [-1, 1] as undefined in part; acos and asin at ±1 are exact ends', () => {
  assert.equal(enclose(parseFormula('asin(x)').expr, { x: [0.5, 1.01] }).undefinedPart, true);
  assert.equal(enclose(parseFormula('acos(x)').expr, { x: [-1.2, 0] }).undefinedPart, true);
  const e = enclose(parseFormula('acos(x)').expr, { x: [-1, 1] });
  assert.ok(e.lo === 0 && e.hi >= Math.PI && !e.undefinedPart);
});

test(`derivatives of the new functions match central differences at random points (fast-check seed ${SEED})`, () => {
  const texts = ['atan(x)', 'asin(x/2)', 'acos(x/2)', 'cbrt(x)', 'sinh(x)', 'cosh(x)', 'erf(x)', 'normcdf(x)',
    'atan2(x, 2)', 'atan2(1.5, x)', 'x^x', 'erf(sin(x))*cbrt(x)'];
  fc.assert(
    fc.property(fc.constantFrom(...texts), fc.double({ min: 0.2, max: 1.5, noNaN: true }), (text, x) => {
      const { expr } = parseFormula(text);
      const f = compileFunction1(expr, 'x');
      const d1 = compileFunction1(derivative(expr, 'x'), 'x');
      const h = 1e-6;
      const fd = (f(x + h) - f(x - h)) / (2 * h);
      assert.ok(Math.abs(d1(x) - fd) <= 1e-6 * Math.max(1, Math.abs(fd)), `${text}' at ${x}: ${d1(x)} vs ${fd}`);
      const d2 = compileFunction1(derivative(derivative(expr, 'x'), 'x'), 'x');
      const fd2 = (d1(x + h) - d1(x - h)) / (2 * h);
      assert.ok(Math.abs(d2(x) - fd2) <= 1e-5 * Math.max(1, Math.abs(fd2)), `${text}'' at ${x}: ${d2(x)} vs ${fd2}`);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('parseFormula writes hypot(a, b, c) as sqrt(a^2 + b^2 + c^2) and clamp(x, lo, hi) as min(max(x, lo), hi)', () => {
  assert.equal(exprToString(parseFormula('hypot(x, y, z)').expr), 'sqrt(x ^ 2 + y ^ 2 + z ^ 2)');
  assert.equal(exprToString(parseFormula('clamp(x, -1, 2)').expr), 'min(max(x, -1), 2)');
  const f = compileFunction(parseFormula('atan2(y, x) + hypot(x, y)').expr, ['x', 'y']);
  assert.equal(f(-1, 0.5), Math.atan2(0.5, -1) + Math.sqrt(1 + 0.25));
});

const inputError = (text: string, re: RegExp) => assert.throws(() => parseFormula(text),
  (e: unknown) => e instanceof InputError && re.test(e.message));

test('an unknown function names itself and the known functions close to it; wrong argument counts name the function ' +
  'and the count', () => {
  inputError('atna(x)', /close to "atna": atan/);
  inputError('arcsin(x)', /asin/);
  inputError('erff(x)', /close to "erff": erf/);
  inputError('atan2(x)', /atan2 with exactly 2 arguments.*atan2 with 1/);
  inputError('clamp(x, 1)', /clamp with exactly 3 arguments/);
  inputError('clamp(x, 2, 1)', /lo <= hi/);
  inputError('asin(x, 2)', /asin with exactly 1 argument/);
  inputError('hypot()', /hypot with at least 1 argument/);
});

test('jumps (sign, floor, ceil, comparisons) are refused with the reason (a continuous network cannot be within E of ' +
  'a jump) and the ways out (a ramp, or compile --exclude)', () => {
  for (const t of ['sign(x)', 'floor(x)', 'ceil(x)', 'x > 0.5', 'x <= 1']) inputError(t,
    /continuous network cannot be within E of a jump.*ramp such as clamp/);
  assert.throws(() => parseFormula('sign(x)'), (e: unknown) => e instanceof InputError && /--exclude/.test(e.message));
});
