/**
 * The page's formula field: one formula parses as the CLI parses it; a list "[a, b]" gives the
 * outputs y1, y2, … (as `compile "[a, b]"` names them) and the variables of all its formulas;
 * an empty formula in a list is refused beside the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { parseFormulaField } from '../../src/web/ui/fields.ts';

test('parseFormulaField reads a list of formulas as the outputs y1, y2, … with the variables of all of them', () => {
  assert.deepEqual(parseFormulaField(' [sin(x), max(y, z), x] '), { variables: ['x', 'y', 'z'], outputs: [
    { name: 'y1', expr: 'sin(x)' }, { name: 'y2', expr: 'max(y, z)' }, { name: 'y3', expr: 'x' }] });
  assert.throws(() => parseFormulaField('[x*y, ]'), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.issue.field, 'expr');
    assert.equal(e.issue.code, 'empty-output');
    return true;
  });
});

test('parseFormulaField parses one formula as parseFormula does', () => {
  assert.deepEqual(parseFormulaField('sqrt(x*y) + max(x, y)'), parseFormula('sqrt(x*y) + max(x, y)'));
});
