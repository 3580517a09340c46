import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { compileFormula, type OutputSpec } from '../../src/compile/compile.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { InputError } from '../../src/errors.ts';
import { accurateFunction } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { toOnnx } from '../../src/export/onnx.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkSummary } from '../../src/net/network.ts';
import { parseOutputs } from '../../src/cli/compile.ts';

/** Geodetic (lat, lon, h) → ECEF on WGS-84, scaled so the products are of O(1) values. */
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const W = `(1 / sqrt(1 - ${E2} * sin(lat)^2))`;
export const ECEF: OutputSpec[] = [
  { name: 'X', expr: `${A} * ((${W} + h / ${A}) * cos(lat) * cos(lon))` },
  { name: 'Y', expr: `${A} * ((${W} + h / ${A}) * cos(lat) * sin(lon))` },
  { name: 'Z', expr: `${A} * ((${W} * ${1 - E2} + h / ${A}) * sin(lat))` },
];
/**
 * A 64 km × 97 km × 100 m block (lat 0.01 rad, lon 0.02 rad; the region of bench/realworld.ts
 * takes minutes to build).
 */
const VARS: Record<string, [number, number]> = { lat: [0.7, 0.71], lon: [-0.01, 0.01], h: [0, 100] };
const varsOf = (expr: string) =>
  Object.fromEntries(Object.entries(VARS).filter(([v]) => new RegExp(`\\b${v}\\b`).test(expr)));

test('geodetic → ECEF to 1 m as one network with 3 outputs: each certificate <= 1 m and >= measured, no more ReLUs '
    + 'than three networks of one named output each; onnxruntime-node gives output shape [batch, 3] within the '
        + 'certificates of the accurate values', async () => {
  const opts = { measureCount: 5000, seed: 3, deep: 'never' as const };
  const r = compileFormula({ expr: 'ecef', vars: VARS, maxError: 1, outputs: ECEF, ...opts });
  assert.deepEqual(r.network.outputs, ['X', 'Y', 'Z']);
  assert.equal(r.outputs!.length, 3);
  for (const o of r.outputs!) assert.ok(o.measuredMax <= o.certifiedMax && o.certifiedMax <= 1,
      `${o.name}: measured ${o.measuredMax}, certified ${o.certifiedMax}`);
  // Each output alone through the same several-output path (its rewrites and fused curves as in r): one network
  // shares what the outputs share, and its one budget split costs no more than three.
  const singles = ECEF.map((spec) => networkSummary(compileFormula({ expr: spec.name, vars: varsOf(spec.expr),
      maxError: 1, outputs: [spec], ...opts }).network).relus);
  const relus = networkSummary(r.network).relus;
  assert.ok(relus <= singles.reduce((a, b) => a + b, 0), `one network: ${relus} ReLUs; three: ${singles.join(' + ')}`);
  const inputs = r.inputs;
  const batch = 5000;
  const x = sampleBox(inputs.map((v) => VARS[v]!), batch, 11);
  const session = await ort.InferenceSession.create(toOnnx(r.network, { dtype: 'float64', metadata: {} }));
  try {
    const out = await session.run({ input: new ort.Tensor('float64', Float64Array.from(x), [batch, inputs.length]) });
    const y = out.output!;
    assert.deepEqual(y.dims, [batch, 3]);
    const data = y.data as Float64Array;
    ECEF.forEach((spec, k) => {
      const f = accurateFunction(parseFormula(spec.expr).expr, inputs);
      let worst = 0;
      // |N − f| <= |N − f̃| + radius(f̃): an upper bound of the true error at each sample.
      for (let i = 0; i < batch; i++) worst = Math.max(worst,
          Math.abs(data[i * 3 + k]! - f(...Array.from(x.subarray(i * 3, i * 3 + 3)))) + f.lastRadius());
      // The ONNX runtime may sum in another order: allow the float64 rounding bound already in the certificate.
      assert.ok(worst <= r.outputs![k]!.certifiedMax,
          `${spec.name} in onnxruntime: ${worst} > certified ${r.outputs![k]!.certifiedMax}`);
    });
  } finally {
    await session.release();
  }
});

test('two outputs sharing cos(t1) and sin(t1 + t2) (planar arm): one network, per-output tolerances respected, outputs '
    + 'equal the k-column evaluation', () => {
  const outputs: OutputSpec[] = [
    { name: 'px', expr: '0.5*cos(t1) + 0.3*cos(t1+t2)', maxError: 1e-2 },
    { name: 'py', expr: '0.5*sin(t1) + 0.3*sin(t1+t2)', maxError: 2e-3 },
  ];
  const vars: Record<string, [number, number]> = { t1: [-1.5, 1.5], t2: [0, 2.5] };
  const r = compileFormula({ expr: 'arm', vars, maxError: 1, outputs, measureCount: 20000 });
  assert.ok(r.outputs![0]!.certifiedMax <= 1e-2 && r.outputs![1]!.certifiedMax <= 2e-3);
  for (const o of r.outputs!) assert.ok(o.measuredMax <= o.certifiedMax);
  assert.equal(networkSummary(r.network).layers >= 1, true);
  const y = evaluate(r.network, [0.3, 1.1]);
  assert.equal(y.length, 2);
  assert.ok(Math.abs(y[1]! - (0.5 * Math.sin(0.3) + 0.3 * Math.sin(1.4))) <= r.outputs![1]!.certifiedMax);
});

const refused = (outputs: OutputSpec[], re: RegExp) => assert.throws(
  () => compileFormula({ expr: 'o', vars: { t: [0, 1] }, maxError: 1e-2, outputs }),
  (e: unknown) => e instanceof InputError && re.test(e.message),
);

test('an output name used twice or equal to an input name is an InputError (exit 2) naming it', () => {
  refused([{ name: 'a', expr: 't^2' }, { name: 'a', expr: 't' }], /--out must use each output name once \(got "a"\)/);
  refused([{ name: 't', expr: 't^2' }], /--out must use output names that are not input names \(got "t"\)/);
});

test('parseOutputs reads a list "[a, f(b, c)]" as outputs y1, y2, --out name=expr, and --max-error name=E per output',
    () => {
  const l = parseOutputs('[x^2, min(x, 1)]', [], ['1e-3']);
  assert.deepEqual(l.outputs, [{ name: 'y1', expr: 'x^2' }, { name: 'y2', expr: 'min(x, 1)' }]);
  assert.equal(l.maxError, 1e-3);
  const o = parseOutputs(undefined, ['u=x^2', 'v=x'], ['u=1e-2', 'v=1e-3']);
  assert.deepEqual(o.outputs, [{ name: 'u', expr: 'x^2', maxError: 1e-2 }, { name: 'v', expr: 'x', maxError: 1e-3 }]);
  assert.equal(o.maxError, 1e-3);
  assert.equal(parseOutputs('x^2', [], []).outputs, undefined);
  assert.throws(() => parseOutputs(undefined, ['u=x'], ['w=1']), /--max-error must name an output \(u\)/);
});
