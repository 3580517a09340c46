import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { InputError } from '../../src/errors.ts';
import { readOnnxInfo, toOnnx } from '../../src/export/onnx.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { assertWithin, grid, pwlSquare, randomNetwork, relTolerance, samplePoints } from './networks.ts';

const { onnx } = onnxProto;
const meta = { expr: 'x^2', domain: '{"x":[0,1]}' };

const cases: { name: string; net: Network; lo: number; hi: number; x: Float64Array }[] = [
  { name: 'PWL x² (10 segments)', net: pwlSquare(10), lo: 0, hi: 1, x: grid(0, 1, 1001) },
  { name: 'random 3-8-6-2', net: randomNetwork(7, [3, 8, 6, 2]), lo: -2, hi: 2, x: samplePoints(11, 500, 3, -2, 2) },
];

test('toOnnx(pwlSquare(10)) in onnxruntime-node equals x² at every knot (float64)', async () => {
  const net = pwlSquare(10);
  const knots = grid(0, 1, 11);
  const y = await runOnnx(toOnnx(net, { dtype: 'float64', metadata: meta }), knots, knots.length, 1, 'float64');
  const bound = roundingErrorBound(net, [0], [1], 'float64')[0]!;
  // The interpolant meets x² at its knots; what is left is float64 rounding of the network and of k².
  assertWithin(y, knots.map((k) => k * k), (i) => bound + 2 ** -52 * knots[i]! ** 2, (i) => `x = ${knots[i]}`);
});

for (const { name, net, lo, hi, x } of cases) {
  const nIn = net.inputs.length;
  const nOut = net.outputs.length;
  const batch = x.length / nIn;
  const row = (i: number): string => `input row ${Math.floor(i / nOut)} = [${Array.from(x.subarray(Math.floor(
    i / nOut) * nIn, (Math.floor(i / nOut) + 1) * nIn)).join(', ')}]`;

  test(`float64 ONNX of ${name} equals evaluate(net, 'float64') within 1e-12 relative`, async () => {
    const y = await runOnnx(toOnnx(net, { dtype: 'float64', metadata: meta }), x, batch, nIn, 'float64');
    const ref = evaluate(net, x, 'float64');
    assertWithin(y, ref, relTolerance(1e-12, y, ref), row);
  });

  test(`float32 ONNX of ${name} stays within the float32 rounding bound of the exact network`, async (t) => {
    const y = await runOnnx(toOnnx(net, { dtype: 'float32', metadata: meta }), x, batch, nIn, 'float32');
    const exact = evaluate(net, x, 'float64');
    const bound32 = roundingErrorBound(net, new Array(nIn).fill(lo), new Array(nIn).fill(hi), 'float32');
    const bound64 = roundingErrorBound(net, new Array(nIn).fill(lo), new Array(nIn).fill(hi), 'float64');
    // `exact` is itself float64: its own rounding (bound64) is added to the allowance.
    const worst = assertWithin(y, exact, (i) => bound32[i % nOut]! + bound64[i % nOut]!, row);
    const emulated = evaluate(net, x, 'float32');
    const same = y.reduce((n, v, i) => n + (v === emulated[i] ? 1 : 0), 0);
    t.diagnostic(`max |onnx32 − exact| = ${worst.toExponential(3)}, bound ` +
      `= ${Math.max(...bound32).toExponential(3)}; ${same}/${y.length} outputs bitwise equal to evaluate(net, ` +
        `'float32')`);
  });
}

test('toOnnx writes IR 8, opset 17, only Gemm (transB = 1) and Relu, "input"/"output" of shape [batch, n]', () => {
  const net = randomNetwork(3, [2, 4, 3, 1]);
  for (const dtype of ['float64', 'float32'] as const) {
    const model = onnx.ModelProto.decode(toOnnx(net, { dtype, metadata: {} }));
    assert.equal(Number(model.irVersion), 8);
    assert.deepEqual(model.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 17]]);
    const graph = model.graph!;
    assert.deepEqual(graph.node!.map((n) => n.opType), ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    for (const n of graph.node!.filter((n) => n.opType === 'Gemm')) {
      assert.deepEqual(n.attribute!.map((a) => [a.name, Number(a.i)]), [['transB', 1]]);
    }
    const elem = dtype === 'float64' ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
    for (const [v, width, name] of [[graph.input![0]!, 2, 'input'], [graph.output![0]!, 1, 'output']] as const) {
      assert.equal(v.name, name);
      assert.equal(v.type!.tensorType!.elemType, elem);
      const dims = v.type!.tensorType!.shape!.dim!;
      assert.equal(dims[0]!.dimParam, 'batch');
      assert.equal(Number(dims[1]!.dimValue), width);
    }
    // Weights are stored [out, in], as Gemm with transB = 1 expects.
    assert.deepEqual(graph.initializer!.map((t) => [t.name, t.dims!.map(Number), t.dataType]), [
      ['layer0.weight', [4, 2], elem], ['layer0.bias', [4], elem],
      ['layer1.weight', [3, 4], elem], ['layer1.bias', [3], elem],
      ['layer2.weight', [1, 3], elem], ['layer2.bias', [1], elem],
    ]);
  }
});

test('toOnnx stores the variable names and the given metadata in metadata_props', () => {
  const net: Network = { ...randomNetwork(5, [2, 3, 1]), inputs: ['dx', 'dy'], outputs: ['r'] };
  const info = readOnnxInfo(toOnnx(net, { dtype: 'float32', metadata: { expr: 'sqrt(dx^2+dy^2)',
    certifiedMax: '1e-3' } }));
  assert.deepEqual(info.inputs, ['dx', 'dy']);
  assert.deepEqual(info.outputs, ['r']);
  assert.equal(info.dtype, 'float32');
  assert.equal(info.metadata.expr, 'sqrt(dx^2+dy^2)');
  assert.equal(info.metadata.certifiedMax, '1e-3');
  assert.equal(info.metadata.inputs, '["dx","dy"]');
});

test('toOnnx refuses float32 export of a weight beyond the float32 range, naming dtype and the value', () => {
  const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('linear', 1, 1, [1e39], [0])] };
  assert.throws(() => toOnnx(net, { dtype: 'float32', metadata: {} }), (e: unknown) => e instanceof InputError
    && /^dtype.*float32.*1e\+39/.test(e.message));
  assert.ok(toOnnx(net, { dtype: 'float64', metadata: {} }).length > 0);
});

test('readOnnxInfo of bytes that are not an ONNX model is an InputError naming the source', () => {
  assert.throws(() => readOnnxInfo(new Uint8Array([0xff, 0xff, 0xff, 0x0f]), 'm.onnx'),
    (e: unknown) => e instanceof InputError && /^m\.onnx must be an ONNX model/.test(e.message));
});

test('for all small random networks, float64 ONNX equals evaluate(net) within 1e-12 relative (fast-check, seed ' +
  '20240605)', async () => {
  const arbNet = fc
    .record({
      widths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      scale: fc.constantFrom(1e-3, 1, 1e3),
    })
    .map(({ widths, seed, scale }) => ({ net: randomNetwork(seed, widths), seed, widths, scale }));
  await fc.assert(
    fc.asyncProperty(arbNet, async ({ net, seed, scale }) => {
      const nIn = net.inputs.length;
      const x = samplePoints(seed ^ 0x5bd1e995, 16, nIn, -scale, scale);
      const y = await runOnnx(toOnnx(net, { dtype: 'float64', metadata: {} }), x, 16, nIn, 'float64');
      const ref = evaluate(net, x, 'float64');
      assertWithin(y, ref, relTolerance(1e-12, y, ref));
    }),
    { seed: 20240605, numRuns: 60 },
  );
});
