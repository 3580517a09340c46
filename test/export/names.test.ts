import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildArtifacts, distinctOutputNames, readOnnxInfo, readSafetensors } from '../../src/export/index.ts';
import { randomNetwork } from './networks.ts';

const net = { ...randomNetwork(5, [2, 3, 1]), inputs: ['x', 'y'], outputs: ['y'] };
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

test('an output named like an input is renamed in every export: y becomes f', () => {
  assert.deepEqual(readOnnxInfo(buildArtifacts(net, {}, 'm.onnx')[0]!.bytes).outputs, ['f']);
  assert.deepEqual(decode(buildArtifacts(net, {}, 'm.json')[0]!.bytes).outputs, ['f']);
  assert.equal(readSafetensors(buildArtifacts(net, {}, 'm.safetensors')[0]!.bytes).metadata.outputs, '["f"]');
  const tfjs = buildArtifacts(net, {}, 'm_tfjs').find((f) => f.relativePath === 'model.json')!;
  assert.deepEqual(decode(tfjs.bytes).userDefinedMetadata.outputs, ['f']);
});

test('distinctOutputNames keeps names that do not collide and suffixes the others', () => {
  assert.equal(distinctOutputNames({ ...net, outputs: ['z'] }).outputs[0], 'z');
  assert.deepEqual(distinctOutputNames({ ...net, inputs: ['x', 'f'], outputs: ['x'] }).outputs, ['x_out']);
  assert.deepEqual(distinctOutputNames({ ...net, inputs: ['y', 'f'], outputs: ['y'] }).outputs, ['y_out']);
});
