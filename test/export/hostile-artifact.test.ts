/**
 * Hostile or broken model files: every reader refuses them with one InputError naming the
 * file and the fault, before a runtime sees them (no crash, no hang, no colour codes).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { networkToJson } from '../../src/net/json.ts';
import { loadArtifact } from '../../src/runtime/index.ts';
import { pwlSquare } from './networks.ts';

const { onnx } = onnxProto;
let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'knotnet-hostile-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });
const net = pwlSquare(4);

/** loadArtifact (and a run) rejects with an InputError of one plain line matching `pattern`. */
async function refused(path: string, pattern: RegExp) {
  await assert.rejects(async () => { const r = await loadArtifact(path); try { await r.run([0.5],
    1); } finally { await r.close(); } }, (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.doesNotMatch(e.message, /\x1b|\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

async function tfjsFolder(name: string, edit: (model: any, weights: Uint8Array) => [unknown,
  Uint8Array]): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  const [m, w] = buildArtifacts(net, { expr: 'x^2' }, `${path}/`);
  const [model, weights] = edit(JSON.parse(new TextDecoder().decode(m!.bytes)), w!.bytes);
  await writeFile(join(path, 'model.json'), typeof model === 'string' ? model : JSON.stringify(model));
  await writeFile(join(path, 'weights.bin'), weights);
  return path;
}

test('a network JSON with a null layer, or 20,000 layers, is refused naming the field', async () => {
  const j = networkToJson(net) as any;
  await writeFile(join(dir, 'null.json'), JSON.stringify({ ...j, layers: [null, ...j.layers] }));
  await refused(join(dir, 'null.json'),
    /null\.json layers\[0\] must be an object with activation, weights and bias \(got "null"\)/);
  const deep = Array.from({ length: 20_000 }, () => ({ activation: 'linear', weights: [[1]], bias: [0] }));
  await writeFile(join(dir, 'deep.json'), JSON.stringify({ ...j, layers: deep }));
  await refused(join(dir, 'deep.json'), /"layers" must have at most 10000 layers \(got 20000\)/);
});

test('a TF.js folder with a broken model.json, short weights, a huge shape or a weights path outside the folder is ' +
  'refused', async () => {
  await refused(await tfjsFolder('broken', (_m, w) => ['{"format": "layers-model", ', w]),
    /model\.json must be valid JSON/);
  await refused(await tfjsFolder('short', (m, w) => [m, w.subarray(0, 8)]),
    /weights must hold the \d+ bytes its weight shapes need \(got "8 bytes"\)/);
  await refused(await tfjsFolder('huge', (m, w) => { m.weightsManifest[0].weights[0].shape = [65536, 65536]; return [m,
    w]; }), /weightsManifest must declare at most 20000000 weights/);
  await refused(await tfjsFolder('escape', (m, w) => { m.weightsManifest[0].paths = ['../short/weights.bin']; return [m,
    w]; }), /weightsManifest path must name a file inside the model folder \(got "\.\.\/short\/weights\.bin"\)/);
});

test('an ONNX file with a width of 1e9, or an operator onnxruntime does not know, is refused in one plain sentence',
  async () => {
  const bytes = buildArtifacts(net, { expr: 'x^2' }, 'n.onnx')[0]!.bytes;
  const wide = onnx.ModelProto.decode(bytes);
  wide.graph!.input![0]!.type!.tensorType!.shape!.dim![1]!.dimValue = 1e9 as never;
  await writeFile(join(dir, 'wide.onnx'), onnx.ModelProto.encode(wide).finish());
  await refused(join(dir, 'wide.onnx'), /shape must have a width from 0 to 100000 \(got 1000000000\)/);
  const odd = onnx.ModelProto.decode(bytes);
  odd.graph!.node![0]!.opType = 'NoSuchOp';
  await writeFile(join(dir, 'odd.onnx'), onnx.ModelProto.encode(odd).finish());
  await refused(join(dir, 'odd.onnx'),
    /^model file must be a model its runtime can load and run \(got ".*odd\.onnx: .*NoSuchOp/);
  assert.ok((await readFile(join(dir, 'odd.onnx'))).length > 0);
});

test('an ONNX input declared 2^40 wide is refused with the width limit before any allocation', async () => {
  const m = onnx.ModelProto.decode(buildArtifacts(net, { expr: 'x^2' }, 'n.onnx')[0]!.bytes);
  m.graph!.input![0]!.type!.tensorType!.shape!.dim![1]!.dimValue = 2 ** 40 as never;
  const path = join(dir, 'huge.onnx');
  await writeFile(path, onnx.ModelProto.encode(m).finish());
  await refused(path, /shape must have a width from 0 to \d+ \(got 1099511627776\)/);
});

test('an ONNX Gemm whose weight does not fit the previous layer is refused in one sentence', async () => {
  const m = onnx.ModelProto.decode(buildArtifacts(net, { expr: 'x^2' }, 'n.onnx')[0]!.bytes);
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
