import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { buildArtifacts, type ExportDtype } from '../../src/export/index.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import type { Network } from '../../src/net/network.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { loadPlainNetwork } from '../../src/runtime/plain.ts';
import { askerModel } from '../../src/train/models.ts';
import { randomNetwork, samplePoints } from '../export/networks.ts';

const { onnx } = onnxProto;
let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'knotnet-plain-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const net = { ...randomNetwork(5, [2, 6, 5, 1]), inputs: ['u', 'v'], outputs: ['w'] };
const x = samplePoints(3, 100, 2, -1, 1);
const rounded = (n: Network): Network => ({ ...n, layers: n.layers.map((l) => ({ ...l,
  weights: l.weights.map(Math.fround), bias: l.bias.map(Math.fround) })) });

async function exportTo(name: string, dtype?: ExportDtype): Promise<string> {
  const path = join(dir, name);
  const files = buildArtifacts(net, { expr: 'random' }, path, dtype);
  if (files.some((f) => f.relativePath !== '')) await mkdir(path, { recursive: true });
  for (const f of files) await writeFile(join(path, f.relativePath), f.bytes);
  return path;
}

for (const [name, dtype] of [['n64.onnx', 'float64'], ['n32.onnx', 'float32'], ['n.json', 'float64'],
  ['n32.safetensors', 'float32'], ['tf/', 'float32']] as const) {
  test(`loadPlainNetwork(${name}) gives back the exported network (weights as stored, ${dtype})`, async () => {
    const m = await loadPlainNetwork(await exportTo(name, name === 'tf/' ? undefined : dtype));
    assert.equal(m.dtype, dtype);
    assert.deepEqual(m.net.inputs, ['u', 'v']);
    const want = evaluate(dtype === 'float32' ? rounded(net) : net, x);
    assert.deepEqual(Array.from(evaluate(m.net, x)), Array.from(want));
  });
}

/** Saves a tfjs model's artifacts into a folder, as model.save would. */
async function saveTfjs(model: tf.LayersModel, folder: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (a) => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] }));
    await writeFile(join(folder, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

test('loadPlainNetwork(the asker\'s tfjs model with LeakyReLU) computes what tfjs predicts (48 ReLUs, read-outs ' +
  'linear)', async () => {
  await tf.setBackend('cpu');
  const model = askerModel(3, 7);
  const folder = join(dir, 'asker');
  await saveTfjs(model as tf.LayersModel, folder);
  const m = await loadPlainNetwork(folder);
  const relus = m.net.layers.reduce((n, l, i) => n + (i < m.net.layers.length - 1 && l.activation === 'relu' ? l.outSize
    : 0), 0);
  assert.equal(relus, 48);
  const xs = samplePoints(9, 50, 3, -2, 2);
  const want = (model.predict(tf.tensor2d(Float32Array.from(xs), [50, 3])) as tf.Tensor).dataSync();
  const got = evaluate(m.net, xs);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)),
    `row ${i}: ${got[i]} vs ${want[i]}`);
});

test('loadPlainNetwork refuses a tfjs model with a sigmoid layer, naming it', async () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [2], units: 3, activation: 'sigmoid' }));
  m.add(tf.layers.dense({ units: 1 }));
  const folder = join(dir, 'sig');
  await saveTfjs(m, folder);
  await assert.rejects(loadPlainNetwork(folder), /activation must be relu or linear.*"sigmoid"/);
});

/** An ONNX model x·W + b → LeakyRelu(0.1) → x·V + c (MatMul + Add form), or with `op` in the middle. */
function matmulOnnx(op = 'LeakyRelu'): { bytes: Uint8Array; W: number[]; b: number[]; V: number[]; c: number[] } {
  const W = [0.5, -1, 2, 0.25, -0.75, 1.5], b = [0.1, -0.2, 0.3], V = [1, -2, 0.5], c = [0.05];
  const T = (name: string, dims: number[], v: number[]) => onnx.TensorProto.create({ name, dims,
    dataType: onnx.TensorProto.DataType.FLOAT, floatData: v });
  const vi = (name: string, w: number) => onnx.ValueInfoProto.create({ name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'n' },
      { dimValue: w }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['a'] }, { opType: 'Add', input: ['a', 'b'], output: ['z'] },
        { opType: op, input: ['z'], output: ['h'], attribute: op === 'LeakyRelu' ? [{ name: 'alpha',
          type: onnx.AttributeProto.AttributeType.FLOAT, f: 0.1 }] : [] },
        { opType: 'MatMul', input: ['h', 'V'], output: ['p'] }, { opType: 'Add', input: ['p', 'c'], output: ['y'] },
      ],
      initializer: [T('W', [2, 3], W), T('b', [3], b), T('V', [3, 1], V), T('c', [1], c)],
      input: [vi('x', 2)], output: [vi('y', 1)],
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), W, b, V, c };
}

test('loadPlainNetwork(ONNX MatMul+Add+LeakyRelu) computes what onnxruntime computes', async () => {
  const { bytes } = matmulOnnx();
  const path = join(dir, 'leaky.onnx');
  await writeFile(path, bytes);
  const m = await loadPlainNetwork(path);
  const got = evaluate(m.net, x);
  const want = await runOnnx(bytes, x, 100, 2, 'float32');
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-6 * (1 + Math.abs(want[i]!)),
    `row ${i}: ${got[i]} vs ${want[i]}`);
});

test('loadPlainNetwork refuses an ONNX Tanh node by name, and a truncated file', async () => {
  const path = join(dir, 'tanh.onnx');
  await writeFile(path, matmulOnnx('Tanh').bytes);
  await assert.rejects(loadPlainNetwork(path), /operator must be one of .* \(got "Tanh"\)/);
  const cut = join(dir, 'cut.onnx');
  await writeFile(cut, matmulOnnx().bytes.subarray(0, 60));
  await assert.rejects(loadPlainNetwork(cut), /must/);
});

test('loadPlainNetwork(safetensors, leakyAlpha) reads the hidden layers as LeakyReLU(α)', async () => {
  const path = await exportTo('leaky.safetensors', 'float64');
  const m = await loadPlainNetwork(path, { leakyAlpha: 0.25 });
  // Reference: the plain loop with leaky(z) = max(z, 0.25·z) on every hidden layer.
  const want = Array.from({ length: 100 }, (_, i) => {
    let cur = Array.from(x.subarray(2 * i, 2 * i + 2));
    net.layers.forEach((l, k) => {
      cur = Array.from({ length: l.outSize }, (_, r) => {
        let s = 0;
        for (let c = 0; c < l.inSize; c++) s += l.weights[r * l.inSize + c]! * cur[c]!;
        s += l.bias[r]!;
        return k < net.layers.length - 1 ? Math.max(s, 0.25 * s) : s;
      });
    });
    return cur[0]!;
  });
  const got = evaluate(m.net, x);
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-12 * (1 + Math.abs(want[i]!)),
    `row ${i}: ${got[i]} vs ${want[i]}`);
});
