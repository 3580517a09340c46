import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { fromSafetensors, readSafetensors, toSafetensors } from '../../src/export/safetensors.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { grid, pwlSquare, randomNetwork, samplePoints } from './networks.ts';

/**
 * An independent reading of the format straight from the specification: u64 LE header
 * length, JSON header, data after it. Kept separate from readSafetensors on purpose.
 */
function parseByHand(bytes: Uint8Array): { headerLength: number; header: Record<string, any>; data: Uint8Array } {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8'));
  return { headerLength, header, data: bytes.subarray(8 + headerLength) };
}

test('toSafetensors names and shapes tensors like nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)', () => {
  const net = randomNetwork(4, [3, 5, 4, 2]);
  for (const [dtype, code, size] of [['float64', 'F64', 8], ['float32', 'F32', 4]] as const) {
    const { header, data } = parseByHand(toSafetensors(net, { dtype, metadata: {} }));
    const tensors = Object.keys(header).filter((k) => k !== '__metadata__');
    assert.deepEqual(tensors, ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    const shapes = tensors.map((k) => header[k].shape);
    assert.deepEqual(shapes, [[5, 3], [5], [4, 5], [4], [2, 4], [2]]);
    for (const k of tensors) assert.equal(header[k].dtype, code);
    // Offsets tile the data exactly: no holes, no overlap, nothing after the last tensor.
    let at = 0;
    for (const k of tensors) {
      const [begin, end] = header[k].data_offsets;
      assert.equal(begin, at);
      assert.equal(end - begin, size * header[k].shape.reduce((a: number, b: number) => a * b, 1));
      at = end;
    }
    assert.equal(at, data.length);
  }
});

test('toSafetensors stores weights [out, in] row-major as little-endian values, bit for bit in float64', () => {
  const net = randomNetwork(8, [2, 3, 1]);
  const { header, data } = parseByHand(toSafetensors(net, { dtype: 'float64', metadata: {} }));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [begin] = header['0.weight'].data_offsets;
  for (let i = 0; i < 6; i++) assert.equal(view.getFloat64(begin + 8 * i, true), net.layers[0]!.weights[i]);
});

test('toSafetensors pads the header so tensor data starts 8-byte aligned, even with non-ASCII metadata', () => {
  for (const expr of ['x^2', 'x²·√y', 'ab', 'abc']) {
    const bytes = toSafetensors(pwlSquare(3), { dtype: 'float32', metadata: { expr } });
    const { headerLength, header } = parseByHand(bytes);
    assert.equal((8 + headerLength) % 8, 0, `header length ${headerLength} for expr ${expr}`);
    assert.equal(header.__metadata__.expr, expr);
  }
});

test('toSafetensors __metadata__ is a string map holding names, activations and the given metadata', () => {
  const net: Network = { ...randomNetwork(2, [2, 3, 1]), inputs: ['dx', 'dy'], outputs: ['r'] };
  const { header } = parseByHand(toSafetensors(net, { dtype: 'float64', metadata: { expr: 'hypot(dx, dy)',
    certifiedMax: '0.001' } }));
  const m = header.__metadata__;
  for (const v of Object.values(m)) assert.equal(typeof v, 'string');
  assert.equal(m.format, 'pt');
  assert.equal(m.inputs, '["dx","dy"]');
  assert.equal(m.outputs, '["r"]');
  assert.equal(m.activations, '["relu","linear"]');
  assert.equal(m.expr, 'hypot(dx, dy)');
  assert.equal(m.certifiedMax, '0.001');
});

test('fromSafetensors(toSafetensors(net, float64)) is the same network, evaluating identically', () => {
  for (const net of [pwlSquare(10), randomNetwork(7, [3, 8, 6, 2])]) {
    const back = fromSafetensors(toSafetensors(net, { dtype: 'float64', metadata: {} }));
    assert.deepEqual(back, net);
    const x = net.inputs.length === 1 ? grid(0, 1, 101) : samplePoints(1, 100, 3, -2, 2);
    assert.deepEqual(evaluate(back, x), evaluate(net, x));
  }
});

test('fromSafetensors(toSafetensors(net, float32)) holds the float32-rounded weights', () => {
  const net = randomNetwork(5, [2, 4, 1]);
  const back = fromSafetensors(toSafetensors(net, { dtype: 'float32', metadata: {} }));
  net.layers.forEach((l, i) => {
    assert.deepEqual(back.layers[i]!.weights, Float64Array.from(l.weights, Math.fround));
    assert.deepEqual(back.layers[i]!.bias, Float64Array.from(l.bias, Math.fround));
  });
  assert.equal(readSafetensors(toSafetensors(net, { dtype: 'float32', metadata: {} })).tensors.get('0.weight')!.dtype,
    'float32');
});

test('fromSafetensors keeps a linear hidden layer linear through the "activations" metadata', () => {
  const net: Network = {
    inputs: ['x'],
    outputs: ['y'],
    layers: [denseLayer('linear', 1, 2, [1, -1], [0, 0]), denseLayer('relu', 2, 2, [1, 0, 0, 1], [0, 0]),
      denseLayer('linear', 2, 1, [1, 1], [0])],
  };
  assert.deepEqual(fromSafetensors(toSafetensors(net, { dtype: 'float64',
    metadata: {} })).layers.map((l) => l.activation), ['linear', 'relu', 'linear']);
});

test('fromSafetensors of a plain PyTorch-style file (no metadata) assumes ReLU between Linear layers', () => {
  const net = randomNetwork(6, [2, 3, 3, 1]);
  const bytes = toSafetensors(net, { dtype: 'float64', metadata: {} });
  const { header, data } = parseByHand(bytes);
  delete header.__metadata__;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  const plain = new Uint8Array([...prefix, ...json, ...data]);
  const back = fromSafetensors(plain);
  assert.deepEqual(back.layers.map((l) => l.activation), ['relu', 'relu', 'linear']);
  assert.deepEqual(back.inputs, ['x0', 'x1']);
  assert.deepEqual(evaluate(back, [0.25, -0.5]), evaluate(net, [0.25, -0.5]));
});

test('readSafetensors rejects malformed files with an InputError naming the fault', () => {
  const good = toSafetensors(pwlSquare(2), { dtype: 'float64', metadata: {} });
  assert.throws(() => readSafetensors(good.subarray(0, 4), 'f.safetensors'), (e: unknown) => e instanceof InputError
    && /^f\.safetensors must start with an 8-byte header length \(got "4 bytes"\)/.test(e.message));
  const truncated = good.subarray(0, good.length - 8);
  assert.throws(() => readSafetensors(truncated, 'f.safetensors'), (e: unknown) => e instanceof InputError
    && /tensor "2\.bias" data_offsets must span 8 bytes/.test(e.message));
  const huge = good.slice();
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  assert.throws(() => readSafetensors(huge, 'f.safetensors'), (e: unknown) => e instanceof InputError
    && /header length within the file.*1099511627776/.test(e.message));
});
