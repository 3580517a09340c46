import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson } from '../../src/net/json.ts';
import { runCli, spawnCli } from '../support/cli.ts';

const SAMPLE = new URL('../../docs/noisy-sin.csv', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'knotnet-fit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `knotnet fit ...args` in this process; the missing-column case spawns a real process (spawnCli). */
const knotnet = (...args: string[]) => runCli(['fit', ...args]);

test('knotnet fit docs/noisy-sin.csv --max-error 0.1 --json --save --report: minimal segments, every point within ' +
  '0.1, the saved network reproduces the fit at the points, a report with the plot', async () => {
  const net = join(dir, 'fit.json');
  const report = join(dir, 'report');
  const r = await knotnet(SAMPLE, '--x', 'x', '--y', 'y', '--max-error', '0.1', '--json', '--save', net, '--report',
    report);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.minimal, true);
  assert.equal(j.segments, j.segmentsLowerBound);
  assert.equal(j.relus, j.segments);
  assert.ok(j.maxError.measured <= 0.1 && j.maxError.certified === null && j.errorOn === 'points');
  const { net: network } = networkFromJson(JSON.parse(readFileSync(net, 'utf8')));
  const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const out = evaluate(network, Float64Array.from(rows, (row) => row[0]!));
  rows.forEach((row, i) => assert.ok(Math.abs(out[i]! - row[1]!) <= 0.1 + 1e-12, `point ${i}: ${out[i]} vs ${row[1]}`));
  assert.ok(existsSync(join(report, 'index.html')) && readFileSync(join(report, 'fit.svg'), 'utf8').includes('<svg'));
});

test('knotnet fit on bad input: a missing column is exit 2 naming it; unsorted x is sorted and said on stderr; a ' +
  'tolerance below half the spread at a repeated x is exit 1 naming x', async () => {
  const csv = join(dir, 'bad.csv');
  writeFileSync(csv, 'a,b\n2,4\n0,0\n1,1\n1,1.5\n');
  let r = spawnCli(['fit', csv, '--x', 'a', '--y', 'c', '--max-error', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^knotnet: --y must name a column of .*bad\.csv \(a, b\) \(got "c"\)\.\n$/);
  r = await knotnet(csv, '--x', 'a', '--y', 'b', '--max-error', '0.1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /x was not sorted; sorted it\./);
  assert.match(r.stderr, /below half the spread of y at the repeated x = 1 /);
  writeFileSync(csv, 'a,b\n0,1\n1,oops\n');
  r = await knotnet(csv, '--x', 'a', '--y', 'b', '--segments', '1');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /line 3 column b must be a finite number \(got "oops"\)/);
});
