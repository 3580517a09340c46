/**
 * Folded affine coefficients carry their rounding (compile/coefficients.ts): x/3 is built with
 * fl(1/3), x*0.1*10 with fl(fl(0.1)·10), and the distance to the real coefficient times max|x|
 * is charged to the node (nodes.ts buildAffine). The truth is the formula in exact rational
 * arithmetic (BigInt), so a certificate below the true error anywhere sampled fails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { exactCoef, productCoef, quotientCoef, sumCoef, type Coef } from '../../src/compile/coefficients.ts';
import { exprKey, type Expr } from '../../src/expr/ast.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';

/** A rational n/d, d > 0. */
type Q = [bigint, bigint];

/** The exact rational value of a finite double. */
function rational(x: number): Q {
  assert.ok(Number.isFinite(x), `finite: ${x}`);
  if (x === 0) return [0n, 1n];
  let m = x;
  let e = 0n;
  while (!Number.isInteger(m)) { m *= 2; e += 1n; }
  return [BigInt(m), 1n << e];
}

const add = (a: Q, b: Q): Q => [a[0] * b[1] + b[0] * a[1], a[1] * b[1]];
const mul = (a: Q, b: Q): Q => [a[0] * b[0], a[1] * b[1]];
const div = (a: Q, b: Q): Q => (b[0] < 0n ? [-a[0] * b[1], a[1] * -b[0]] : [a[0] * b[1], a[1] * b[0]]);
const abs = (a: Q): Q => [a[0] < 0n ? -a[0] : a[0], a[1]];
/** a <= b */
const atMost = (a: Q, b: Q): boolean => a[0] * b[1] <= b[0] * a[1];

/** The formula (sums, differences, products, quotients of literals and variables) in exact rationals. */
function exact(e: Expr, env: Record<string, Q>): Q {
  switch (e.op) {
    case 'const': return rational(e.value);
    case 'var': return env[e.name]!;
    case 'neg': { const a = exact(e.arg, env); return [-a[0], a[1]]; }
    case 'add': return add(exact(e.a, env), exact(e.b, env));
    case 'sub': { const b = exact(e.b, env); return add(exact(e.a, env), [-b[0], b[1]]); }
    case 'mul': return mul(exact(e.a, env), exact(e.b, env));
    case 'div': return div(exact(e.a, env), exact(e.b, env));
    case 'call': if (e.fn === 'abs') return abs(exact(e.arg, env)); break;
    default: break;
  }
  throw new Error(`not rational: ${exprKey(e)}`);
}

/** The real number is within err of v. */
function covers(c: Coef, real: Q): boolean {
  return atMost(abs(add(real, [-rational(c.v)[0], rational(c.v)[1]])), rational(c.err));
}

/** Nonzero doubles of magnitude 1e-6 to 1e6 (any quotient and product of three stays finite). */
const double = fc.tuple(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.boolean())
  .map(([x, neg]) => (neg ? -x : x));

test('coefficient steps: each folded number is within its bound of the exact rational it stands for', () => {
  fc.assert(fc.property(double, double, double, (a, b, c) => {
    const [A, B, C] = [a, b, c].map((x) => exactCoef(x)) as [Coef, Coef, Coef];
    const [qa, qb, qc] = [rational(a), rational(b), rational(c)];
    const quotient = quotientCoef(A, B);
    const chain = sumCoef(productCoef(quotient, C), quotientCoef(exactCoef(1), quotient));
    const chainReal = add(mul(div(qa, qb), qc), div([1n, 1n], div(qa, qb)));
    return covers(quotient, div(qa, qb)) && covers(sumCoef(A, B), add(qa, qb))
      && covers(productCoef(A, B), mul(qa, qb)) && covers(chain, chainReal);
  }), { seed: 20261207, numRuns: 2000 });
});

test('exact coefficient algebra charges nothing: 2*x, x/4, x + y, 0.5*x - 3', () => {
  assert.equal(quotientCoef(exactCoef(1), exactCoef(4)).err, 0);
  assert.equal(productCoef(exactCoef(2), exactCoef(0.375)).err, 0);
  assert.equal(sumCoef(exactCoef(0.5), exactCoef(-3)).err, 0);
  const r = compileFormula({ expr: '2*x + x/4 - y + 0.5*x - 3', vars: { x: [-5, 5], y: [0, 1] }, maxError: 1e-3 });
  assert.ok(r.certifiedMax < 1e-12, `certified ${r.certifiedMax}`);
});

type Box = Record<string, [number, number]>;
const CASES: [string, Box, number][] = [
  ['x/3', { x: [1e15, 2e15] }, 0.3],
  ['x*0.1*10 - x', { x: [1e12, 1e13] }, 1e-3],
  ['x/3 - x/3.0000001', { x: [1e12, 1e13] }, 1e-3],
  ['x/10 + y*0.3/7 - 0.1*x', { x: [1e12, 1e13], y: [-1e13, 1e13] }, 1e-2],
  ['abs(x/7 - y/7) + x*0.7/0.1', { x: [1e11, 1e12], y: [0, 1e12] }, 1e-2],
];

/** Points of the box: its corners, x = 1797365457332734 (x/3 rounds far there), and seeded samples. */
function points(box: Box): number[][] {
  const names = Object.keys(box);
  const pts = [names.map((v) => box[v]![0]), names.map((v) => box[v]![1]), names.map(() => 1797365457332734)];
  fc.sample(fc.tuple(...names.map((v) => fc.double({ min: box[v]![0], max: box[v]![1], noNaN: true }))),
    { seed: 7, numRuns: 300 }).forEach((p) => pts.push(p));
  return pts.filter((p) => p.every((x, i) => x >= box[names[i]!]![0] && x <= box[names[i]!]![1]));
}

test('inexact coefficient algebra on large boxes: certified ≥ the exact error, or refused in one sentence', () => {
  for (const [text, box, maxError] of CASES) {
    let r: ReturnType<typeof compileFormula>;
    try {
      r = compileFormula({ expr: text, vars: box, maxError });
    } catch (e) {
      assert.doesNotMatch((e as Error).message, /bug in knotnet/, text);
      continue;
    }
    const e = parseFormula(text).expr;
    for (const p of points(box)) {
      const y = evaluate(r.network, Float64Array.from(p))[0]!;
      const env = Object.fromEntries(r.inputs.map((v, i) => [v, rational(p[i]!)]));
      const err = abs(add(rational(y), mul([-1n, 1n], exact(e, env))));
      assert.ok(atMost(err, rational(r.certifiedMax)), `${text} at ${p}: certified ${r.certifiedMax}`);
    }
  }
});
