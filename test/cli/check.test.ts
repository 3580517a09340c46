/**
 * `knotnet check MODEL -n N` from the artifact alone: every kind of file approx and compile
 * write carries its formula, region and certificate, so check needs nothing else; what it
 * measures stays at or under the certificate stored in the file, and a file whose weights
 * were changed afterwards fails its own certificate (exit 1).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { buildArtifacts } from '../../src/export/index.ts';
import { randomNetwork } from '../export/networks.ts';
import { runCli, type CliRun } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** Runs the command lines one after another through the CLI's `main` in this process. */
async function runAll(runs: string[][]): Promise<CliRun[]> {
  const results: CliRun[] = [];
  for (const args of runs) results.push(await runCli(args));
  return results;
}

const ARTIFACTS = ['a64.onnx', 'a32.onnx', 'a64.safetensors', 'a32.safetensors', 'a.json', 'a_tfjs', 'c.json',
  'c32.onnx'];

// Every artifact kind, in both dtypes where the format has two: approx (1-D) and compile
// (2-D with a range: the certificate covers only part of the box). Then check on each.
const first = await runAll([
  ['approx', 'sqrt(x)', '--domain', '0:1', '--max-error', '1e-3', '--export', at('a64.onnx'), at('a64.safetensors'),
    at('a.json')],
  ['approx', 'sqrt(x)', '--domain', '0:1', '--max-error', '1e-3', '--dtype', 'float32', '--export', at('a32.onnx'),
    at('a32.safetensors'), at('a_tfjs')],
  ['compile', 'sqrt(x^2+y^2)', '--var', 'x=-1:1', '--var', 'y=-1:1', '--range', 'x^2+y^2=0.25:1', '--max-error', '1e-2',
    '--export', at('c.json'), at('c32.onnx'), '--dtype', 'float32'],
  ...ARTIFACTS.map((name) => ['check', at(name), '-n', '20000', '--json']),
  ['check', at('c32.onnx'), '-n', '2000'],
]);
for (const r of first.slice(0, 3)) assert.equal(r.code, 0, r.stderr);
const checked = new Map(ARTIFACTS.map((name, i) => [name, first[3 + i]!]));
const table = first[3 + ARTIFACTS.length]!;

/** Adds `delta` to the output bias of each artifact kind, as bytes: a shift the certificate cannot absorb. */
const tamper: Record<'json' | 'onnx' | 'safetensors' | 'tfjs', (path: string, delta: number) => void> = {
  json(path, delta) {
    const o = JSON.parse(readFileSync(path, 'utf8'));
    o.layers[o.layers.length - 1].bias[0] += delta;
    writeFileSync(path, JSON.stringify(o));
  },
  onnx(path, delta) {
    const { onnx } = onnxProto;
    const m = onnx.ModelProto.decode(readFileSync(path));
    const biases = m.graph!.initializer!.filter((t) => t.name!.endsWith('.bias'));
    const t = biases[biases.length - 1]!;
    const raw = new Uint8Array(t.rawData!);
    const view = new DataView(raw.buffer);
    if (t.dataType === onnx.TensorProto.DataType.FLOAT) view.setFloat32(0, view.getFloat32(0, true) + delta, true);
    else view.setFloat64(0, view.getFloat64(0, true) + delta, true);
    t.rawData = raw;
    writeFileSync(path, onnx.ModelProto.encode(m).finish());
  },
  // The output bias is the last tensor of both files: its last value is the file's last bytes.
  safetensors(path, delta) {
    const b = readFileSync(path);
    b.writeFloatLE(b.readFloatLE(b.length - 4) + delta, b.length - 4);
    writeFileSync(path, b);
  },
  tfjs(path, delta) {
    const file = join(path, 'weights.bin');
    const b = readFileSync(file);
    b.writeFloatLE(b.readFloatLE(b.length - 4) + delta, b.length - 4);
    writeFileSync(file, b);
  },
};

const TAMPERED = [['a.json', 'json'], ['a64.onnx', 'onnx'], ['a32.safetensors', 'safetensors'], ['a_tfjs', 'tfjs'],
  ['c32.onnx', 'onnx']] as const;
for (const [name, kind] of TAMPERED) {
  cpSync(at(name), at(`tampered-${name}`), { recursive: true });
  tamper[kind](at(`tampered-${name}`), 0.05);
}
const bare = at('bare.json');
writeFileSync(bare, buildArtifacts({ ...randomNetwork(3, [2, 4, 1]), inputs: ['u', 'v'], outputs: ['w'] }, {},
  bare)[0]!.bytes);
const second = await runAll([
  ...TAMPERED.map(([name]) => ['check', at(`tampered-${name}`), '-n', '5000']),
  ['check', bare, '-n', '100'],
  ['check', bare, '--expr', 'u+v', '--var', 'u=0:1', '-n', '100'],
  ['check', at('a.json'), '--var', 'x=0.5:1', '-n', '1000', '--json'],
  ['check', at('a.json'), '--expr', 'x', '-n', '1000', '--json'],
]);
const after2 = second.slice(TAMPERED.length);

// Tests are declared once every run is done: a test that ends while this module still awaits
// would let the runner finish (and remove the folder) early.
for (const name of ARTIFACTS) {
  test(`check ${name} -n 20000 needs nothing else, and measured ≤ the certificate stored in the file`, async () => {
    const r = checked.get(name)!;
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.samples, 20000);
    assert.ok(o.maxError.certifiedInFile > 0, 'the file carries its certificate');
    assert.equal(o.maxError.samplesInCertifiedRegion, 20000, 'samples are drawn in the stored region');
    assert.ok(o.maxError.measured <= o.maxError.certifiedInFile,
      `measured ${o.maxError.measured} ≤ certified ${o.maxError.certifiedInFile}`);
    if (o.dtype === 'float32') assert.ok(o.maxError.certifiedInFileFloat64 <= o.maxError.certifiedInFile,
      'a float32 file states its float64 certificate beside');
  });
}

test('check prints measured against certified in its table', async () => {
  const r = table;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /max error, measured +\S+/);
  assert.match(r.stdout, /max error, certified \(stored in the file, float32\) +\S+/);
});


TAMPERED.forEach(([name], i) => {
  test(`check on ${name} with its output bias changed by 0.05 exits 1: the file fails its own certificate`, () => {
    const r = second[i]!;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr,
      new RegExp(String.raw`fails its own certificate: the measured max error \S+ in its certified region is above ` +
        String.raw`the certified \S+ stored in the file; the file may have been modified`));
  });
});

test('check on a file without a stored formula names what is missing (exit 2)', () => {
  const [r, r2] = after2;
  assert.equal(r!.code, 2);
  assert.equal(r!.stderr.trim(), `knotnet: --expr must be given: ${bare} stores no formula in its metadata (got ` +
    `"none").`);
  assert.equal(r2!.code, 2);
  assert.match(r2!.stderr,
    /--var must give a range for every model input \(missing v, and .*bare\.json stores none for it\)/);
});

test('check flags override what the file stores: --var narrows the box, --expr replaces the formula', () => {
  const [, , r, wrong] = after2;
  assert.equal(r!.code, 0, r!.stderr);
  assert.ok(JSON.parse(r!.stdout).worstInput.x >= 0.5);
  assert.equal(wrong!.code, 0, 'another formula is not the one the certificate is about: only measured');
  const o = JSON.parse(wrong!.stdout);
  assert.ok(o.maxError.measured > 0.2, 'x and sqrt(x) differ by up to 1/4');
  assert.equal(o.maxError.certifiedInFile, undefined);
});
