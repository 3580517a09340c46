import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countHiddenLayers, countParams, countRelus, denseLayer, networkSummary,
  validateNetwork } from '../../src/net/network.ts';

const net = {
  inputs: ['x', 'y'],
  outputs: ['z'],
  layers: [denseLayer('relu', 2, 4, new Array(8).fill(1), new Array(4).fill(0)), denseLayer('relu', 4, 3,
    new Array(12).fill(1), [0, 0, 0]), denseLayer('linear', 3, 1, [1, 1, 1], [0])],
};

test('countRelus is the hidden units (4 + 3), countHiddenLayers 2, countParams every weight and bias (12 + 15 + 4)',
  () => {
  assert.equal(countRelus(net), 7);
  assert.equal(countHiddenLayers(net), 2);
  assert.equal(countParams(net), 31);
  assert.deepEqual(networkSummary(net), { relus: 7, layers: 2, params: 31, widths: [4, 3, 1] });
});

test('denseLayer with mismatched sizes is a RangeError stating both numbers', () => {
  assert.throws(() => denseLayer('relu', 2, 3, [1, 2, 3, 4, 5], [0, 0, 0]),
    /weights length \(5\) does not match outSize × inSize \(3 × 2 = 6\)/);
  assert.throws(() => denseLayer('relu', 2, 3, new Array(6).fill(0), [0]),
    /bias length \(1\) does not match outSize \(3\)/);
});

test('validateNetwork rejects layers that do not chain, a wrong output count and a ReLU last layer', () => {
  assert.doesNotThrow(() => validateNetwork(net));
  assert.throws(() => validateNetwork({ ...net, layers: [net.layers[1]!, net.layers[2]!] }),
    /layer 0 takes 4 inputs but the previous layer gives 2/);
  assert.throws(() => validateNetwork({ ...net, outputs: ['a', 'b'] }),
    /the last layer gives 1 outputs but the network names 2/);
  assert.throws(() => validateNetwork({ ...net, layers: net.layers.slice(0, 2), outputs: ['a', 'b', 'c'] }),
    /the last layer must be linear/);
  assert.throws(() => validateNetwork({ ...net, layers: [] }), /at least one layer/);
});
