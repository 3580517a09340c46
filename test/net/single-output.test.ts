/** singleOutput(net, j): output j of a network as a network of its own, equal to column j exactly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../src/net/evaluate.ts';
import { singleOutput } from '../../src/net/network.ts';
import { randomNetwork, samplePoints } from '../export/networks.ts';

test('singleOutput(net, j) computes exactly output j of net, for every j (3 outputs, 1000 points)', () => {
  const net = { ...randomNetwork(5, [2, 7, 5, 3]), inputs: ['u', 'v'], outputs: ['a', 'b', 'c'] };
  const x = samplePoints(3, 1000, 2, -1, 1);
  const all = evaluate(net, x);
  for (let j = 0; j < 3; j++) {
    const one = singleOutput(net, j);
    assert.deepEqual(one.outputs, [net.outputs[j]]);
    const y = evaluate(one, x);
    for (let i = 0; i < 1000; i++) assert.equal(y[i], all[3 * i + j]);
  }
});
