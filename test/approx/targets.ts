import { makeTarget, type Target } from '../../src/approx/target.ts';
import { parseFormula } from '../../src/expr/parse.ts';

/** The target of a one-variable formula on [a, b]. */
export function target(text: string, a: number, b: number): Target {
  const f = parseFormula(text);
  return makeTarget(f.expr, f.variables[0] ?? 'x', a, b);
}

/** |a − b| ≤ rtol·|b|, never for NaN. */
export function relClose(actual: number, expected: number, rtol: number): boolean {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return false;
  return Math.abs(actual - expected) <= rtol * Math.abs(expected);
}
