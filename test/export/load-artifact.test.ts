import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts, type ExportDtype } from '../../src/export/index.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { loadArtifact } from '../../src/runtime/index.ts';
import { assertWithin, randomNetwork, relTolerance, samplePoints } from './networks.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'knotnet-artifacts-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const net = { ...randomNetwork(21, [2, 6, 5, 1]), inputs: ['u', 'v'], outputs: ['w'] };
const lo = [-1, -1];
const hi = [1, 1];
const x = samplePoints(4, 200, 2, -1, 1);
const exact = evaluate(net, x, 'float64');
const bound32 = roundingErrorBound(net, lo, hi, 'float32')[0]! + roundingErrorBound(net, lo, hi, 'float64')[0]!;

/** Writes the files of an export the way the CLI does: each at join(exportPath, relativePath). */
async function exportTo(name: string, dtype?: ExportDtype): Promise<string> {
  const path = join(dir, name);
  const files = buildArtifacts(net, { expr: 'random', error: { certifiedMax: 1 } }, path, dtype);
  if (files.some((f) => f.relativePath !== '')) await mkdir(path, { recursive: true });
  for (const f of files) await writeFile(join(path, f.relativePath), f.bytes);
  return path;
}

const cases: [string, ExportDtype | undefined, string, ExportDtype][] = [
  ['net64.onnx', 'float64', 'onnx', 'float64'],
  ['net32.onnx', 'float32', 'onnx', 'float32'],
  ['net64.json', 'float64', 'json', 'float64'],
  ['net32.json', 'float32', 'json', 'float32'],
  ['net64.safetensors', 'float64', 'safetensors', 'float64'],
  ['net32.safetensors', 'float32', 'safetensors', 'float32'],
  ['model/', undefined, 'tfjs', 'float32'],
  ['model2/model.json', undefined, 'tfjs', 'float32'],
];

for (const [name, requested, format, dtype] of cases) {
  test(`loadArtifact(${name}) runs the ${format} export in ${dtype} within its rounding allowance`, async () => {
    let path = await exportTo(name.replace(/\/model\.json$/, '/'), requested);
    if (name.endsWith('model.json')) path = join(path, 'model.json');
    const runner = await loadArtifact(path);
    try {
      assert.equal(runner.format, format);
      assert.equal(runner.dtype, dtype);
      assert.deepEqual(runner.inputs, ['u', 'v']);
      assert.deepEqual(runner.outputs, ['w']);
      assert.equal(runner.metadata.expr, 'random');
      const y = await runner.run(x, 200);
      if (dtype === 'float64') assertWithin(y, exact, relTolerance(1e-12, y, exact));
      else assertWithin(y, exact, () => bound32);
    } finally {
      await runner.close();
    }
  });
}

test('loadArtifact of a missing path is an InputError naming the model file', async () => {
  await assert.rejects(loadArtifact(join(dir, 'nope.onnx')), (e: unknown) => e instanceof InputError
    && /^model file must exist \(got ".*nope\.onnx"\)/.test(e.message));
});

test('loadArtifact of an unknown extension is an InputError listing the formats', async () => {
  const path = join(dir, 'net.pt');
  await writeFile(path, 'x');
  await assert.rejects(loadArtifact(path), (e: unknown) => e instanceof InputError
    && /^model file must be a \.onnx, \.json or \.safetensors file or a TensorFlow\.js model directory/.test(
      e.message));
});
