import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError, WorkError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { htmlReport } from '../../src/report/html.ts';
import { checkOutput, checkOutputs, type OutputKind } from '../../src/cli/files.ts';
import { folderContents, isKnotnetFile, MANIFEST_NAME } from '../../src/cli/ownership.ts';
import { writeOutputs } from '../../src/cli/staging.ts';
import { pwlSquare } from '../export/networks.ts';

const root = mkdtempSync(join(tmpdir(), 'knotnet-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => { const d = join(root, `case${++n}`); mkdirSync(d); return d; };
const isInput = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);
const net = pwlSquare(4);
const bytesOf = (path: string) => buildArtifacts(net, { expr: 'x^2' }, path);

/** Writes the artifact knotnet would write for `name` (format by extension) at dir/name, as the CLI writes it. */
async function writeArtifact(dir: string, name: string, kind: OutputKind): Promise<string> {
  const path = join(dir, name);
  await writeOutputs([{ target: { path, argument: '--export', kind }, files: bytesOf(name) }], false);
  return path;
}

const FILE_KINDS: [OutputKind, string][] = [['network-json', 'n.json'], ['onnx', 'n.onnx'], ['safetensors',
  'n.safetensors']];

for (const [kind, name] of FILE_KINDS) {
  test(`checkOutput(${kind}) refuses an existing foreign file naming the flag and the path, allows a previous ` +
    `knotnet ${kind} file, and --force`, async () => {
    const dir = fresh();
    const foreign = join(dir, name);
    writeFileSync(foreign, 'my own data');
    assert.throws(() => checkOutput({ path: foreign, argument: '--export', kind }, false),
      isInput(new RegExp(`^--export must not name an existing file .*--force.*\\(got ".*${name}"\\)`)));
    checkOutput({ path: foreign, argument: '--export', kind }, true);
    const own = await writeArtifact(fresh(), name, kind);
    assert.equal(isKnotnetFile(own, kind), true);
    checkOutput({ path: own, argument: '--export', kind }, false);
  });
}

test('a knotnet file of another kind is not a previous artifact of this kind (an ONNX file where JSON is written)',
  async () => {
  const onnx = await writeArtifact(fresh(), 'n.onnx', 'onnx');
  assert.equal(isKnotnetFile(onnx, 'network-json'), false);
  assert.throws(() => checkOutput({ path: onnx, argument: '--save', kind: 'network-json' }, false),
    isInput(/^--save must not name an existing file/));
});

test('a CSV has no marker: an existing file at --out needs --force', () => {
  const csv = join(fresh(), 's.csv');
  writeFileSync(csv, 'dx,dy,dz\n1,2,3\n');
  assert.throws(() => checkOutput({ path: csv, argument: '--out', kind: 'csv' }, false),
    isInput(/^--out must not name an existing file/));
  checkOutput({ path: csv, argument: '--out', kind: 'csv' }, true);
});

test('checkOutput(tfjs) refuses a non-empty foreign folder and a file, allows an empty folder and a previous TF.js ' +
  'export', async () => {
  const dir = fresh();
  const models = join(dir, 'models');
  mkdirSync(models);
  checkOutput({ path: models, argument: '--export', kind: 'tfjs' }, false);
  writeFileSync(join(models, 'notes.txt'), 'keep me');
  assert.throws(() => checkOutput({ path: models, argument: '--export', kind: 'tfjs' }, false),
    isInput(/^--export must not name a non-empty folder .*"notes\.txt".*--force.*"\S*models"/));
  writeFileSync(join(dir, 'Makefile'), 'all:\n');
  assert.throws(() => checkOutput({ path: join(dir, 'Makefile'), argument: '--export', kind: 'tfjs' }, false),
    isInput(/^--export must not name an existing file .*"\S*Makefile"/));
  const tf = await writeArtifact(dir, 'tf', 'tfjs');
  assert.deepEqual(folderContents(tf, 'tfjs'), { owned: ['model.json', 'weights.bin', MANIFEST_NAME], foreign: [] });
  writeFileSync(join(tf, 'extra.txt'), 'x');
  assert.deepEqual(folderContents(tf, 'tfjs').foreign, ['extra.txt'], 'a TF.js folder with a foreign file is not ' +
    'ours to replace');
});

test('checkOutput(report) and (export-dir) allow their own previous outputs only', async () => {
  const dir = fresh();
  const report = join(dir, 'report');
  await writeOutputs([{ target: { path: report, argument: '--report', kind: 'report' }, files: [
    { relativePath: 'index.html', bytes: htmlReport({ title: 't', intro: 'i', table: { header: ['a'], rows: [[1]] },
      figures: [], notes: [] }) }, { relativePath: 'f.svg', bytes: '<svg/>' }] }], false);
  checkOutput({ path: report, argument: '--report', kind: 'report' }, false);
  assert.throws(() => checkOutput({ path: report, argument: '--export-dir', kind: 'export-dir' }, false),
    isInput(/^--export-dir must not name a non-empty folder/));
  const nets = join(dir, 'nets');
  await writeOutputs([{ target: { path: nets, argument: '--export-dir', kind: 'export-dir' },
    files: [...bytesOf('a.onnx').map((f) => ({ ...f, relativePath: 'a.onnx' })),
      ...bytesOf('a.json').map((f) => ({ ...f, relativePath: 'a.json' }))] }], false);
  checkOutput({ path: nets, argument: '--export-dir', kind: 'export-dir' }, false);
  writeFileSync(join(nets, 'b.json'), '{"mine": true}');
  assert.throws(() => checkOutput({ path: nets, argument: '--export-dir', kind: 'export-dir' }, false),
    isInput(/^--export-dir must not name a non-empty folder .*"b\.json"/));
});

test('devices, FIFOs and symbolic links are refused even with --force', async () => {
  const dir = fresh();
  const fifo = join(dir, 'pipe.json');
  execFileSync('mkfifo', [fifo]);
  const link = join(dir, 'link.json');
  symlinkSync(await writeArtifact(dir, 'real.json', 'network-json'), link);
  for (const force of [false, true]) {
    assert.throws(() => checkOutput({ path: '/dev/null', argument: '--save', kind: 'network-json' }, force),
      isInput(/^--save must name a regular file, not a device, FIFO or socket \(got "\/dev\/null"\)/));
    assert.throws(() => checkOutput({ path: fifo, argument: '--save', kind: 'network-json' }, force),
      isInput(/not a device, FIFO or socket/));
    assert.throws(() => checkOutput({ path: link, argument: '--save', kind: 'network-json' }, force),
      isInput(/not a symbolic link/));
  }
});

test('checkOutputs refuses the same path named twice', () => {
  const p = join(fresh(), 'a.json');
  assert.throws(() => checkOutputs([{ path: p, argument: '--save', kind: 'network-json' }, { path: p,
    argument: '--export', kind: 'network-json' }], false), isInput(/^--export must name a different path than --save/));
});

test('writeOutputs with --force writes into a foreign folder, keeps its other files, and leaves no temporaries',
  async () => {
  const dir = fresh();
  const models = join(dir, 'models');
  mkdirSync(models);
  writeFileSync(join(models, 'notes.txt'), 'old');
  await writeOutputs([{ target: { path: models, argument: '--export', kind: 'tfjs' }, files: bytesOf('models') }],
    true);
  assert.deepEqual(readdirSync(models).sort(), [MANIFEST_NAME, 'model.json', 'notes.txt', 'weights.bin']);
  assert.equal(readFileSync(join(models, 'notes.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['models']);
});

test('writeOutputs is all-or-nothing: a target that became a foreign file before the renames keeps every output ' +
  'unwritten and no temporary behind', async () => {
  const dir = fresh();
  const first = join(dir, 'a.json');
  const second = join(dir, 'b.onnx');
  checkOutputs([{ path: first, argument: '--save', kind: 'network-json' }, { path: second, argument: '--export',
    kind: 'onnx' }], false);
  writeFileSync(second, 'appeared meanwhile');
  await assert.rejects(writeOutputs([
    { target: { path: first, argument: '--save', kind: 'network-json' }, files: bytesOf('a.json') },
    { target: { path: second, argument: '--export', kind: 'onnx' }, files: bytesOf('b.onnx') },
  ], false), isInput(/^--export must not name an existing file/));
  assert.deepEqual(readdirSync(dir), ['b.onnx']);
  assert.equal(readFileSync(second, 'utf8'), 'appeared meanwhile');
});

test('writeOutputs: a write that fails midway is one sentence naming the user\'s path (not the temporary), and the ' +
  'old file stays', async () => {
  const dir = fresh();
  const old = await writeArtifact(dir, 'a.json', 'network-json');
  const before = readFileSync(old);
  function* failing() { yield 'partial'; throw Object.assign(new Error('ENOSPC: no space left on device, write'),
    { code: 'ENOSPC' }); }
  await assert.rejects(writeOutputs([{ target: { path: old, argument: '--save', kind: 'network-json' },
    files: [{ relativePath: '', bytes: failing() }] }], false),
    (e: unknown) => e instanceof WorkError
      && /^could not write \S*a\.json \(--save\): no space left on the device; nothing was written\.$/.test(e.message));
  assert.deepEqual(readdirSync(dir), ['a.json']);
  assert.deepEqual(readFileSync(old), before);
});
