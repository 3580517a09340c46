/**
 * Files read within limits and messages that print only printable text, through the CLI's own
 * `main` in this process: weights paths that leave a TF.js model's folder, devices, FIFOs and
 * files over their format's limit are refused in one sentence (exit 2) before anything is
 * read; a NaN weight is refused, not certified; a CSV header's escape sequence is printed
 * escaped. No case may hang: a FIFO without a writer is refused without being opened.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCsvLines } from '../../src/cli/csv.ts';
import { InputError } from '../../src/errors.ts';
import { buildArtifacts } from '../../src/export/index.ts';
import { networkToJson } from '../../src/net/json.ts';
import { FILE_LIMITS, MAX_LINE_CHARS } from '../../src/runtime/read-limits.ts';
import { runCli, type CliRun } from '../support/cli.ts';
import { pwlSquare } from '../export/networks.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-read-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const net = pwlSquare(4);
const points = join(dir, 'points.csv');
writeFileSync(points, 'x\n0.25\n0.5\n');
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const model = join(dir, 'n.json');
writeFileSync(model, JSON.stringify(networkToJson(net)));

/** Exit 2 and stderr exactly one line matching `pattern`, no stack trace. */
function refused(r: CliRun, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `not one line: ${r.stderr}`);
  assert.match(r.stderr, pattern);
}

/** A TF.js folder of `net` whose manifest `edit` changes; `weights` replaces weights.bin when given. */
function tfjsFolder(name: string, edit: (model: any) => void = () => {}): string {
  const path = join(dir, name);
  mkdirSync(path);
  const [m, w] = buildArtifacts(net, { expr: 'x^2' }, `${path}/`);
  const model = JSON.parse(new TextDecoder().decode(m!.bytes));
  edit(model);
  writeFileSync(join(path, 'model.json'), JSON.stringify(model));
  writeFileSync(join(path, 'weights.bin'), w!.bytes);
  return path;
}

/** `certify`, `check` and `predict` of `model`, each expected to refuse it with `pattern`. */
async function everyReaderRefuses(model: string, pattern: RegExp): Promise<void> {
  refused(await runCli(['certify', model, '--expr', 'x^2', '--var', 'x=0:1']), pattern);
  refused(await runCli(['check', model, '--expr', 'x^2', '--var', 'x=0:1', '-n', '100']), pattern);
  refused(await runCli(['predict', model, '--in', points]), pattern);
}

test('certify, check and predict refuse TF.js weights paths outside the model folder: ../, absolute, a link out',
  async () => {
  const up = tfjsFolder('up', (m) => { m.weightsManifest[0].paths = ['../../../../../../etc/passwd']; });
  await everyReaderRefuses(up,
    /weightsManifest path must name a file inside the model folder \(got "(\.\.\/)+etc\/passwd"\)/);
  const absolute = tfjsFolder('absolute', (m) => { m.weightsManifest[0].paths = ['/etc/passwd']; });
  await everyReaderRefuses(absolute, /must name a file inside the model folder \(got "\/etc\/passwd"\)/);
  const link = tfjsFolder('link');
  rmSync(join(link, 'weights.bin'));
  symlinkSync('/etc/passwd', join(link, 'weights.bin'));
  await everyReaderRefuses(link,
    /must name a file inside the model folder \(a link leads out of it\) \(got "weights\.bin"\)/);
});

test('a TF.js weights file that is a FIFO inside the folder, or missing, is refused without hanging', async () => {
  const piped = tfjsFolder('piped');
  rmSync(join(piped, 'weights.bin'));
  execFileSync('mkfifo', [join(piped, 'weights.bin')]);
  await everyReaderRefuses(piped, /model file must name a regular file, not a FIFO \(got ".*piped\/weights\.bin"\)/);
  const missing = tfjsFolder('missing');
  rmSync(join(missing, 'weights.bin'));
  await everyReaderRefuses(missing,
    /must name an existing file inside the model folder .*missing \(got "weights\.bin"\)/);
});

test('--data and --in that are a device or a FIFO are refused before they are opened', async () => {
  for (const [what, path] of [['a device', '/dev/zero'], ['a FIFO', fifo]] as const) {
    const rule = new RegExp(`must name a regular file, not ${what} \\(got "${path}"\\)`);
    refused(await runCli(['compile', 'x^2', '--data', path, '--max-error', '0.01']), rule);
    refused(await runCli(['check', model, '--expr', 'x^2', '--data', path]), rule);
    refused(await runCli(['predict', model, '--in', path]), rule);
    refused(await runCli(['fit', path, '--x', 'x', '--y', 'y', '--segments', '4']), rule);
  }
});

/** A sparse file of `bytes` bytes: its size is what stat reports, nothing is written. */
function sparse(name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  closeSync(fd);
  execFileSync('truncate', ['-s', String(bytes), path]);
  return path;
}

test('files above their format\'s limit are refused naming the limit and the size, before reading', async () => {
  const over = (format: keyof typeof FILE_LIMITS) => FILE_LIMITS[format].bytes + 2 ** 20;
  refused(await runCli(['check', model, '--expr', 'x^2', '--data', sparse('big.csv', over('csv'))]),
    /--data must be at most 256\.0 MiB, the limit for a CSV file \(got ".*big\.csv: 257\.0 MiB"\)/);
  for (const [name, format, limit] of [['big.onnx', 'onnx', '128.0'], ['big.safetensors', 'safetensors', '128.0'],
    ['big.json', 'network-json', '256.0']] as const) {
    refused(await runCli(['certify', sparse(name, over(format)), '--expr', 'x^2', '--var', 'x=0:1']),
      new RegExp(`model file must be at most ${limit} MiB, the limit for .* \\(got ".*${name}: ${
        (over(format) / 2 ** 20).toFixed(1)} MiB"\\)`));
  }
});

test('a CSV line longer than the line limit is refused before it is built, naming the limit', async () => {
  const long = join(dir, 'long.csv');
  writeFileSync(long, `x\n${'1'.repeat(MAX_LINE_CHARS + 1)}\n`);
  refused(await runCli(['check', model, '--expr', 'x^2', '--data', long]),
    new RegExp(`--data must have lines of at most ${MAX_LINE_CHARS} characters \\(got ".*long\\.csv: a longer ` +
      'line"\\)'));
});

test('a CSV is refused at the first row past its number limit (rows × columns), naming the limit', () => {
  const lines = ['a,b,c', '1,2,3', '4,5,6', '7,8,9'];
  assert.equal(parseCsvLines(lines.slice(0, 3), '--data', 'd.csv', 6).count, 2);
  assert.throws(() => parseCsvLines(lines, '--data', 'd.csv', 6), (e: unknown) => e instanceof InputError
    && e.message === '--data must hold at most 6 numbers (rows × columns) (got "d.csv: more than 2 rows of 3").');
});

test('certify of a network with an infinite or NaN weight refuses it (no "worst found NaN")', async () => {
  const j = networkToJson(net) as any;
  j.layers[0].bias[1] = 'INFINITE';
  writeFileSync(join(dir, 'nan.json'), JSON.stringify(j).replace('"INFINITE"', '1e999')); // JSON has no NaN
  refused(await runCli(['certify', join(dir, 'nan.json'), '--expr', 'x^2', '--var', 'x=0:1']),
    /nan\.json layers\[0\]\.bias must be 4 finite numbers/);
  const nanTf = tfjsFolder('nan-tf');
  const bytes = buildArtifacts(net, { expr: 'x^2' }, 'x/')[1]!.bytes.slice();
  new DataView(bytes.buffer).setFloat32(4, NaN, true);
  writeFileSync(join(nanTf, 'weights.bin'), bytes);
  await everyReaderRefuses(nanTf, /weight "dense_1\/kernel" must hold only finite numbers \(got "NaN at index 1"\)/);
});

test('an escape sequence in a CSV header is printed escaped (\\u001b), never as the raw byte', async () => {
  const csv = join(dir, 'title.csv');
  writeFileSync(csv, 'x,y\x1b]0;PWNED\x07\n0.5,oops\n');
  const r = await runCli(['check', model, '--expr', 'x^2', '--data', csv]);
  refused(r, /column y\\u001b\]0;PWNED\\u0007 must be a finite number \(got "oops"\)/);
  assert.doesNotMatch(r.stderr, /[\x00-\x09\x0b-\x1f\x7f]/);
  writeFileSync(csv, `x\n${'a'.repeat(5000)}\n`);
  const long = await runCli(['check', model, '--expr', 'x^2', '--data', csv]);
  refused(long, /line 2 column x must be a finite number \(got "a{80}…"\)/);
});

test('check refuses a file whose stored domain is empty ([0, 0]) instead of reporting a relative error of Infinity',
  async () => {
  const j = { ...networkToJson(net), expr: 'x^2', domain: { x: [0, 0] }, error: { certifiedMax: 0 } };
  writeFileSync(join(dir, 'empty-domain.json'), JSON.stringify(j));
  refused(await runCli(['check', join(dir, 'empty-domain.json')]),
    /empty-domain\.json metadata "domain" x must be a non-empty interval \[a, b\] with a < b .* \(got "\[0, 0\]"\)/);
});

test('a file name holding an escape sequence is printed escaped in the table a command prints', async () => {
  const named = join(dir, 'n\x1b]0;PWNED\x07.json');
  writeFileSync(named, JSON.stringify(networkToJson(net)));
  const r = await runCli(['check', named, '--expr', 'x^2', '--var', 'x=0:1', '-n', '100']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /n\\u001b\]0;PWNED\\u0007\.json \(json, float64\)/);
  assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x09\x0b-\x1f\x7f]/);
});
