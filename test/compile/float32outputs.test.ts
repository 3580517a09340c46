/**
 * --dtype float32 with several outputs: every output's float32 certificate (construction +
 * worst-case float32 rounding over any summation order) within its own tolerance, and the
 * float32 ONNX file run by onnxruntime-node within each output's certificate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { compileFormula } from '../../src/compile/compile.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { toOnnx } from '../../src/export/onnx.ts';

const TRUTH: Record<string, (x: number, y: number) => number> = {
  a: (x, y) => x * y,
  b: (x, y) => Math.sin(x) + y,
};

test('compile --dtype float32 with outputs a = x*y (1e-3) and b = sin(x) + y (2e-3): each float32 certificate within ' +
  'its tolerance; the float32 ONNX in onnxruntime-node is within each output\'s certificate', async () => {
  const r = compileFormula({ expr: 'ab', vars: { x: [0, 1], y: [0, 1] }, maxError: 1e-3, dtype: 'float32',
    outputs: [{ name: 'a', expr: 'x*y' }, { name: 'b', expr: 'sin(x)+y', maxError: 2e-3 }], measureCount: 5000 });
  const outs = r.outputs!;
  assert.deepEqual(outs.map((o) => o.name), ['a', 'b']);
  for (const o of outs) assert.ok(o.certifiedMaxFloat32 <= o.maxError, `${o.name}: ${o.certifiedMaxFloat32}`);
  const n = 20_000;
  // Inputs that float32 holds exactly: the file's error is then against f at the very same point.
  const x = Float32Array.from(sampleBox([[0, 1], [0, 1]], n, 7), Math.fround);
  const session = await ort.InferenceSession.create(toOnnx(r.network, { dtype: 'float32', metadata: {} }));
  try {
    const result = await session.run({ input: new ort.Tensor('float32', x, [n, 2]) });
    assert.deepEqual(result.output!.dims, [n, 2]);
    const y = result.output!.data as Float32Array;
    outs.forEach((o, k) => {
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const t = TRUTH[o.name]!(x[2 * i]!, x[2 * i + 1]!);
        worst = Math.max(worst, Math.abs(y[2 * i + k]! - t) - 4 * 2 ** -52 * (1 + Math.abs(t)));
      }
      assert.ok(worst <= o.certifiedMaxFloat32, `${o.name} in onnxruntime: ${worst} > ${o.certifiedMaxFloat32}`);
    });
  } finally {
    await session.release();
  }
});
