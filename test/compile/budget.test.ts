import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSplit, splitBudgets, splitModel } from '../../src/compile/budget.ts';
import { ancestors, buildGraph } from '../../src/compile/graph.ts';
import { float32Layout, float64Layout, layoutFor } from '../../src/compile/layout.ts';
import { lowerForCompile } from '../../src/compile/lower.ts';
import { candidatePlans } from '../../src/compile/plansearch.ts';
import { propagateRanges } from '../../src/compile/ranges.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { Program } from '../../src/net/program.ts';

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);

/** The split model of a formula over a box (one output). */
function modelOf(text: string, vars: Record<string, [number, number]>) {
  const g = buildGraph(lowerForCompile(parseFormula(text).expr, vars), Object.keys(vars));
  const ranges = propagateRanges(g, vars, new Map());
  const live = ancestors(g);
  return splitModel(g, ranges, live, [g.output], [1e-3], false);
}

describe('the tolerance split (compile/budget.ts): Σ S_j·e_j = factor·E with e_j ∝ (c_j/S_j)^(2/3)', () => {
  const m = modelOf('sqrt(x^2 + y^2) + exp(x*y)', { x: [0.5, 2], y: [-1, 1] });
  it('all shallow: the budgets use the construction part of E exactly, in the Lagrange proportions', () => {
    const split = planSplit(m, 0);
    assert.equal(split.deepSet.size, 0);
    const budgets = splitBudgets(m, split, 1e-3, 0.97, new Map());
    const used = m.nodes.reduce((s, n) => s + m.sens.get(n.id)! * budgets.get(n.id)!, 0);
    close(used, 0.97e-3, 'Σ S_j·e_j');
    const [a, b] = m.nodes;
    close(budgets.get(a!.id)! / budgets.get(b!.id)!, m.weights.get(a!.id)! / m.weights.get(b!.id)!, 'e_a / e_b');
  });
  it('deep squares hold the share ρ of E, the shallow nodes the rest', () => {
    const split = planSplit(m, 0.1);
    assert.ok(split.deepSet.size > 0);
    const budgets = splitBudgets(m, split, 1e-3, 1, new Map());
    const part = (deep: boolean) => m.nodes.filter((n) => split.deepSet.has(n.id) === deep)
      .reduce((s, n) => s + m.sens.get(n.id)! * budgets.get(n.id)!, 0);
    close(part(true), 1e-4, 'deep part');
    close(part(false), 9e-4, 'shallow part');
  });
  it('candidate plans: deep shares only where there are squares and --deep allows them', () => {
    assert.deepEqual(candidatePlans('auto', 2).map((p) => p.deepShare), [0.001, 0.01, 0.1, 0.5, 0]);
    assert.deepEqual(candidatePlans('never', 2).map((p) => p.deepShare), [0]);
    assert.deepEqual(candidatePlans('always', 2).map((p) => p.deepShare), [0.001, 0.01, 0.1, 0.5]);
    assert.deepEqual(candidatePlans('always', 0).map((p) => p.deepShare), [0]);
  });
});

describe('layout strategies (compile/layout.ts)', () => {
  it('float64 keeps the generic layout; float32 builds |u|/hi from one rounding and carries a PWL input whole', () => {
    assert.equal(layoutFor('float64'), float64Layout);
    assert.equal(layoutFor('float32'), float32Layout);
    const prog = new Program(1);
    const u = prog.inputForm(0);
    assert.equal(float64Layout.deepAbs(prog, u, [-2, 3]), null);
    const abs = float32Layout.deepAbs(prog, u, [-2, 3])!;
    assert.deepEqual(abs.W, [0, 3]);
    assert.equal(abs.scaledAbs, true);
    assert.equal(abs.input.terms.size, 2);
    assert.equal(float64Layout.carryPwlInput(prog, u, [1, 2], 5), null);
    const sum = { layer: 0, terms: new Map([[0, 1]]), constant: 1 };
    assert.equal(float32Layout.carryPwlInput(prog, sum, [1, 2], 5)!.layer, 1, 'carried one layer down');
    assert.equal(float32Layout.carryPwlInput(prog, sum, [-1, 2], 5), null, 'only where W[0] > 0 (Sterbenz)');
    assert.deepEqual(float64Layout.fold, { maxK: 16, extraLayers: 0 });
    assert.deepEqual(float32Layout.fold, { maxK: 3, extraLayers: 1, base: true },
      'the reflections of foldbase.ts may be chosen');
  });
});
