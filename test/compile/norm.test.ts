import { propertyRuns } from '../support/runs.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { sampleShell, sampleBox } from '../../src/compile/sample.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkSummary } from '../../src/net/network.ts';
import { toOnnx } from '../../src/export/onnx.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { t3Auto, t3Squares } from '../support/t3.ts';

const SEED = 20261131;
console.log(`norm property tests: fast-check seed ${SEED}`);
const R = 2.4e7;
const BOX: Record<string, [number, number]> = { dx: [-R, R], dy: [-R, R], dz: [-R, R] };
const T3 = { expr: 'sqrt(dx^2+dy^2+dz^2)', vars: BOX };
const SHELL = { 'dx^2+dy^2+dz^2': [4.41e14, 5.76e14] as [number, number] };
const dist = (x: Float64Array) =>
  Float64Array.from({ length: x.length / 3 }, (_, i) => Math.hypot(x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const shell = sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n: 100_000, seed: 77 });
const ball = sampleShell({ dims: 3, inner: 0, outer: 2.4e7, n: 100_000, seed: 78 });
/** T3 folded on the box at 1, built by the ball test and reused by the float32 test. */
let foldOnBox: ReturnType<typeof compileFormula> | undefined;

describe('T3 by angle folding (compile --norm fold)', () => {
  it('with the shell --range: certified <= 1 with at most 70 ReLUs, measured on 1e5 fresh shell samples <= '
      + 'certified', () => {
    const r = compileFormula({ ...T3, ranges: SHELL, maxError: 1, norm: 'fold', samples: shell });
    const s = networkSummary(r.network);
    assert.ok(s.relus <= 70, `relus ${s.relus}`);
    assert.ok(r.certifiedMax <= 1, `certified ${r.certifiedMax}`);
    assert.equal(r.measuredSamples, 100_000);
    assert.ok(r.measuredMax <= r.certifiedMax, `measured ${r.measuredMax} > certified ${r.certifiedMax}`);
    const node = r.nodes.find((n) => n.kind === 'norm')!;
    assert.equal(node.construction, 'fold');
    assert.ok(node.folds && node.folds.length === 2, 'two levels: (dx, dy), then (r_xy, dz)');
  });

  it('without --range (the box, valid on the whole ball): at most 70 ReLUs, measured on 1e5 shell and 1e5 ball points '
      + '<= certified, ONNX float64 within it', async () => {
    const r = foldOnBox = compileFormula({ ...T3, maxError: 1, norm: 'fold', samples: ball });
    assert.ok(networkSummary(r.network).relus <= 70, `relus ${networkSummary(r.network).relus}`);
    assert.ok(r.certifiedMax <= 1, `certified ${r.certifiedMax}`);
    assert.equal(r.outsideRegion, 0);
    assert.ok(r.measuredMax <= r.certifiedMax, `ball: measured ${r.measuredMax} > certified ${r.certifiedMax}`);
    const onShell = maxAbsDiff(evaluate(r.network, shell), dist(shell));
    assert.ok(onShell <= r.certifiedMax, `shell: measured ${onShell} > certified ${r.certifiedMax}`);
    const y = await runOnnx(toOnnx(r.network, { dtype: 'float64', metadata: {} }), ball, ball.length / 3, 3, 'float64');
    const onnx = maxAbsDiff(y, dist(ball));
    assert.ok(onnx <= r.certifiedMax, `onnxruntime float64: ${onnx} > certified ${r.certifiedMax}`);
  });

  it('--norm auto keeps the folded network for T3 (fewer ReLUs than squares and sqrt)', () => {
    // The builds of test/compile/compile.test.ts (test/support/t3.ts): the same requests, measured there.
    const r = t3Auto();
    assert.equal(r.nodes.find((n) => n.kind === 'norm')?.construction, 'fold');
    const sq = t3Squares();
    assert.ok(!sq.nodes.some((n) => n.kind === 'norm'));
    assert.ok(networkSummary(r.network).relus < networkSummary(sq.network).relus);
  });
});

describe('T3 by angle folding in float32', () => {
  /**
   * The float32 evaluation (ours and onnxruntime-node's) on 1e5 shell and 1e5 ball points
   * within the certified float32 bound.
   */
  const float32Within = async (r: ReturnType<typeof compileFormula>) => {
    const onnx = toOnnx(r.network, { dtype: 'float32', metadata: {} });
    for (const [name, x] of [['shell', shell], ['ball', ball]] as const) {
      const e32 = maxAbsDiff(evaluate(r.network, x, 'float32'), dist(x));
      assert.ok(e32 <= r.certifiedMaxFloat32, `${name}: float32 measured ${e32} > certified ${r.certifiedMaxFloat32}`);
      const ort = maxAbsDiff(await runOnnx(onnx, x, x.length / 3, 3, 'float32'), dist(x));
      assert.ok(ort <= r.certifiedMaxFloat32,
          `${name}: onnxruntime float32 ${ort} > certified ${r.certifiedMaxFloat32}`);
    }
  };

  it('float32: the certified float32 bound holds for the network evaluated in float32, here and in onnxruntime-node '
      + '(shell and ball)', async () => {
    await float32Within(foldOnBox ?? compileFormula({ ...T3, maxError: 1, norm: 'fold', measureCount: 1000 }));
  });

  it('built for float32 (--dtype float32 --max-error 300): folded, certified in float32 within 300, ours and '
      + 'onnxruntime-node float32 within it; --norm auto keeps the fold (fewer ReLUs)', async () => {
    const r = compileFormula({ ...T3, maxError: 300, dtype: 'float32', measureCount: 1000 });
    assert.equal(r.nodes.find((n) => n.kind === 'norm')?.construction, 'fold');
    assert.ok(r.certifiedMaxFloat32 <= 300, `float32 certified ${r.certifiedMaxFloat32}`);
    await float32Within(r);
  });

  it('--norm auto builds with the layout whose estimate fits when the other\'s is over --max-seconds '
      + '(2-D distance at 1e-6 with --deep never: shallow squares refused at once, the fold builds)', () => {
    const vars: Record<string, [number, number]> = { x: [-100, 100], y: [-100, 100] };
    const request = { expr: 'sqrt(x^2+y^2)', vars, deep: 'never' as const, maxError: 1e-6, measureCount: 1000 };
    assert.throws(() => compileFormula({ ...request, norm: 'squares' }), /--max-seconds/);
    const auto = compileFormula({ ...request, norm: 'auto' });
    assert.equal(auto.nodes.find((n) => n.kind === 'norm')?.construction, 'fold');
    assert.ok(auto.certifiedMax <= 1e-6 && auto.measuredMax <= auto.certifiedMax, JSON.stringify(auto.certifiedMax));
  });

  it('--norm auto that no layout can meet names the closest attempt: the fold\'s bound, not the squares\' '
      + '(2-D distance on [-1e4, 1e4]², float32 at 1.5e-3)', () => {
    const vars: Record<string, [number, number]> = { x: [-1e4, 1e4], y: [-1e4, 1e4] };
    const request = { expr: 'sqrt(x^2+y^2)', vars,
      ranges: { 'x^2+y^2': [0.81e8, 1e8] as [number, number] }, maxError: 1.5e-3, dtype: 'float32' as const,
      measureCount: 1000 };
    const reached = (norm: 'fold' | 'auto') => {
      try { compileFormula({ ...request, norm }); } catch (e) {
        return Number(/came down to (\S+),/.exec((e as Error).message)?.[1]);
      }
      return assert.fail(`--norm ${norm} met the tolerance`);
    };
    const fold = reached('fold');
    assert.ok(fold > 1.5e-3, String(fold));
    assert.equal(reached('auto'), fold); // the squares' attempt ends farther (7.2e-3)
  });
});

describe('norms of affine forms in 2-6 dimensions (property)', () => {
  it('measured <= certified in float64 and in float32, folded', () => {
    const coef = fc.double({ min: -3, max: 3, noNaN: true })
      .filter((c) => Math.abs(c) > 0.05).map((c) => Number(c.toPrecision(3)));
    const offset = fc.double({ min: -2, max: 2, noNaN: true }).map((c) => Number(c.toPrecision(2)));
    const term = fc.record({ a: coef, b: coef, c: offset, single: fc.boolean() });
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.array(term, { minLength: 2, maxLength: 6 }),
        fc.constantFrom(1e-1, 1e-3, 1e-6), fc.integer({ min: 1, max: 1000 }),
      (dims, terms, E, seed) => {
        const all = Array.from({ length: dims }, (_, i) => `x${i}`);
        const forms = terms.map((t, i) => (t.single
          ? `${t.a}*${all[i % dims]}`
          : `${t.a}*${all[i % dims]} + ${t.b}*${all[(i + 1) % dims]} + ${t.c}`));
        const expr = `sqrt(${forms.map((f) => `(${f})^2`).join(' + ')})`;
        const names = parseFormula(expr).variables;
        const vars: Record<string, [number, number]> = {};
        for (const v of names) vars[v] = [-2, 2];
        const r = compileFormula({ expr, vars, maxError: E, norm: 'fold', measureCount: 3000, seed });
        const ctx = `${expr} at ${E}: certified ${r.certifiedMax}, measured ${r.measuredMax}`;
        assert.ok(r.nodes.some((n) => n.construction === 'fold'), ctx);
        assert.ok(r.certifiedMax <= E, ctx);
        assert.ok(r.measuredMax <= r.certifiedMax, ctx);
        const x = sampleBox(names.map((v) => vars[v]!), 3000, seed + 1);
        const f = compileFunction(parseFormula(expr).expr, names);
        const n = names.length;
        const truth = Float64Array.from({ length: 3000 }, (_, i) => f(...Array.from(x.subarray(i * n, i * n + n))));
        const e32 = maxAbsDiff(evaluate(r.network, x, 'float32'), truth);
        assert.ok(e32 <= r.certifiedMaxFloat32, `${ctx}; float32 measured ${e32} > certified ${r.certifiedMaxFloat32}`);
      }), { seed: SEED, numRuns: propertyRuns(15) });
  });
});

describe('norms of scaled coordinates (the folded rounding analysis, compile/foldround.ts; property)', () => {
  it('the network evaluated in float32 and float64 stays within its certified bounds, over boxes of either '
      + 'sign', () => {
    const alpha = fc.double({ min: 0.1, max: 8, noNaN: true }).map((c) => Number(c.toPrecision(3)));
    const box = fc.constantFrom<[number, number]>([-2, 2], [0, 3], [0.5, 2], [-3, -1], [-1e6, 1e6]);
    fc.assert(fc.property(fc.array(fc.record({ a: alpha, box }), { minLength: 2, maxLength: 6 }),
        fc.constantFrom(1e-1, 1e-4), fc.integer({ min: 1, max: 1000 }),
      (terms, rel, seed) => {
        const names = terms.map((_, i) => `x${i}`);
        const expr = `sqrt(${terms.map((t, i) => `(${t.a}*${names[i]})^2`).join(' + ')})`;
        const vars: Record<string, [number, number]> = Object.fromEntries(terms.map((t, i) => [names[i]!, t.box]));
        const top = Math.hypot(...terms.map((t) => t.a * Math.max(Math.abs(t.box[0]), Math.abs(t.box[1]))));
        const r = compileFormula({ expr, vars, maxError: rel * top, norm: 'fold', measureCount: 2000, seed });
        const x = sampleBox(terms.map((t) => t.box), 4000, seed + 1);
        const n = terms.length;
        const truth = Float64Array.from({ length: 4000 },
          (_, i) => Math.hypot(...terms.map((t, j) => t.a * x[i * n + j]!)));
        const ctx = `${expr} on ${JSON.stringify(vars)}: certified ${r.certifiedMax}, float32 ${r.certifiedMaxFloat32}`;
        assert.ok(maxAbsDiff(evaluate(r.network, x), truth) <= r.certifiedMax, ctx);
        const e32 = maxAbsDiff(evaluate(r.network, x, 'float32'), truth);
        assert.ok(e32 <= r.certifiedMaxFloat32, `${ctx}; float32 measured ${e32}`);
      }), { seed: SEED, numRuns: propertyRuns(12) });
  });
});

describe('the distance in 30 and 300 dimensions at max error 1 (shell 2.1e7..2.4e7)', () => {
  for (const [d, before] of [[30, 1519], [300, 14929]] as const) {
    it(`${d} dims: fewer ReLUs than squares and sqrt (${before}), measured <= certified <= 1`, () => {
      const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);
      const vars: Record<string, [number, number]> = {};
      for (const v of names) vars[v] = [-R, R];
      const sum = names.map((v) => `${v}^2`).join('+');
      const r = compileFormula({ expr: `sqrt(${sum})`, vars, ranges: { [sum]: [4.41e14, 5.76e14] }, maxError: 1,
          norm: 'fold', samples: sampleShell({ dims: d, inner: 2.1e7, outer: 2.4e7, n: 500, seed: 5 }) });
      assert.ok(networkSummary(r.network).relus < before, `relus ${networkSummary(r.network).relus}`);
      assert.ok(r.certifiedMax <= 1 && r.measuredMax <= r.certifiedMax,
          `certified ${r.certifiedMax}, measured ${r.measuredMax}`);
    });
  }
});
