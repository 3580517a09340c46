/**
 * compile --exclude end to end in the CLI: the table and JSON say the certificate covers the
 * region outside the bands, the saved artifact stores them, `check` from the artifact alone
 * samples and compares only outside them, and the ONNX file run by onnxruntime-node stays
 * within the certificate of the true (discontinuous) formula there.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { sampleBox } from '../../src/compile/sample.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-exclude-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

const ARGS = ['x*y + sign(x-0.5)', '--var', 'x=0:1', '--var', 'y=0:1', '--exclude', 'x=0.5±1e-3', '--max-error',
  '1e-2', '--samples', '20000'];
const built = await runCli(['compile', ...ARGS, '--json', '--save', at('n.json'), '--export', at('n.onnx')]);
const summary = JSON.parse(built.stdout) as { exclude: string[]; maxError: { certified: number; measured: number } };

test('compile --exclude --json: exit 0, the bands in the summary and the saved file, certified <= --max-error', () => {
  assert.equal(built.code, 0, built.stderr);
  assert.deepEqual(summary.exclude, ['x=0.5±1e-3']);
  assert.ok(summary.maxError.measured <= summary.maxError.certified && summary.maxError.certified <= 1e-2);
  const saved = JSON.parse(readFileSync(at('n.json'), 'utf8')) as { exclude: string[]; expr: string };
  assert.deepEqual(saved.exclude, ['x=0.5±1e-3']);
  assert.equal(saved.expr, 'x*y + sign(x-0.5)');
});

test('the compile table says "certified outside x=0.5±1e-3"', async () => {
  const r = await runCli(['compile', ...ARGS.slice(0, 6), 'x=0.5+-1e-3', ...ARGS.slice(7)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /max error, certified outside x=0\.5\+-1e-3/);
  assert.match(r.stdout, /region .*outside x=0\.5\+-1e-3/);
});

test('check from the saved artifact alone (JSON and ONNX): every sample lies in the certified region outside the ' +
  'band, the measured error at or under the stored certificate', async () => {
  for (const file of ['n.json', 'n.onnx']) {
    const r = await runCli(['check', at(file), '-n', '20000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { samples: number; maxError: { measured: number; certifiedInFile: number;
      samplesInCertifiedRegion: number } };
    assert.equal(j.maxError.samplesInCertifiedRegion, j.samples);
    assert.ok(j.maxError.measured <= j.maxError.certifiedInFile, `${file}: ${JSON.stringify(j.maxError)}`);
  }
  const table = await runCli(['check', at('n.onnx'), '-n', '2000']);
  assert.match(table.stdout, /certified \(stored in the file, float64\) outside x=0\.5±1e-3/);
});

test('check --data on a file with bands measures only the rows in the region its jumps were placed on (box and ' +
  'ranges, outside the bands); none there is bad input', async () => {
  // Rows: two inside the band, two outside the box (where the ramp of sign is not the jump), four certified.
  const rows = [[0.2, 0.3], [0.4999, 0.5], [0.5005, 0.1], [0.8, 0.9], [0.1, 0.7], [0.9, 0.2], [-0.2, 0.5], [0.7, 1.5]];
  writeFileSync(at('rows.csv'), `x,y\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  const r = await runCli(['check', at('n.json'), '--data', at('rows.csv'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { samples: number; maxError: { measured: number; certifiedInFile: number } };
  assert.equal(j.samples, 4);
  assert.ok(j.maxError.measured <= j.maxError.certifiedInFile, JSON.stringify(j.maxError));
  // A stated range: (0.6, 0.4005) is outside x+y <= 0.8, where the ramp of sign(x+y-1) is not the jump.
  const ranged = await runCli(['compile', 'x*y + sign(x+y-1)', '--var', 'x=0:1', '--var', 'y=0:1', '--range',
    'x+y=0:0.8', '--exclude', 'x=0.5±0.01', '--max-error', '1e-2', '--save', at('r.json')]);
  assert.equal(ranged.code, 0, ranged.stderr);
  writeFileSync(at('out.csv'), 'x,y\n0.6,0.4005\n');
  const none = await runCli(['check', at('r.json'), '--data', at('out.csv')]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, new RegExp(String.raw`^knotnet: --data .*out\.csv must have rows inside the region the ` +
    String.raw`file certifies .*outside its bands x=0\.5±0\.01\) \(got "1 rows, none inside"\)\.\n$`));
});

test('the ONNX file in onnxruntime-node is within the certificate of x*y + sign(x - 0.5) outside the band',
  async () => {
  const n = 20_000;
  const x = sampleBox([[0, 1], [0, 1]], n, 29);
  const session = await ort.InferenceSession.create(readFileSync(at('n.onnx')));
  try {
    const out = await session.run({ input: new ort.Tensor('float64', Float64Array.from(x), [n, 2]) });
    const y = out.output!.data as Float64Array;
    let worst = 0, kept = 0;
    for (let i = 0; i < n; i++) {
      const [a, b] = [x[2 * i]!, x[2 * i + 1]!];
      if (Math.abs(a - 0.5) < 1e-3) continue;
      kept++;
      const t = a * b + Math.sign(a - 0.5);
      worst = Math.max(worst, Math.abs(y[i]! - t) - 4 * 2 ** -52 * (1 + Math.abs(t)));
    }
    assert.ok(kept > 19_000);
    assert.ok(worst <= summary.maxError.certified, `onnxruntime: ${worst} > certified ${summary.maxError.certified}`);
  } finally {
    await session.release();
  }
});

test('refusals exit 2 with one sentence and write nothing: a jump not covered, a malformed band', async () => {
  const uncovered = await runCli(['compile', ...ARGS.slice(0, 5), '--exclude', 'x=0.3±1e-3', '--max-error', '1e-2',
    '--save', at('bad.json')]);
  assert.equal(uncovered.code, 2);
  assert.match(uncovered.stderr,
    /^knotnet: --exclude must cover every jump of sign\(x - 0\.5\).*\(got "x=0\.3±1e-3"\)\.\n$/);
  assert.equal(existsSync(at('bad.json')), false);
  const malformed = await runCli(['compile', ...ARGS.slice(0, 5), '--exclude', 'x:0.5', '--max-error', '1e-2']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--exclude must be formula=center±halfwidth/);
  const data = await runCli(['compile', ...ARGS.slice(0, 5), '--exclude', 'x=0.5±1e-3', '--data', at('none.csv'),
    '--max-error', '1e-2']);
  assert.equal(data.code, 2);
  assert.match(data.stderr, /--exclude must go without --data/);
});

test('approx --exclude --save: the table says "certified outside"; check from the file alone samples only outside ' +
  'the band and stays within the stored certificate', async () => {
  const r = await runCli(['approx', 'sign(x-0.5) + sin(3*x)', '--domain', '0:1', '--exclude', 'x=0.5±1e-3',
    '--max-error', '1e-3', '--save', at('a.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /max error, certified outside x=0\.5±1e-3/);
  const c = await runCli(['check', at('a.json'), '-n', '20000', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const j = JSON.parse(c.stdout) as { samples: number; maxError: { measured: number; certifiedInFile: number;
    samplesInCertifiedRegion: number } };
  assert.equal(j.maxError.samplesInCertifiedRegion, j.samples);
  assert.ok(j.maxError.measured <= j.maxError.certifiedInFile, JSON.stringify(j.maxError));
});
