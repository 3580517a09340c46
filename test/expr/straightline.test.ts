import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBall } from '../../src/expr/ball.ts';
import { derivative } from '../../src/expr/derivative.ts';
import { compileDoubleDouble } from '../../src/expr/doubledouble.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { GROUPS_PER_FUNCTION } from '../../src/expr/straightline.ts';
import { errorFrom, oracleBig, oracleError } from '../support/oracle.ts';

/**
 * Long formulas run in pieces (straightline.ts): values cross from one generated function to
 * a later one through slots. The pieces must compute exactly what one function would: the
 * plain float64 evaluator and the ball's value agree bit for bit (same operations in the same
 * order), and the ball and double-double radii bound the 60-digit oracle's error.
 */
const terms = (n: number) => Array.from({ length: n }, (_, i) => `${(i % 7) + 1}*sin(x + ${i}/7)*exp(-x/${i
  + 1}) + sqrt(x^2 + ${i + 1})/(${i} + y^2 + 1)`).join(' + ');

for (const [what, text] of [['one piece', terms(3)], ['many pieces', terms(120)]] as const) {
  test(`compiled evaluation of ${what}: float64 equals the ball's value bit for bit, radii bound the oracle`, () => {
    const e = parseFormula(text).expr;
    const d = derivative(e, 'x'); // shares subexpressions: a node is read from later pieces
    const vars = ['x', 'y'];
    const f64 = compileFunction(e, vars);
    const d64 = compileFunction(d, vars);
    const ball = compileBall(e, vars);
    const dBall = compileBall(d, vars);
    const dd = compileDoubleDouble(e, vars);
    const out = new Float64Array(1);
    for (let k = 0; k < 12; k++) {
      const p = [-2 + k / 3, 1.5 - k / 5];
      const exact = oracleBig(e, vars, p); // read twice: the ball's radius and the double-double one
      const v = ball(p, out);
      assert.equal(v, f64(p[0]!, p[1]!), `ball value at ${p}`);
      assert.ok(errorFrom(exact, v) <= out[0]!, `ball radius at ${p}`);
      const dv = dBall(p, out);
      assert.equal(dv, d64(p[0]!, p[1]!), `derivative at ${p}`);
      assert.ok(oracleError(d, vars, p, dv) <= out[0]!, `derivative's ball radius at ${p}`);
      const w = dd(p, out);
      assert.ok(errorFrom(exact, w) <= out[0]!, `double-double radius at ${p}`);
    }
  });
}

test('a long formula is longer than one piece, so the test above crosses pieces', () => {
  assert.ok(4 * 120 * 10 > 2 * GROUPS_PER_FUNCTION);
});
