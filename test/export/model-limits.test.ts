/**
 * Model files checked before anything is allocated, by both readers (loadPlainNetwork for
 * `certify`, loadArtifact's runtimes for `check`/`predict`): TF.js layer kinds, model class,
 * layer list, input width and units against their limits; declared shapes of safetensors
 * within the width limit; NaN weights refused on read in every format. Each refusal is one
 * InputError sentence naming the file and the fault, never an internal error.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { MAX_LAYER_WIDTH } from '../../src/export/bytes.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { MAX_JSON_ARRAYS, MAX_READ_PARAMS } from '../../src/net/json.ts';
import type { Network } from '../../src/net/network.ts';
import { loadArtifact } from '../../src/runtime/index.ts';
import { loadPlainNetwork } from '../../src/runtime/plain.ts';
import { pwlSquare } from './networks.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-model-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A marker bias (its bytes are found in the files to replace it by NaN). */
const MARK = 0.3141592653589793;
const base = pwlSquare(4);
const net: Network = { ...base, layers: base.layers.map((l, i) => (i === 0 ? { ...l,
  bias: Float64Array.from(l.bias, (b, k) => (k === 0 ? MARK : b)) } : l)) };

/** Both readers refuse `path` with one InputError sentence matching `pattern`. */
async function bothRefuse(path: string, pattern: RegExp): Promise<void> {
  const check = (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.doesNotMatch(e.message, /\n|internal/);
    assert.match(e.message, pattern);
    return true;
  };
  await assert.rejects(loadPlainNetwork(path), check);
  await assert.rejects(async () => { const r = await loadArtifact(path); await r.close(); }, check);
}

/** The files of `net` exported to `name` (a folder for TF.js), written under `dir`. */
function exported(name: string, dtype?: 'float32' | 'float64'): string {
  const path = join(dir, name);
  const files = buildArtifacts(net, { expr: 'x^2' }, name.endsWith('/') ? `${path}/` : path, dtype);
  if (name.endsWith('/')) mkdirSync(path);
  for (const f of files) writeFileSync(join(path, f.relativePath), f.bytes);
  return path;
}

/** A TF.js folder of `net` whose model.json `edit` changes. */
function tfjsWith(name: string, edit: (model: any, layers: any[]) => void): string {
  const path = exported(`${name}/`);
  const model = JSON.parse(new TextDecoder().decode(buildArtifacts(net, { expr: 'x^2' }, `${path}/`)[0]!.bytes));
  const t = model.modelTopology.model_config ?? model.modelTopology;
  edit(model, t.config.layers);
  writeFileSync(join(path, 'model.json'), JSON.stringify(model));
  return path;
}

test('TF.js models outside what is read are refused by name before any weight is allocated', async () => {
  await bothRefuse(tfjsWith('conv', (_m, l) => l.splice(1, 0, { class_name: 'Conv2D', config: { name: 'c',
    filters: 2, kernel_size: [3, 3] } })), /layer must be one of Dense, .* \(got "Conv2D"\)/);
  await bothRefuse(tfjsWith('empty', (_m, l) => { l.length = 0; }), /modelTopology must list at least one layer/);
  await bothRefuse(tfjsWith('wide', (_m, l) => { l[0].config.batch_input_shape = [null, 1e9]; }),
    new RegExp(`batch_input_shape must be \\[null, n\\] with n from 1 to ${MAX_LAYER_WIDTH} ` +
      '\\(got "\\[null,1000000000\\]"\\)'));
  await bothRefuse(tfjsWith('units', (_m, l) => { l[0].config.units = 1e8; }),
    new RegExp(`layer "dense_1" units must be a whole number from 1 to ${MAX_LAYER_WIDTH} \\(got 100000000\\)`));
  await bothRefuse(tfjsWith('kernel', (_m, l) => { l[0].config.units = 5; }),
    /layer "dense_1" kernel must be in the weights manifest with shape \[1, 5\] \(got "\[1,4\]"\)/);
  await bothRefuse(tfjsWith('functional', (m) => { m.modelTopology.class_name = 'Functional'; }),
    /layer "dense_1" must be the input layer of a chain \(got "no inbound_nodes"\)/);
  await bothRefuse(tfjsWith('graph', (m) => { m.modelTopology.class_name = 'Graph'; }),
    /modelTopology must be a Sequential or Functional \(Model\) model \(got "Graph"\)/);
});

test('a Functional TF.js model whose layers form a chain is read, and computes what the Sequential one does',
  async () => {
  const chain = tfjsWith('chain', (m, l) => {
    const names = ['input_1', ...l.map((x: any) => x.config.name)];
    const input = { class_name: 'InputLayer', name: 'input_1', inbound_nodes: [],
      config: { name: 'input_1', batch_input_shape: l[0].config.batch_input_shape, dtype: 'float32' } };
    l.forEach((x: any, i: number) => { x.name = x.config.name; x.inbound_nodes = [[[names[i], 0, 0, {}]]]; });
    l.unshift(input);
    m.modelTopology.class_name = 'Model';
    Object.assign(m.modelTopology.config, { input_layers: [['input_1', 0, 0]],
      output_layers: [[names[names.length - 1], 0, 0]] });
  });
  const xs = Float64Array.of(0, 0.3, 0.5, 1);
  const plain = await loadPlainNetwork(chain);
  const want = evaluate(net, xs, 'float32');
  assert.deepEqual(evaluate(plain.net, xs, 'float32'), want);
  const runner = await loadArtifact(chain);
  try {
    assert.deepEqual(Array.from(await runner.run(xs, 4)), Array.from(want));
  } finally {
    await runner.close();
  }
});

/** The file of `net` at `name` with the marker bias replaced by NaN in its stored bytes. */
function withNaN(name: string, dtype: 'float32' | 'float64'): string {
  const path = exported(name, dtype);
  const bytes = readFileSync(path);
  const size = dtype === 'float64' ? 8 : 4;
  const mark = Buffer.alloc(size), nan = Buffer.alloc(size);
  if (dtype === 'float64') { mark.writeDoubleLE(MARK); nan.writeDoubleLE(NaN); } else {
    mark.writeFloatLE(MARK); nan.writeFloatLE(NaN);
  }
  const at = bytes.indexOf(mark);
  assert.ok(at >= 0 && bytes.indexOf(mark, at + 1) < 0, 'the marker bias is stored once');
  nan.copy(bytes, at);
  writeFileSync(path, bytes);
  return path;
}

test('a NaN weight is refused on read in ONNX and safetensors files, by both readers', async () => {
  await bothRefuse(withNaN('nan64.onnx', 'float64'),
    /nan64\.onnx initializer ".*" must hold only finite numbers \(got "NaN at index 0"\)/);
  await bothRefuse(withNaN('nan32.onnx', 'float32'), /nan32\.onnx initializer ".*" must hold only finite numbers/);
  await bothRefuse(withNaN('nan.safetensors', 'float64'),
    /nan\.safetensors tensor "0\.bias" must hold only finite numbers \(got "NaN at index 0"\)/);
});

test('a safetensors weight declared [0, 1e9] (no bytes) is refused with the width limit, not allocated', async () => {
  const header = JSON.stringify({ '0.weight': { dtype: 'F64', shape: [0, 1e9], data_offsets: [0, 0] } });
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  const path = join(dir, 'huge.safetensors');
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header)]));
  await bothRefuse(path, new RegExp(`"0\\.weight" shape must be \\[out, in\\], each from 1 to ${MAX_LAYER_WIDTH} ` +
    '\\(got "\\[0,1000000000\\]"\\)'));
});

test('a network JSON of a million tiny rows is refused from its bytes, before JSON.parse builds them', async () => {
  const path = join(dir, 'rows.json');
  writeFileSync(path, '{"format":"knotnet.network","version":1,"inputs":["x"],"outputs":["y"],"layers":' +
    `[{"activation":"linear","weights":[${'[0],'.repeat(MAX_JSON_ARRAYS)}[0]],"bias":[0]}]}`);
  await bothRefuse(path, new RegExp(`rows\\.json must hold at most ${MAX_JSON_ARRAYS} arrays \\(weight rows\\) ` +
    `\\(got ${MAX_JSON_ARRAYS + 6}\\)`));
});

test('a safetensors file declaring more than the parameter limit is refused before its tensors are widened',
  async () => {
  const [out, inn] = [4000, Math.floor(MAX_READ_PARAMS / 4000) + 1];
  const header = JSON.stringify({ '0.weight': { dtype: 'F32', shape: [out, inn], data_offsets: [0, 4 * out * inn] } });
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  const path = join(dir, 'many.safetensors');
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header)]));
  truncateSync(path, 8 + header.length + 4 * out * inn);
  await bothRefuse(path, new RegExp(`many\\.safetensors must hold at most ${MAX_READ_PARAMS} parameters`));
});
