import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { denseLayer } from '../../src/net/network.ts';
import { useTfjsBackend } from '../../src/runtime/tfjs.ts';
import { compareWithTraining, fineTuneRate, heldOutErrors, MLP_CAP, sameSizeWidths } from '../../src/train/compare.ts';
import { rng } from '../../src/random.ts';

describe('sameSizeWidths(relus, layers)', () => {
  it('keeps the ReLU count and depth, spread evenly', () => {
    const { widths, capped } = sameSizeWidths(299, 16);
    assert.equal(widths.length, 16);
    assert.equal(widths.reduce((a, b) => a + b, 0), 299);
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 1);
    assert.equal(capped, false);
  });
  it('caps ReLUs and layers, and says so', () => {
    const { widths, capped } = sameSizeWidths(7778, 4);
    assert.equal(widths.reduce((a, b) => a + b, 0), MLP_CAP.relus);
    assert.equal(capped, true);
    assert.equal(sameSizeWidths(100, 64).widths.length, MLP_CAP.layers);
  });
});

describe('fineTuneRate(net)', () => {
  it('is 1e-3 of the smallest nonzero |weight|, rounded down to one digit', () => {
    const net = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 2, [0, 4.4e-8], [1, 2]),
      denseLayer('linear', 2, 1, [3, -5e3], [0])] };
    assert.equal(fineTuneRate(net), 4e-11);
  });
});

describe('compareWithTraining', () => {
  // The wasm backend, whichever an earlier test file of the same process left selected.
  before(async () => { assert.equal(await useTfjsBackend('wasm'), 'wasm'); });
  it('measures every network on the same held-out samples, the constructed one by heldOutErrors', async () => {
    const built = approximate({ expr: 'x^2', domain: [-1, 1], size: { kind: 'knots', segments: 8 } });
    const r = rng(3);
    const x = Float64Array.from({ length: 400 }, () => 2 * r() - 1);
    const hx = Float64Array.from({ length: 300 }, () => 2 * r() - 1);
    const lines: string[] = [];
    const rows = await compareWithTraining({
      inputs: ['x'], constructed: { network: built.network, seconds: 0, certified: built.certifiedMax, name: 'built' },
      train: { x, y: x.map((v) => v * v) }, heldOut: { x: hx, y: hx.map((v) => v * v) }, budgetSeconds: 0.4, seed: 1,
        onProgress: (l) => lines.push(l),
    });
    assert.equal(rows.length, 5);
    for (const row of rows) assert.equal(row.abs.length, 300);
    const own = heldOutErrors(built.network, hx, hx.map((v) => v * v));
    assert.equal(rows[0]!.maxError, own.max);
    assert.ok(rows[0]!.maxError <= built.certifiedMax);
    for (const row of rows.slice(1)) {
      assert.equal(row.kind, 'trained');
      assert.equal(row.curve[0]!.seconds, 0);
      assert.equal(row.maxError, Math.max(...row.abs));
    }
    assert.ok(lines.length >= 4);
    const tuned = rows.filter((row) => row.init === 'constructed');
    assert.equal(tuned.length, 1);
    // Its float32 starting point in TensorFlow.js is the constructed network up to float32 rounding.
    assert.ok(Math.abs(tuned[0]!.runtimeFloat32!.before.max - rows[0]!.maxError) < 1e-5,
      `${tuned[0]!.runtimeFloat32!.before.max} vs ${rows[0]!.maxError}`);
  });
});
