import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFormula, type CompileOptions } from '../../src/compile/compile.ts';
import { accurateEvaluator } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';

/**
 * The largest error of a compiled network against the formula as the user wrote it (not the
 * rewritten form it was built from), at `n` seeded points of the box, evaluated accurately
 * (less the proven radius of the accurate value: a lower bound of the true error, so one above
 * the certified bound proves the certificate wrong).
 */
function errorAgainstWritten(o: CompileOptions, network: Parameters<typeof evaluate>[0], n: number, seed: number) {
  const names = Object.keys(o.vars);
  const f = accurateEvaluator(parseFormula(o.expr).expr, names);
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const xs: number[] = [];
  for (let k = 0; k < n; k++) {
    for (const v of names) xs.push(o.vars[v]![0] + (o.vars[v]![1] - o.vars[v]![0]) * uniform());
  }
  const y = evaluate(network, xs);
  const out = new Float64Array(1);
  let max = 0;
  for (let k = 0; k < n; k++) {
    const value = f(xs.slice(k * names.length, (k + 1) * names.length), out);
    max = Math.max(max, Math.abs(value - y[k]!) - out[0]!);
  }
  return max;
}

describe('compile builds the rewritten form and certifies it against the formula as written', () => {
  it('log(exp(x)+exp(y)) on [-10, 10]² at 1e-3: built as x + softplus(y − x), bound ≥ error vs as written', () => {
    const o: CompileOptions = { expr: 'log(exp(x)+exp(y))', vars: { x: [-10, 10], y: [-10, 10] }, maxError: 1e-3,
      measureCount: 2000 };
    const r = compileFormula(o);
    assert.equal(r.expr, o.expr);
    assert.equal(r.rewritten, 'x + max(0, y - x) + log(1 + exp(-abs(y - x)))');
    assert.ok(r.certifiedMax <= 1e-3);
    const seen = errorAgainstWritten(o, r.network, 4000, 7);
    assert.ok(seen <= r.certifiedMax, `error ${seen} against the written formula above the bound ${r.certifiedMax}`);
  });

  it('exp(x)/(exp(x)+exp(y)+exp(z)) on [-5, 5]³ at 1e-3 builds (the written form was refused), bound ≥ error', () => {
    const o: CompileOptions = { expr: 'exp(x)/(exp(x)+exp(y)+exp(z))', vars: { x: [-5, 5], y: [-5, 5], z: [-5, 5] },
      maxError: 1e-3, measureCount: 2000 };
    const r = compileFormula(o);
    assert.ok(r.rewritten);
    assert.ok(r.certifiedMax <= 1e-3);
    const seen = errorAgainstWritten(o, r.network, 4000, 8);
    assert.ok(seen <= r.certifiedMax, `error ${seen} against the written formula above the bound ${r.certifiedMax}`);
  });

  it('geodetic → ECEF Z in its textbook form (a = 6378137 m) builds at 1 m without rescaling, bound ≥ error', () => {
    const N = '6378137/sqrt(1 - 6.69437999014e-3*sin(lat)^2)';
    const o: CompileOptions = { expr: `(${N}*(1-6.69437999014e-3)+h)*sin(lat)`, vars: { lat: [0.7, 0.9], h: [0, 1000] },
      maxError: 1, measureCount: 500 };
    const r = compileFormula(o);
    assert.ok(r.rewritten);
    assert.ok(r.certifiedMax <= 1);
    const seen = errorAgainstWritten(o, r.network, 2000, 9);
    assert.ok(seen <= r.certifiedMax, `error ${seen} against the written formula above the bound ${r.certifiedMax}`);
  });

  it('a request stating a --range is built as written (its subexpressions must stay nodes)', () => {
    const o: CompileOptions = { expr: 'log(exp(x)+exp(y))', vars: { x: [-1, 1], y: [-1, 1] }, maxError: 1e-2,
      measureCount: 500 };
    assert.ok(compileFormula(o).rewritten);
    const stated = compileFormula({ ...o, ranges: { 'exp(x)+exp(y)': [0.7, 5.5] } });
    assert.equal(stated.rewritten, undefined);
  });
  it('a rewrite never removes a part undefined on the box: refused as the written formula is', () => {
    const vars = { x: [-1e-9, 1] as [number, number], y: [0, 1] as [number, number] };
    const refusal = (expr: string) => {
      try {
        compileFormula({ expr, vars, maxError: 1e-3, measureCount: 100 });
        return 'built';
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    };
    assert.equal(refusal('sqrt(x)*0 + y'), 'undefined-on-range');
    for (const expr of ['sqrt(x)*(y - y) + y', 'exp(sqrt(x))/exp(sqrt(x)) + y', 'y - sqrt(x) + sqrt(x)']) {
      assert.equal(refusal(expr), 'undefined-on-range', expr);
    }
  });
});
