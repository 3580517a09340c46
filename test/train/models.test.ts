import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { evaluate } from '../../src/net/evaluate.ts';
import { initTfjs } from '../../src/runtime/tfjs.ts';
import { askerModel, modelFromNetwork, networkFromModel, reluMlp } from '../../src/train/models.ts';
import { scalingOf, trainFor } from '../../src/train/train.ts';
import { rng } from '../../src/random.ts';

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

function samples(n: number, d: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n * d }, () => 4 * r() - 2);
}

describe('trained models as knotnet networks', () => {
  before(async () => { await initTfjs('wasm'); });

  it('the asker\'s LeakyReLU model converts exactly: leaky(z) = relu(z) − 0.3·relu(−z), linear layer merged', () => {
    const m = askerModel(3, 7);
    const net = networkFromModel(m, ['a', 'b', 'c']);
    assert.deepEqual(net.layers.map((l) => [l.activation, l.inSize, l.outSize]), [['relu', 3, 24], ['relu', 24, 24], ['linear', 24, 1]]);
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

  it('training with a small budget lowers the loss from its first epoch (y = x1 + 2·x2)', async () => {
    const x = samples(2000, 2, 9);
    const y = Float64Array.from({ length: 2000 }, (_, i) => x[2 * i]! + 2 * x[2 * i + 1]!);
    const h = await trainFor(reluMlp(2, [8], 1), x, y, 2, { budgetSeconds: 1.5, seed: 1, learningRate: 1e-2, scaling: scalingOf(x, y, 2) });
    assert.ok(h.length >= 2);
    assert.ok(h[h.length - 1]!.loss < h[0]!.loss, `${h[0]!.loss} -> ${h[h.length - 1]!.loss}`);
  });
});
