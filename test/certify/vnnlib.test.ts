import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactDecimal, toVnnlib } from '../../src/export/vnnlib.ts';
import { parseFormula } from '../../src/expr/parse.ts';

test('exactDecimal(x) is the exact value of the double', () => {
  assert.equal(exactDecimal(0.1), '0.1000000000000000055511151231257827021181583404541015625');
  assert.equal(exactDecimal(-2), '(- 2.0)');
  assert.equal(exactDecimal(2 ** 60), '1152921504606846976.0');
  assert.equal(exactDecimal(2 ** -1074).length, 1076);
});

test('toVnnlib states an affine formula over the box and refuses sin by name', () => {
  const text = toVnnlib({ expr: parseFormula('2*x - y/4').expr, exprText: '2*x - y/4', names: ['x', 'y'], box: [[0, 1],
    [-1, 1]], bound: 0.5 });
  assert.match(text, /\(assert \(<= X_1 1\.0\)\)/);
  assert.match(text, /\(- Y_0 \(- \(\* 2\.0 X_0\) \(\/ X_1 4\.0\)\)\) 0\.5\)/);
  assert.throws(() => toVnnlib({ expr: parseFormula('sin(x)').expr, exprText: 'sin(x)', names: ['x'], box: [[0, 1]],
    bound: 1 }), /affine.*"sin\(x\)"/);
});
