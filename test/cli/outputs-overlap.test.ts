/**
 * Outputs of one command that overlap are refused before any work (issue 29), and fit writes
 * its network files and its report in one all-or-nothing step.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { folderHash } from './folder-hash.ts';

const SAMPLE = new URL('../../docs/noisy-sin.csv', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'knotnet-overlap-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => { const d = join(root, `case${++n}`); mkdirSync(d); return d; };

const FIT = ['fit', SAMPLE, '--x', 'x', '--y', 'y', '--max-error', '0.1'];
const APPROX = ['approx', 'sqrt(x)', '--domain', '0:1', '--knots', '8'];

/** Each overlap: the arguments (paths relative to a fresh folder holding an empty `out`) and both flags named. */
const OVERLAPS: [string, string[], RegExp][] = [
  ['approx --save out/x.json --export out', [...APPROX, '--save', 'out/x.json', '--export', 'out'],
    /^knotnet: --save must name a path outside --export out \(this command writes that one whole\) \(got "out\/x/],
  ['approx --export out --save out/x.json', [...APPROX, '--export', 'out', '--save', 'out/x.json'],
    /^knotnet: --save must name a path outside --export out .*\(got "out\/x\.json"\)\.\n$/],
  ['fit --report out --save out/net.json', [...FIT, '--report', 'out', '--save', 'out/net.json'],
    /^knotnet: --save must name a path outside --report out .*\(got "out\/net\.json"\)\.\n$/],
  ['fit --report out --export out', [...FIT, '--report', 'out', '--export', 'out'],
    /^knotnet: --report must name a different path than --export \(got "out"\)\.\n$/],
  ['fit --report out --export link/tf (link is out)', [...FIT, '--report', 'out', '--export', 'link/tf'],
    /^knotnet: --export must name a path outside --report out .*\(got "link\/tf"\)\.\n$/],
  ['compare --report out --export-dir out/nets', ['compare', 'x^2', '--var', 'x=0:1', '--report', 'out',
    '--export-dir', 'out/nets'], /^knotnet: --export-dir must name a path outside --report out .*\(got "out\/nets"\)/],
];

for (const [what, args, pattern] of OVERLAPS) {
  test(`${what} is refused before any work, in one sentence naming both, and writes nothing`, async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'out'));
    symlinkSync('out', join(dir, 'link'));
    const before = folderHash(dir);
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '');
    assert.deepEqual(folderHash(dir), before);
  });
}

test('fit writes the network and the report in one step: a report folder taken by the user meanwhile leaves the ' +
  'network unwritten too, and no temporary behind', async () => {
  const dir = fresh();
  const run = runCli([...FIT, '--save', 'net.json', '--export', 'net.onnx', '--report', 'rep'],
    { cwd: dir, env: { KNOTNET_TEST_HOLD_TEMPORARIES_MS: '1500' } });
  for (let i = 0; i < 600 && !readdirSync(dir).some((f) => f.endsWith('.tmp')); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.tmp')), 'the temporaries were written');
  mkdirSync(join(dir, 'rep'));
  writeFileSync(join(dir, 'rep', 'mine.txt'), 'mine');
  const r = await run;
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^knotnet: --report must not name a non-empty folder .*"mine\.txt"/m);
  assert.deepEqual(readdirSync(dir), ['rep']);
  assert.deepEqual(readdirSync(join(dir, 'rep')), ['mine.txt']);
  assert.equal(readFileSync(join(dir, 'rep', 'mine.txt'), 'utf8'), 'mine');
});
