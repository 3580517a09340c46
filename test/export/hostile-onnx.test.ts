/**
 * ONNX files whose declared shapes are absurd or do not fit together: refused by the reader
 * with one InputError of one plain line (no crash, no "Invalid array length", no colour codes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { loadArtifact } from '../../src/runtime/index.ts';
import { pwlSquare } from './networks.ts';

const { onnx } = onnxProto;
let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'knotnet-hostile-onnx-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function refused(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(async () => {
    const r = await loadArtifact(path);
    try { await r.run([0.5], 1); } finally { await r.close(); }
  }, (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.doesNotMatch(e.message, /\x1b|\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

function model(): ReturnType<typeof onnx.ModelProto.decode> {
  return onnx.ModelProto.decode(buildArtifacts(pwlSquare(4), { expr: 'x^2' }, 'n.onnx')[0]!.bytes);
}

test('an ONNX input declared 2^40 wide is refused with the width limit before any allocation', async () => {
  const m = model();
  m.graph!.input![0]!.type!.tensorType!.shape!.dim![1]!.dimValue = 2 ** 40 as never;
  const path = join(dir, 'huge.onnx');
  await writeFile(path, onnx.ModelProto.encode(m).finish());
  await refused(path, /shape must have a width from 0 to \d+ \(got 1099511627776\)/);
});

test('an ONNX Gemm whose weight does not fit the previous layer is refused in one sentence', async () => {
  const m = model();
  const gemm = m.graph!.node!.filter((n) => n.opType === 'Gemm');
  assert.ok(gemm.length >= 2, 'the exported network has two Gemm layers');
  // The second layer's weight: declare it 3 wide while the hidden layer gives 4 values.
  const name = gemm[1]!.input![1]!;
  const init = m.graph!.initializer!.find((t) => t.name === name)!;
  const dims = init.dims!.map(Number);
  const values = init.doubleData && init.doubleData.length > 0 ? 'doubleData' : 'floatData';
  assert.equal(dims.reduce((p, q) => p * q, 1), 4);
  init.dims = dims.map((d) => (d === 4 ? 3 : d)) as never;
  if ((init[values] as number[] | undefined)?.length) (init as any)[values] = (init[values] as number[]).slice(0, 3);
  if (init.rawData && init.rawData.length > 0) init.rawData = init.rawData.subarray(0, (init.rawData.length / 4) * 3);
  const path = join(dir, 'gemm.onnx');
  await writeFile(path, onnx.ModelProto.encode(m).finish());
  await refused(path, /gemm\.onnx/);
});
