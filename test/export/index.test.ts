import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts, exportDtype, exportFormatFor, readOnnxInfo, readSafetensors } from '../../src/export/index.ts';
import { networkFromJson } from '../../src/net/json.ts';
import { pwlSquare } from './networks.ts';

const isInputError = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);

test('exportFormatFor(path) picks the format by extension, any case', () => {
  assert.equal(exportFormatFor('out/net.onnx'), 'onnx');
  assert.equal(exportFormatFor('NET.ONNX'), 'onnx');
  assert.equal(exportFormatFor('net.json'), 'json');
  assert.equal(exportFormatFor('a.b/net.safetensors'), 'safetensors');
});

test('exportFormatFor(path) is tfjs for a path ending in a separator or without an extension', () => {
  assert.equal(exportFormatFor('out/model/'), 'tfjs');
  assert.equal(exportFormatFor('out\\model\\'), 'tfjs');
  assert.equal(exportFormatFor('model'), 'tfjs');
  assert.equal(exportFormatFor('out.v2/model'), 'tfjs');
  assert.equal(exportFormatFor('.model'), 'tfjs');
});

test('exportFormatFor(path) with an unknown extension is an InputError naming the path (the CLI: --export)', () => {
  assert.throws(() => exportFormatFor('net.pt'), isInputError(
    /^path must end in \.onnx, \.json or \.safetensors, or name a directory .*\(got "net\.pt"\)/));
  assert.throws(() => exportFormatFor(''), isInputError(/^path must name a file or directory/));
});

test('exportDtype defaults to float64, except float32 for tfjs, and refuses float64 for tfjs', () => {
  assert.equal(exportDtype('onnx'), 'float64');
  assert.equal(exportDtype('safetensors', 'float32'), 'float32');
  assert.equal(exportDtype('tfjs'), 'float32');
  assert.throws(() => exportDtype('tfjs', 'float64'),
    isInputError(/^dtype must be float32 for a TensorFlow\.js export/));
});

test('buildArtifacts gives one file at the export path itself for onnx, json and safetensors', () => {
  const net = pwlSquare(4);
  const meta = { expr: 'x^2', domain: { x: [0, 1] }, error: { certifiedMax: 0.015625 } };
  const [onnx, ...moreOnnx] = buildArtifacts(net, meta, 'net.onnx');
  assert.equal(moreOnnx.length, 0);
  assert.equal(onnx!.relativePath, '');
  const info = readOnnxInfo(onnx!.bytes);
  assert.equal(info.dtype, 'float64');
  assert.equal(info.metadata.expr, 'x^2');
  assert.deepEqual(JSON.parse(info.metadata.domain!), { x: [0, 1] });
  assert.deepEqual(JSON.parse(info.metadata.error!), { certifiedMax: 0.015625 });

  const [safe] = buildArtifacts(net, meta, 'net.safetensors', 'float32');
  assert.equal(safe!.relativePath, '');
  const file = readSafetensors(safe!.bytes);
  assert.equal(file.tensors.get('0.weight')!.dtype, 'float32');
  assert.equal(file.metadata.expr, 'x^2');

  const [json] = buildArtifacts(net, meta, 'net.json');
  assert.equal(json!.relativePath, '');
  const back = networkFromJson(JSON.parse(new TextDecoder().decode(json!.bytes)));
  assert.deepEqual(back.net, net);
  assert.equal(back.meta.dtype, 'float64');
  assert.equal(back.meta.expr, 'x^2');
});

test('buildArtifacts to JSON in float32 stores float32-rounded weights and says dtype float32', () => {
  const net = pwlSquare(3);
  const [json] = buildArtifacts(net, {}, 'net.json', 'float32');
  const back = networkFromJson(JSON.parse(new TextDecoder().decode(json!.bytes)));
  assert.equal(back.meta.dtype, 'float32');
  assert.deepEqual(back.net.layers[1]!.weights, Float64Array.from(net.layers[1]!.weights, Math.fround));
});

test('buildArtifacts for a tfjs directory gives model.json and weights.bin inside it', () => {
  const files = buildArtifacts(pwlSquare(4), { expr: 'x^2' }, 'out/model/');
  assert.deepEqual(files.map((f) => f.relativePath), ['model.json', 'weights.bin']);
  const modelJson = JSON.parse(new TextDecoder().decode(files[0]!.bytes));
  assert.equal(modelJson.format, 'layers-model');
  assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(modelJson.userDefinedMetadata.expr, 'x^2');
  assert.equal(files[1]!.bytes.length, 4 * (4 + 4 + 4 + 1));
});
