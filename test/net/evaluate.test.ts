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
    fc.property(smallNetwork(), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }), (n, x) => {
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

test('evaluate with an input length that is not a multiple of the inputs is a RangeError stating both numbers', () => {
  assert.throws(() => evaluate(net, [1, 2, 3]), /input length \(3\) is not a multiple of the number of inputs \(2\)/);
});
