import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { smallNetwork } from './networks.ts';

const SEED = 777;
const f = Math.fround;

/** y = W2·relu(W1·x + b1) + b2 for 2 inputs, 2 hidden units: small enough to write out by hand. */
const W1 = [0.1, -0.7, 1 / 3, 2.5];
const B1 = [0.3, -0.2];
const W2 = [1.7, -0.9];
const B2 = [1e-3];
const net: Network = {
  inputs: ['a', 'b'],
  outputs: ['y'],
  layers: [denseLayer('relu', 2, 2, W1, B1), denseLayer('linear', 2, 1, W2, B2)],
};

test('evaluate(net, x, float64) is y = W2·relu(W1·x + b1) + b2 summed in column order with the bias last', () => {
  for (const [a, b] of [[0.7, 0.2], [-1, 3], [2, -5]] as const) {
    const h0 = Math.max(0, W1[0]! * a + W1[1]! * b + B1[0]!);
    const h1 = Math.max(0, W1[2]! * a + W1[3]! * b + B1[1]!);
    assert.equal(evaluate(net, [a, b])[0], W2[0]! * h0 + W2[1]! * h1 + B2[0]!);
  }
});

test('evaluate(net, x, float32) rounds weights, inputs, every product and every partial sum like Math.fround', () => {
  for (const [a, b] of [[0.7, 0.2], [-1, 3], [2, -5], [1e-3, 1 / 7]] as const) {
    const [a32, b32] = [f(a), f(b)];
    const pre0 = f(f(f(f(W1[0]!) * a32) + f(f(W1[1]!) * b32)) + f(B1[0]!));
    const pre1 = f(f(f(f(W1[2]!) * a32) + f(f(W1[3]!) * b32)) + f(B1[1]!));
    const h0 = pre0 < 0 ? 0 : pre0;
    const h1 = pre1 < 0 ? 0 : pre1;
    const y = f(f(f(f(W2[0]!) * h0) + f(f(W2[1]!) * h1)) + f(B2[0]!));
    assert.equal(evaluate(net, [a, b], 'float32')[0], y, `at (${a}, ${b})`);
  }
});

test('evaluate(net, x, float32) differs from float64 when weights are not float32 numbers (0.1)', () => {
  assert.notEqual(evaluate(net, [0.7, 0.2], 'float32')[0], evaluate(net, [0.7, 0.2])[0]);
});

test(`every float32 output is a float32 number (Math.fround(y) === y) on random nets (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(smallNetwork(), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
      (n, x) => {
      const y = evaluate(n, x.slice(0, n.inputs.length), 'float32')[0]!;
      assert.equal(f(y), y);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('evaluate of a batch is the rows evaluated one at a time', () => {
  const xs = [0.7, 0.2, -1, 3, 2, -5];
  const batch = evaluate(net, xs);
  for (let i = 0; i < 3; i++) assert.equal(batch[i], evaluate(net, xs.slice(2 * i, 2 * i + 2))[0]);
});

test('evaluate with an input length that is not a multiple of the inputs is an InputError stating both numbers', () => {
  assert.throws(() => evaluate(net, [1, 2, 3]), { name: 'InputError',
    message: /^x must hold whole rows of the 2 inputs .*\(got "3 values"\)/ });
});

test('mostly-zero layers are evaluated over their nonzero weights, bit for bit as the dense loop (float64 and ' +
  'float32), and NaN still spreads from an infinite input', () => {
  const n = 80; // an 80 × 80 layer with one weight per row: 1/80 nonzero
  const w1 = Float64Array.from({ length: n }, (_, i) => (i % 3) - 1 + 0.1 * i);
  const b1 = Float64Array.from({ length: n }, (_, i) => -0.37 * i);
  const w2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) w2[i * n + i] = -1.3 + 0.01 * i;
  const b2 = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.11 * i);
  const w3 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, n, w1, b1), denseLayer('relu', n,
    n, w2, b2), denseLayer('linear', n, 1, w3, [0.25])] };
  const xs = Array.from({ length: 50 }, (_, i) => -3 + 0.1234567 * i);
  for (const dtype of ['float64', 'float32'] as const) {
    const f = dtype === 'float32' ? Math.fround : (v: number) => v;
    const y = evaluate(net, xs, dtype);
    xs.forEach((x0, k) => {
      let cur = [f(x0)];
      for (const l of net.layers) {
        const next: number[] = [];
        for (let r = 0; r < l.outSize; r++) {
          let s = 0;
          for (let c = 0; c < l.inSize; c++) s = f(s + f(f(l.weights[r * l.inSize + c]!) * cur[c]!));
          s = f(s + f(l.bias[r]!));
          next.push(l.activation === 'relu' && s < 0 ? 0 : s);
        }
        cur = next;
      }
      assert.equal(Object.is(y[k], cur[0]) || y[k] === cur[0], true, `${dtype} x=${x0}: ${y[k]} vs ${cur[0]}`);
    });
  }
  assert.ok(Number.isNaN(evaluate(net, [Infinity])[0]!));
});
