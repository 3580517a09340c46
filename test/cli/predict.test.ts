import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { csvChunks, parseCsvText } from '../../src/cli/csv.ts';
import { buildArtifacts, type ExportDtype } from '../../src/export/index.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { CLI_ENTRY, runCli } from '../support/cli.ts';
import { assertWithin, randomNetwork, relTolerance, samplePoints } from '../export/networks.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-predict-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const net = { ...randomNetwork(7, [2, 8, 6, 1]), inputs: ['u', 'v'], outputs: ['w'] };
const ROWS = 20_000;
const x = samplePoints(11, ROWS, 2, -1, 1);
const exact = evaluate(net, x, 'float64');
// A float32 runtime may sum in any order: its distance from the float64 network is at most
// the float32 rounding bound (plus float64's own, which is far smaller), over the box [-1, 1]².
const bound32 = roundingErrorBound(net, [-1, -1], [1, 1], 'float32')[0]! + roundingErrorBound(net, [-1, -1], [1, 1],
  'float64')[0]!;

// Columns in another order than the model's inputs, plus one the model does not use.
const pointsCsv = join(dir, 'points.csv');
const shuffled = new Float64Array(ROWS * 3);
for (let i = 0; i < ROWS; i++) shuffled.set([i, x[2 * i + 1]!, x[2 * i]!], 3 * i);
writeFileSync(pointsCsv, [...csvChunks(['id', 'v', 'u'], [shuffled])].join(''));

function exportTo(name: string, dtype?: ExportDtype): string {
  const path = join(dir, name);
  const files = buildArtifacts(net, { expr: 'random', error: { certifiedMax: 1 } }, path, dtype);
  if (files.some((f) => f.relativePath !== '')) mkdirSync(path, { recursive: true });
  for (const f of files) writeFileSync(f.relativePath ? join(path, f.relativePath) : path, f.bytes);
  return path;
}

const cases: [string, ExportDtype | undefined, ExportDtype][] = [
  ['net64.onnx', 'float64', 'float64'],
  ['net32.onnx', 'float32', 'float32'],
  ['net64.json', 'float64', 'float64'],
  ['net64.safetensors', 'float64', 'float64'],
  ['net32.safetensors', 'float32', 'float32'],
  ['tfjs-model', undefined, 'float32'],
];

for (const [name, requested, dtype] of cases) {
  test(`predict ${name} on 2e4 points agrees with knotnet's evaluator within ${dtype} rounding`, async () => {
    const model = exportTo(name, requested);
    const out = join(dir, `${name}.out.csv`);
    const code = await main(['node', 'knotnet', 'predict', model, '--in', pointsCsv, '--out', out]);
    assert.equal(code, 0);
    const csv = parseCsvText(readFileSync(out, 'utf8'), 'out', out);
    assert.deepEqual(csv.header, ['u', 'v', 'w']);
    assert.equal(csv.count, ROWS);
    const inputs = Float64Array.from({ length: 2 * ROWS }, (_, i) => csv.rows[3 * Math.floor(i / 2) + (i % 2)]!);
    assert.deepEqual(inputs, x, 'the inputs are written back exactly, in the model\'s order');
    const y = Float64Array.from({ length: ROWS }, (_, i) => csv.rows[3 * i + 2]!);
    if (dtype === 'float64') assertWithin(y, exact, relTolerance(1e-12, y, exact));
    else assertWithin(y, exact, () => bound32);
  });
}

test('predict reads stdin and writes JSON lines to stdout', () => {
  const model = join(dir, 'net64.json');
  if (!existsSync(model)) exportTo('net64.json', 'float64');
  const r = spawnSync(process.execPath, [CLI_ENTRY, 'predict', model, '--json'], { input: 'u,v\n0.25,-0.5\n1,1\n',
    encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const want = evaluate(net, Float64Array.from([0.25, -0.5, 1, 1]), 'float64');
  assert.deepEqual(rows.map((o) => [o.u, o.v]), [[0.25, -0.5], [1, 1]]);
  assertWithin(rows.map((o) => o.w!), want, relTolerance(1e-12, rows.map((o) => o.w!), want));
});

test('predict with a CSV missing a model input names the column (exit 2, nothing written)', async () => {
  const model = join(dir, 'net64.json');
  if (!existsSync(model)) exportTo('net64.json', 'float64');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'u,z\n1,2\n');
  const out = join(dir, 'never.csv');
  const r = await runCli(['predict', model, '--in', bad, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^knotnet: --in header must name every model input \(missing v\) \(got "u,z"\)\.$/);
  assert.equal(existsSync(out), false);
});

test('predict names the row and column of a non-numeric cell (exit 2)', async () => {
  const model = join(dir, 'net64.json');
  if (!existsSync(model)) exportTo('net64.json', 'float64');
  const bad = join(dir, 'text.csv');
  writeFileSync(bad, 'u,v\n1,2\n3,abc\n');
  const code = await main(['node', 'knotnet', 'predict', model, '--in', bad, '--out', join(dir, 'never2.csv')]);
  assert.equal(code, 2);
  assert.equal(existsSync(join(dir, 'never2.csv')), false);
});
