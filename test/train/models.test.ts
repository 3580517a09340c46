import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { buildArtifacts } from '../../src/export/index.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson } from '../../src/net/json.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { useTfjsBackend } from '../../src/runtime/tfjs.ts';
import { askerModel, LEAKY_ALPHA, modelFromNetwork, networkFromModel, reluMlp } from '../../src/train/models.ts';
import { scalingOf, trainFor } from '../../src/train/train.ts';
import type { TfjsSequential } from '../../src/train/tfjs-types.ts';
import { requireTfjs } from '../../src/train/tf.ts';
import { WorkError } from '../../src/errors.ts';
import { rng } from '../../src/random.ts';

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

function samples(n: number, d: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n * d }, () => 4 * r() - 2);
}

/** Reference: the Keras graph (Dense, LeakyReLU, …) run in float64 straight from the tfjs weights. */
function kerasForward64(model: TfjsSequential, x: number[]): number {
  let v = x;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'LeakyReLU') { v = v.map((z) => (z >= 0 ? z : LEAKY_ALPHA * z)); continue; }
    const [k, b] = layer.getWeights();
    const [nIn, nOut] = k!.shape as [number, number];
    const kd = k!.dataSync(), bd = b!.dataSync();
    const out = Array.from({ length: nOut }, (_, o) => { let s = bd[o]!; for (let i = 0; i < nIn; i++) s += v[i]! * kd[
      i * nOut + o]!; return s; });
    v = (layer.getConfig().activation as string) === 'relu' ? out.map((z) => Math.max(0, z)) : out;
  }
  return v[0]!;
}

/** The leaky unit in Network form: relu(z), relu(−z) read back as relu(z) − α·relu(−z). */
const leakyNet: Network = {
  inputs: ['z'], outputs: ['y'],
  layers: [denseLayer('relu', 1, 2, [1, -1], [0, 0]), denseLayer('linear', 2, 1, [1, -LEAKY_ALPHA], [0])],
};

/** The asker's LeakyReLU model against the Keras graph in float64. */
function askerConvertsExactly() {
  const m = askerModel(3, 7);
  const net = networkFromModel(m, ['a', 'b', 'c']);
  assert.deepEqual(net.layers.map((l) => [l.activation, l.inSize, l.outSize]), [['relu', 3, 24], ['relu', 24, 24],
    ['linear', 24, 1]]);
  const x = samples(200, 3, 1);
  const y = evaluate(net, x);
  for (let i = 0; i < 200; i++) {
    const ref = kerasForward64(m, Array.from(x.subarray(3 * i, 3 * i + 3)));
    assert.ok(close(y[i]!, ref, 1e-12), `x=${x.subarray(3 * i, 3 * i + 3)}: ${y[i]} vs ${ref}`);
  }
}

describe('trained models as knotnet networks', () => {
  before(async () => { assert.equal(await useTfjsBackend('wasm'), 'wasm'); }); // whatever an earlier file left

  it('leaky(z) = relu(z) − α·relu(−z) holds exactly in float64 for every double z', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (z) => {
      const y = evaluate(leakyNet, [z])[0]!;
      return Object.is(y + 0, (z >= 0 ? z : LEAKY_ALPHA * z) + 0);
    }), { seed: 6, numRuns: 2000 });
  });

  it('the asker\'s LeakyReLU model converts exactly: same function as the Keras graph in float64 (linear layer ' +
    'merged, leaky units doubled)', askerConvertsExactly);

  it('a converted model evaluates (knotnet, float64) to model.predict within float32 tolerance', () => {
    const m = askerModel(3, 7);
    const net = networkFromModel(m, ['a', 'b', 'c']);
    const x = samples(200, 3, 1);
    const yTf = (m.predict(tf.tensor2d(Float32Array.from(x), [200, 3])) as tf.Tensor).dataSync();
    const y = evaluate(net, Float32Array.from(x));
    for (let i = 0; i < 200; i++) assert.ok(close(y[i]!, yTf[i]!, 1e-5), `${y[i]} vs ${yTf[i]}`);
  });

  it('a ReLU MLP and its standardization fold into the first and last layers', () => {
    const m = reluMlp(2, [5, 4], 3);
    const x = samples(100, 2, 2).map((v) => 1000 + 50 * v);
    const sc = { mu: [1000, 1000], sigma: [50, 50], yMu: 7, ySigma: 3 };
    const net = networkFromModel(m, ['p', 'q'], sc);
    const xs = Float32Array.from(x, (v, i) => (v - sc.mu[i % 2]!) / sc.sigma[i % 2]!);
    const yTf = (m.predict(tf.tensor2d(xs, [100, 2])) as tf.Tensor).dataSync();
    const y = evaluate(net, x);
    for (let i = 0; i < 100; i++) assert.ok(close(y[i]!, yTf[i]! * 3 + 7, 1e-4), `${y[i]} vs ${yTf[i]! * 3 + 7}`);
  });

  it('modelFromNetwork then networkFromModel gives back the network (float32 weights)', () => {
    const net = networkFromModel(reluMlp(3, [6, 6], 5), ['a', 'b', 'c']);
    const back = networkFromModel(modelFromNetwork(net), ['a', 'b', 'c']);
    net.layers.forEach((l, i) => l.weights.forEach((w, k) => assert.equal(back.layers[i]!.weights[k], Math.fround(w))));
  });

  it('a trained network exports through the same exporters: its JSON file evaluates to the same outputs', () => {
    const net = networkFromModel(askerModel(3, 2), ['a', 'b', 'c']);
    const [file] = buildArtifacts(net, { expr: 'test' }, 'asker.json');
    const back = networkFromJson(JSON.parse(new TextDecoder().decode(file!.bytes))).net;
    const x = samples(50, 3, 4);
    assert.deepEqual(evaluate(back, x), evaluate(net, x));
  });

  it('trainFor with a small budget lowers the MSE below its value before training (y = x1 + 2·x2)', async () => {
    const x = samples(2000, 2, 9);
    const y = Float64Array.from({ length: 2000 }, (_, i) => x[2 * i]! + 2 * x[2 * i + 1]!);
    const sc = scalingOf(x, y, 2);
    const m = reluMlp(2, [8], 1);
    const mse = () => { const p = evaluate(networkFromModel(m, ['a', 'b'], sc), x); let s = 0; p.forEach((v,
      i) => { s += (v - y[i]!) ** 2; }); return s / y.length; };
    const initial = mse();
    const h = await trainFor(m, x, y, 2, { budgetSeconds: 0.5, seed: 1, learningRate: 1e-2, scaling: sc });
    assert.ok(h.length >= 1);
    assert.ok(mse() < initial / 2, `${initial} -> ${mse()}`);
  });
});

const MISSING = 'knotnet/train (training with TensorFlow.js) needs the optional package @tensorflow/tfjs, which ' +
  'is not installed (npm install @tensorflow/tfjs).';

describe('knotnet/train without @tensorflow/tfjs', () => {
  it('a missing tfjs is one WorkError naming the package; other load errors pass through', () => {
    const notFound = Object.assign(new Error("Cannot find module '@tensorflow/tfjs'"), { code: 'MODULE_NOT_FOUND' });
    assert.throws(() => requireTfjs(() => { throw notFound; }), (e: unknown) => e instanceof WorkError &&
      e.message === MISSING);
    const other = new RangeError('broken install');
    assert.throws(() => requireTfjs(() => { throw other; }), (e: unknown) => e === other);
  });

  it('the subpath imports where tfjs cannot be found (a copy of src/ outside node_modules), and a model builder ' +
    'throws the one sentence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knotnet-notf-'));
    try {
      const root = new URL('../..', import.meta.url).pathname;
      cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
      cpSync(join(root, 'package.json'), join(dir, 'package.json'));
      const script = `const m = await import(${JSON.stringify(join(dir, 'src/train/index.ts'))});
        try { m.reluMlp(1, [2], 1); console.log('built'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: root, encoding: 'utf8' });
      assert.equal(out.trim(), `WorkError: ${MISSING}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
