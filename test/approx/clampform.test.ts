import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Layout } from '../../src/approx/clampform.ts';
import { clampDriftBound, evalPwl } from '../../src/approx/pwl.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { toOnnx } from '../../src/export/onnx.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { propertyRuns } from '../support/runs.ts';

describe('the clamp form of a PWL (float32 layout of approx)', () => {
  it('the shipped float32 layout computes the PWL: |float64 network − PWL| within the drift bound plus its float64 ' +
    'rounding, and y0 / y_n outside', () => {
    const r = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'knots', segments: 40 } });
    const L = float32Layout(r, Math.sqrt);
    const net = L.network;
    const xs = Float64Array.from({ length: 4001 }, (_, i) => i / 4000);
    const y = evaluate(net, xs);
    xs.forEach((x, i) => assert.ok(Math.abs(y[i]! - evalPwl(r.pwl, x)) <= clampDriftBound(r.pwl) + L.roundingBound,
      `x=${x}`));
    const out = evaluate(net, [-5, 7]);
    assert.ok(Math.abs(out[0]! - r.pwl.y[0]!) < 1e-12 && Math.abs(out[1]! - r.pwl.y[40]!) < 1e-12);
    // The clamp layers: 40 units relu(x − k_i), then 40 units relu(h_i − u_i), one weight −1 each.
    assert.deepEqual([net.layers[0]!.inSize, net.layers[0]!.outSize, net.layers[1]!.outSize], [1, 40, 40]);
    for (let i = 0; i < 40; i++) {
      const row = Array.from(net.layers[1]!.weights.subarray(i * 40, i * 40 + 40));
      assert.deepEqual(row.filter((w) => w !== 0), [-1]);
    }
  });

  it('sqrt on [0, 1]: float32 certified <= 1e-4 when sized for it, and onnxruntime float32 measured below it',
    async () => {
    const r = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 9e-5 } });
    const L = float32Layout(r, Math.sqrt);
    assert.ok(L.certifiedMaxFloat32 <= 1e-4, `float32 certified ${L.certifiedMaxFloat32}`);
    const xs = Float64Array.from({ length: 100_001 }, (_, i) => i / 100_000);
    const y = await runOnnx(toOnnx(L.network, { dtype: 'float32', metadata: {} }), xs, xs.length, 1, 'float32');
    xs.forEach((x, i) => assert.ok(Math.abs(Math.sqrt(x) - y[i]!) <= L.certifiedMaxFloat32,
      `x=${x}: ${Math.abs(Math.sqrt(x) - y[i]!)} > ${L.certifiedMaxFloat32}`));
    // The one-layer form of the same PWL, evaluated in float32, breaks the tolerance: the
    // steep first segments cancel in sums of size |slope|·x.
    const one = evaluate(r.network, xs, 'float32');
    assert.ok(xs.some((x, i) => Math.abs(Math.sqrt(x) - one[i]!) > 1e-4));
  });

  const seed = 5150;
  it(`property: float32 certified >= float32 measured for random formulas, domains and sizes (fast-check seed ${seed})`,
    () => {
    const exprs = ['sqrt(x)', 'exp(x)', 'sin(3*x)', 'x^2', 'log1p(x^2)', 'abs(x-0.3)', 'tanh(4*x)'];
    fc.assert(fc.property(
      fc.constantFrom(...exprs), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 1e-3, max: 6,
        noNaN: true }), fc.integer({ min: 1, max: 120 }),
      (expr, a, w, n) => {
        const lo = expr === 'sqrt(x)' ? Math.abs(a) : a;
        const r = approximate({ expr, domain: [lo, lo + w], size: { kind: 'knots', segments: n } });
        const f = compileFunction(parseFormula(expr).expr, [r.variable]);
        const L = float32Layout(r, f);
        const xs = Float64Array.from({ length: 2001 }, (_, i) => lo + (w * i) / 2000);
        const y = evaluate(L.network, xs, 'float32');
        xs.forEach((x, i) => assert.ok(Math.abs(f(x) - y[i]!) <= L.certifiedMaxFloat32,
          `${expr} x=${x}: ${Math.abs(f(x) - y[i]!)} > ${L.certifiedMaxFloat32}`));
      },
    ), { seed, numRuns: propertyRuns(30) }); // 60 in the long run (KNOTNET_PROPERTY_RUNS=60)
  });
});
