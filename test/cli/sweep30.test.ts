/**
 * Cases of issue 30's sweep (every request of its list run through the CLI) that still ended
 * wrongly, each with its fix: one exit code and one sentence instead of a wrong success.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCompareFlags, type CompareFlags } from '../../src/cli/compare.ts';
import { InputError } from '../../src/errors.ts';
import { networkToJson } from '../../src/net/json.ts';
import { denseLayer } from '../../src/net/network.ts';
import { runCli } from '../support/cli.ts';

const FLAGS = { var: ['x=0:1'], range: [], budgetSeconds: '100', samples: '20000', seed: '1', dataMargin: '0.01',
  certifySeconds: '20' } as unknown as CompareFlags;

test('compare --fine-tune-lr 1e300 is refused before training (it printed a NaN row with exit 0)', async () => {
  const r = await runCli(['compare', 'x^2', '--var', 'x=0:1', '--fine-tune-lr', '1e300']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(String.raw`^knotnet: --fine-tune-lr must be at most 1 \(Adam moves each weight ` +
    String.raw`by about the rate every step\) \(got "1e300"\)\.\n$`));
});

test('--fine-tune-lr keeps every rate in (0, 1] and names its field when refused', () => {
  for (const lr of ['1', '0.5', '1e-9']) {
    assert.equal(parseCompareFlags('x^2', { ...FLAGS, fineTuneLr: lr }, []).fineLr, Number(lr));
  }
  for (const lr of ['1.0001', '1e300', '0', '-1', 'abc']) {
    assert.throws(() => parseCompareFlags('x^2', { ...FLAGS, fineTuneLr: lr }, []), (e: unknown) =>
      e instanceof InputError && e.message.startsWith('--fine-tune-lr must be '));
  }
  assert.throws(() => parseCompareFlags('x^2', { ...FLAGS, fineTuneLr: '2' }, []), (e: unknown) =>
    e instanceof InputError && e.field === 'fineTuneLr' && e.code === 'out-of-range');
});

test('certify of a network whose float64 output overflows is refused (it printed "worst found Infinity", exit 0)',
  async () => {
  const dir = mkdtempSync(join(tmpdir(), 'knotnet-sweep30-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // relu(x) + relu(x − 0.5), each times 1e308, plus 1e308: Infinity wherever x > 0.
  const net = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 2, [1, 1], [0, -0.5]),
    denseLayer('linear', 2, 1, [1e308, 1e308], [1e308])] };
  const path = join(dir, 'overflow.json');
  writeFileSync(path, JSON.stringify(networkToJson(net)));
  const r = await runCli(['certify', path, '--expr', 'sqrt(x)', '--var', 'x=0:1']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(String.raw`^knotnet: model file must compute finite outputs on the region \(got ` +
    String.raw`".*overflow\.json: Infinity at x = [\d.e-]+"\)\.\n$`));
});
