/**
 * Outputs own only what they wrote (issue 29): each data-loss case of the issue, run through
 * the CLI, with the folder hashed before and after: every file the user did not name is
 * byte-identical (and keeps its mode), with and without --force.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isKnotnetFile, MANIFEST_NAME } from '../../src/cli/ownership.ts';
import { runCli } from '../support/cli.ts';
import { assertUntouched, folderHash } from './folder-hash.ts';

const SAMPLE = new URL('../../docs/noisy-sin.csv', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'knotnet-own-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => { const d = join(root, `case${++n}`); mkdirSync(d); return d; };

const approx = (...args: string[]) => runCli(['approx', 'sqrt(x)', '--domain', '0:1', '--knots', '8', ...args]);
const fit = (...args: string[]) => runCli(['fit', SAMPLE, '--x', 'x', '--y', 'y', '--max-error', '0.1', ...args]);

/** Exit 2, one line on stderr matching `pattern`. */
function assertRefused(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

test('compare --export-dir onto a folder holding the user\'s own knotnet models: refused without --force; with ' +
  '--force the models and notes are byte-identical beside the new files', async () => {
  const dir = fresh();
  const models = join(dir, 'models');
  mkdirSync(models);
  assert.equal((await approx('--save', join(models, 'mine.json'), '--export', join(models, 'mine.onnx'))).code, 0);
  writeFileSync(join(models, 'notes.txt'), 'where these came from');
  const before = folderHash(dir);
  const compare = (...extra: string[]) => runCli(['compare', 'x^2', '--var', 'x=0:1', '--budget-seconds', '0.3',
    '--samples', '200', '--certify-seconds', '0', '--quiet', '--export-dir', models, ...extra]);
  assertRefused(await compare(), /^knotnet: --export-dir must not name a non-empty folder .*"mine\.json".*--force/);
  assert.deepEqual(folderHash(dir), before);
  const r = await compare('--force');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /kept 3 that knotnet did not write \("mine\.json", "mine\.onnx", "notes\.txt"\)/);
  const written = Object.keys(JSON.parse(readFileSync(join(models, MANIFEST_NAME), 'utf8')).files);
  assert.ok(written.length >= 2 && written.every((f) => /\.(onnx|json)$/.test(f) && !f.startsWith('mine')),
    `${written}`);
  assertUntouched(before, folderHash(dir), written.map((f) => `models/${f}`));
});

test('fit --report again after the user added rep/my-notes.html: refused without --force; with --force the notes ' +
  'are byte-identical', async () => {
  const dir = fresh();
  const rep = join(dir, 'rep');
  assert.equal((await fit('--report', rep)).code, 0);
  assert.equal((await fit('--report', rep)).code, 0, 'its own previous report is replaced without --force');
  writeFileSync(join(rep, 'my-notes.html'), '<p>mine</p>');
  const before = folderHash(dir);
  assertRefused(await fit('--report', rep), /^knotnet: --report must not name a non-empty folder .*"my-notes\.html"/);
  assert.deepEqual(folderHash(dir), before);
  const r = await fit('--report', rep, '--force');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--report \S+rep: wrote 2 files into the folder and kept 1 .*\("my-notes\.html"\)/);
  assertUntouched(before, folderHash(dir), ['rep/index.html', 'rep/fit.svg', `rep/${MANIFEST_NAME}`]);
});

test('a TF.js re-export after the user added tf/my-other-weights.bin: refused without --force; with --force the ' +
  'file is byte-identical and the folder keeps its mode', async () => {
  const dir = fresh();
  const tf = join(dir, 'tf');
  assert.equal((await approx('--export', tf)).code, 0);
  writeFileSync(join(tf, 'my-other-weights.bin'), new Uint8Array([1, 2, 3]));
  chmodSync(tf, 0o750);
  const before = folderHash(dir);
  assertRefused(await approx('--export', tf), /^knotnet: --export must not name a non-empty folder .*"my-other-we/);
  assert.deepEqual(folderHash(dir), before);
  assert.equal((await approx('--export', tf, '--force')).code, 0);
  assertUntouched(before, folderHash(dir), ['tf/model.json', 'tf/weights.bin', `tf/${MANIFEST_NAME}`]);
});

test('a previous folder output is replaced whole without --force: a file of it not written again is removed',
  async () => {
  const { writeOutputs } = await import('../../src/cli/staging.ts');
  const dir = fresh();
  const out = join(dir, 'rep');
  const target = { path: out, argument: '--report', kind: 'report' as const };
  await writeOutputs([{ target, files: [{ relativePath: 'index.html', bytes: 'a' }, { relativePath: 'old.svg',
    bytes: '<svg/>' }] }], false);
  await writeOutputs([{ target, files: [{ relativePath: 'index.html', bytes: 'b' }] }], false);
  assert.deepEqual(readdirSync(out).sort(), [MANIFEST_NAME, 'index.html']);
  assert.equal(readFileSync(join(out, 'index.html'), 'utf8'), 'b');
});

/** A ModelProto by hand (protobuf wire format): ir_version 8, producer_name, graph { name }, metadata props. */
function onnxBytes(producer: string, graphName: string, props: [string, string][] = []): Uint8Array {
  const str = (field: number, s: string) => [field << 3 | 2, Buffer.byteLength(s), ...Buffer.from(s)];
  const msg = (field: number, body: number[]) => [field << 3 | 2, body.length, ...body];
  return Uint8Array.from([0x08, 0x08, ...str(2, producer), ...msg(7, str(2, graphName)),
    ...props.flatMap(([k, v]) => msg(14, [...str(1, k), ...str(2, v)]))]);
}

test('an ONNX file is knotnet\'s only by its producer and its knotnet metadata prop, never by a byte pattern: a text ' +
  'file holding \\x12\\x07knotnet and a PyTorch model whose graph is named "knotnet" are refused', async () => {
  const dir = fresh();
  const cases: [string, Uint8Array | string][] = [
    ['text.onnx', 'my notes: \x12\x07knotnet and more'],
    ['pytorch.onnx', onnxBytes('pytorch', 'knotnet', [['knotnet.artifact', 'network']])],
    ['producer-only.onnx', onnxBytes('knotnet', 'main')],
  ];
  for (const [name, bytes] of cases) writeFileSync(join(dir, name), bytes);
  const before = folderHash(dir);
  for (const [name] of cases) {
    assertRefused(await approx('--export', join(dir, name)),
      /^knotnet: --export must not name an existing file that is not a knotnet onnx file \(pass --force/);
  }
  assert.deepEqual(folderHash(dir), before);
  const handMade = join(dir, 'hand-made.onnx'); // the same hand-made bytes with knotnet's producer and prop are its
  writeFileSync(handMade, onnxBytes('knotnet', 'main', [['knotnet.artifact', 'network']]));
  assert.equal(isKnotnetFile(handMade, 'onnx'), true);
  const own = join(dir, 'own.onnx');
  assert.equal((await approx('--export', own)).code, 0);
  assert.equal((await approx('--export', own)).code, 0, 'knotnet\'s own ONNX is replaced without --force');
});

test('a replaced file keeps its mode (0600 stays 0600), with and without --force', async () => {
  const dir = fresh();
  const net = join(dir, 'net.json');
  const csv = join(dir, 'mine.csv');
  assert.equal((await approx('--save', net)).code, 0);
  writeFileSync(csv, 'a\n1\n');
  chmodSync(net, 0o600);
  chmodSync(csv, 0o640);
  assert.equal((await approx('--save', net)).code, 0);
  assert.equal((await runCli(['sample', 'shell', '-n', '3', '--out', csv, '--force'])).code, 0);
  assert.equal(statSync(net).mode & 0o777, 0o600);
  assert.equal(statSync(csv).mode & 0o777, 0o640);
  assert.match(readFileSync(csv, 'utf8'), /^dx,dy,dz\n/);
});

test('--force onto a read-only folder: refused (or, for root, written into) and its files stay byte-identical',
  async () => {
  const dir = fresh();
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  writeFileSync(join(ro, 'keep.txt'), 'mine');
  chmodSync(ro, 0o555);
  const before = folderHash(dir);
  const r = await approx('--export', ro, '--force');
  const mode = statSync(ro).mode & 0o777;
  chmodSync(ro, 0o755);
  assert.equal(mode, 0o555, 'the folder keeps its mode');
  if (process.getuid?.() === 0) assert.equal(r.code, 0, r.stderr); // root may write into any folder
  else assertRefused(r, /^knotnet: --export must name a folder knotnet may write into \(this one is read-only\)/);
  assertUntouched(new Map([...before].filter(([k]) => k !== 'ro')), folderHash(dir), ['ro/model.json',
    'ro/weights.bin', `ro/${MANIFEST_NAME}`]);
});

test('a folder output whose folder exists is staged inside it (renames stay within the folder\'s file system, as ' +
  'for a mount point) and that staging is not taken for a file of the user\'s', async () => {
  const dir = fresh();
  const tf = join(dir, 'tf');
  assert.equal((await approx('--export', tf)).code, 0);
  const held = runCli(['approx', 'sqrt(x)', '--domain', '0:1', '--knots', '8', '--export', tf, '--save',
    join(dir, 'a.json')], { env: { KNOTNET_TEST_HOLD_TEMPORARIES_MS: '1000' } });
  const staged = () => readdirSync(tf).filter((f) => f.endsWith('.tmp'));
  for (let i = 0; i < 600 && staged().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(staged().length, 1);
  assert.match(staged()[0]!, new RegExp(`^\\.tf\\.knotnet-${process.pid}-\\d+\\.tmp$`));
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 1, 'only a.json\'s beside the folder');
  const r = await held;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(tf).sort(), [MANIFEST_NAME, 'model.json', 'weights.bin']);
});
