import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { toTfjsLayers } from '../../src/export/tfjs.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import type { Network } from '../../src/net/network.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { loadTfjsFromDir, runTfjs, useTfjsBackend, type TfjsBackend } from '../../src/runtime/tfjs.ts';
import type { TfjsModel } from '../../src/train/tfjs-types.ts';
import { assertWithin, grid, pwlSquare, randomNetwork, samplePoints } from './networks.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const cases: { name: string; net: Network; lo: number; hi: number; x: Float64Array }[] = [
  { name: 'PWL x² (10 segments)', net: pwlSquare(10), lo: 0, hi: 1, x: grid(0, 1, 1001) },
  { name: 'random 3-8-6-2', net: randomNetwork(7, [3, 8, 6, 2]), lo: -2, hi: 2, x: samplePoints(11, 500, 3, -2, 2) },
];

function fromMemory(net: Network): tf.io.IOHandler {
  const { modelJson, weightsBin } = toTfjsLayers(net);
  return tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest[0]!.weights,
    weightData: weightsBin.buffer.slice(weightsBin.byteOffset, weightsBin.byteOffset
      + weightsBin.byteLength) as ArrayBuffer,
    format: modelJson.format,
    userDefinedMetadata: modelJson.userDefinedMetadata,
  });
}

/** Writes the tfjs export of `net` the way the CLI would: the files of buildArtifacts under a directory. */
async function writeTfjsDir(net: Network): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'knotnet-tfjs-'));
  dirs.push(dir);
  const target = join(dir, 'model');
  await mkdir(target);
  for (const f of buildArtifacts(net, { expr: 'test' }, `${target}/`)) await writeFile(join(target, f.relativePath),
    f.bytes);
  return target;
}

test('toTfjsLayers loads with tf.loadLayersModel as a Sequential of Dense layers with [in, out] kernels', async () => {
  await useTfjsBackend('cpu');
  const net = randomNetwork(3, [2, 4, 3, 1]);
  const model = await tf.loadLayersModel(fromMemory(net));
  try {
    assert.equal(model.layers.length, 3);
    net.layers.forEach((layer, i) => {
      const dense = model.layers[i]!;
      assert.equal(dense.getClassName(), 'Dense');
      assert.equal((dense.getConfig() as { activation: string }).activation, layer.activation);
      const [kernel, bias] = dense.getWeights();
      assert.deepEqual(kernel!.shape, [layer.inSize, layer.outSize]);
      const k = kernel!.arraySync() as number[][];
      // kernel[c][r] is our weights[r][c], rounded to float32
      for (let r = 0; r < layer.outSize; r++) for (let c = 0; c < layer.inSize; c++) assert.equal(k[c]![r],
        Math.fround(layer.weights[r * layer.inSize + c]!));
      assert.deepEqual(bias!.arraySync(), Array.from(layer.bias, Math.fround));
    });
    assert.deepEqual(model.getUserDefinedMetadata(), { inputs: ['x0', 'x1'], outputs: ['y0'], dtype: 'float32' });
  } finally {
    model.dispose();
  }
});

for (const backend of ['wasm', 'cpu'] as TfjsBackend[]) {
  for (const { name, net, lo, hi, x } of cases) {
    test(`tfjs (${backend} backend) runs ${name} within the float32 rounding bound of the exact network`, async (t) => {
      assert.equal(await useTfjsBackend(backend), backend);
      const nIn = net.inputs.length;
      const nOut = net.outputs.length;
      const exact = evaluate(net, x, 'float64');
      const bound32 = roundingErrorBound(net, new Array(nIn).fill(lo), new Array(nIn).fill(hi), 'float32');
      const bound64 = roundingErrorBound(net, new Array(nIn).fill(lo), new Array(nIn).fill(hi), 'float64');
      const tol = (i: number): number => bound32[i % nOut]! + bound64[i % nOut]!;
      const row = (i: number): string => `input row ${Math.floor(i / nOut)}`;
      const loaders: [string, () => Promise<TfjsModel>][] = [
        ['memory', () => tf.loadLayersModel(fromMemory(net))],
        ['directory', async () => loadTfjsFromDir(await writeTfjsDir(net))],
      ];
      for (const [how, load] of loaders) {
        const model = await load();
        try {
          const y = await runTfjs(model, x, x.length / nIn, nIn);
          const worst = assertWithin(y, exact, tol, row);
          t.diagnostic(`${how}: max |tfjs32 − exact| = ${worst.toExponential(3)}, bound ` +
            `= ${Math.max(...bound32).toExponential(3)}`);
        } finally {
          model.dispose();
        }
      }
    });
  }
}

test('toTfjsLayers refuses float64, naming dtype', () => {
  assert.throws(() => toTfjsLayers(pwlSquare(2), 'float64' as 'float32'), (e: unknown) => e instanceof InputError
    && /^dtype must be float32 .*"float64"/.test(e.message));
});

test('toTfjsLayers weight file holds every kernel and bias as little-endian float32, in manifest order', () => {
  const net = randomNetwork(9, [2, 3, 1]);
  const { modelJson, weightsBin } = toTfjsLayers(net);
  const specs = modelJson.weightsManifest[0]!.weights;
  assert.deepEqual(specs.map((s) => [s.name, s.shape]), [['dense_1/kernel', [2, 3]], ['dense_1/bias', [3]],
    ['dense_2/kernel', [3, 1]], ['dense_2/bias', [1]]]);
  assert.equal(weightsBin.length, 4 * (6 + 3 + 3 + 1));
  const view = new DataView(weightsBin.buffer, weightsBin.byteOffset);
  // First kernel entry [c = 0][r = 1] is our weights[1][0].
  assert.equal(view.getFloat32(4, true), Math.fround(net.layers[0]!.weights[1 * 2 + 0]!));
});
