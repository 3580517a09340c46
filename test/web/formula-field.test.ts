/**
 * The page's formula field takes one formula: a list "[a, b]" (a network with several outputs)
 * is refused in one sentence beside the field that names the CLI commands that build and check
 * such networks, and one formula parses as the CLI parses it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { parseFormulaField } from '../../src/web/ui/fields.ts';

test('parseFormulaField refuses a list of formulas with the field expr and points to compile and check', () => {
  for (const text of ['[x*y, x+y]', ' [sin(x), cos(y), x] ']) {
    assert.throws(() => parseFormulaField(text), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.issue.field, 'expr');
      assert.equal(e.issue.code, 'several-outputs');
      assert.equal(e.message, 'expression must be one formula in the page (a network with several outputs: knotnet ' +
        `compile "[a, b]" --var … on the command line, then knotnet check) (got "${text.trim()}").`);
      return true;
    });
  }
});

test('parseFormulaField parses one formula as parseFormula does', () => {
  assert.deepEqual(parseFormulaField('sqrt(x*y) + max(x, y)'), parseFormula('sqrt(x*y) + max(x, y)'));
});
