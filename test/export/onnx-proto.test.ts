/**
 * The ONNX protobuf module (src/export/proto/onnx-pbf.js, generated from ONNX 1.20's onnx.proto by
 * pbf's compiler): the committed files are what scripts/gen-onnx-proto.ts makes today, and its
 * reader agrees with an independent one (onnx-proto, protobufjs) on what toOnnx writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { generateOnnxModule, ONNX_PROTO_DIR } from '../../scripts/gen-onnx-proto.ts';
import { decodeOnnx, toOnnx } from '../../src/export/onnx.ts';
import { randomNetwork } from './networks.ts';

const { onnx } = onnxProto;

test('the committed onnx-pbf.js and onnx-pbf.d.ts are what scripts/gen-onnx-proto.ts generates from onnx.proto',
  () => {
    for (const [name, text] of Object.entries(generateOnnxModule())) {
      assert.equal(readFileSync(new URL(name, ONNX_PROTO_DIR), 'utf8'), text, `${name}: run scripts/gen-onnx-proto.ts`);
    }
  });

test('for all small random networks, decodeOnnx reads toOnnx bytes as onnx-proto does, and reads them the same ' +
  "after onnx-proto re-encodes them in field-number order (fast-check, seed 20261207)", () => {
  const arbNet = fc.record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
  });
  fc.assert(fc.property(arbNet, ({ widths, seed, dtype }) => {
    const bytes = toOnnx(randomNetwork(seed, widths), { dtype, metadata: { note: 'é ∑ x²' } });
    const ours = decodeOnnx(bytes);
    const theirs = onnx.ModelProto.decode(bytes);
    assert.equal(ours.ir_version, Number(theirs.irVersion));
    assert.equal(ours.producer_name, theirs.producerName);
    assert.deepEqual(ours.metadata_props.map((p) => [p.key, p.value]),
      theirs.metadataProps.map((p) => [p.key, p.value]));
    assert.deepEqual(ours.graph!.node.map((n) => [n.op_type, n.input, n.output]),
      theirs.graph!.node!.map((n) => [n.opType, n.input, n.output]));
    assert.deepEqual(ours.graph!.initializer.map((t) => [t.name, t.dims, t.data_type, [...t.raw_data!]]),
      theirs.graph!.initializer!.map((t) => [t.name, t.dims!.map(Number), t.dataType, [...t.rawData!]]));
    assert.deepEqual(decodeOnnx(Uint8Array.from(onnx.ModelProto.encode(theirs).finish())), ours);
  }), { seed: 20261207, numRuns: 40 });
});

test('decodeOnnx throws on a length that runs past the end, a value cut off by it, and an unknown wire type', () => {
  const bytes = toOnnx(randomNetwork(1, [2, 3, 1]), { dtype: 'float64', metadata: {} });
  const withTail = (...tail: number[]) => Uint8Array.from([...bytes, ...tail]);
  // field 2 (producer_name, a string) of length 100, with 2 bytes left
  assert.throws(() => decodeOnnx(withTail(0x12, 100, 0x61, 0x62)));
  // field 1 (ir_version, a varint) whose last byte says more follow
  assert.throws(() => decodeOnnx(withTail(0x08, 0x80)));
  // field 15 of wire type 3 (a group start, not in onnx.proto's proto2 messages)
  assert.throws(() => decodeOnnx(withTail(0x7b)));
  assert.equal(decodeOnnx(bytes).producer_name, 'knotnet');
});

/** Bytes of a varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return out;
}

test('a model nesting graphs in attributes of nodes 30,000 deep is refused in words, not by the stack', () => {
  // From the inside out: GraphProto.node (1) → NodeProto.attribute (5) → AttributeProto.g (6) → …
  const heads: number[][] = [];
  let length = 0;
  for (let i = 0; i < 30_000; i++) {
    for (const field of [6, 5, 1]) {
      const head = [...varint((field << 3) | 2), ...varint(length)];
      heads.push(head);
      length += head.length;
    }
  }
  heads.push([...varint((7 << 3) | 2), ...varint(length)], [8, 7]); // ModelProto.graph, ir_version 7
  const bytes = Uint8Array.from(heads.reverse().flat());
  assert.throws(() => decodeOnnx(bytes), /nested deeper than the reader follows/);
});
