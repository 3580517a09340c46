import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { networkToJson } from '../../src/net/json.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { runCli, spawnCli, type CliRun } from '../support/cli.ts';

/** `knotnet ...args` in this process; the corrupt-file case spawns a real process (spawnCli). */
const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'knotnet-certify-'));
const built = approximate({ expr: 'sin(x)', domain: [0, 3], size: { kind: 'maxError', error: 1e-3 } });
const model = join(dir, 'sin.json');
writeFileSync(model, JSON.stringify(networkToJson(built.network)));

function assertBadInput(r: CliRun, pattern: RegExp) {
  assert.equal(r.code, 2, `exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
}

describe('knotnet certify', () => {
  it('proves a bound ≥ the construction\'s error at the worst input, writes that input as CSV', async () => {
    const witness = join(dir, 'w.csv');
    const r = await run('certify', model, '--expr', 'sin(x)', '--var', 'x=0:3', '--witness', witness, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.maxError.certified >= out.maxError.measured);
    assert.ok(out.maxError.certified <= 1.1 * out.maxError.measured * (1 + 1e-12), `gap ${out.gap}`);
    const [header, row] = readFileSync(witness, 'utf8').trim().split('\n');
    assert.equal(header, 'x');
    const x = Number(row);
    assert.equal(Math.abs(evaluate(built.network, [x])[0]! - Math.sin(x)), out.maxError.measured);
  });
  it('check --certify prints the proven bound beside the measured one', async () => {
    const r = await run('check', model, '--expr', 'sin(x)', '--var', 'x=0:3', '-n', '2000', '--certify', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.maxError.certified >= out.maxError.measured
      && out.maxError.certified >= out.maxError.certifyWorstFound);
  });
  it('refuses an input count mismatch, a formula undefined on the region, an empty region and a corrupt file; writes ' +
    'nothing', async () => {
    const w = join(dir, 'none.csv');
    assertBadInput(await run('certify', model, '--expr', 'sin(x)', '--var', 'x=0:3', '--var', 'y=0:1', '--witness', w),
      /--var must name one of the model's 1 inputs \(x\) \(got "y"\)/);
    assertBadInput(await run('certify', model, '--expr', 'sqrt(x - 1)', '--var', 'x=0:3', '--witness', w),
      /--expr must be defined everywhere on the region/);
    assertBadInput(await run('certify', model, '--expr', 'sin(x)', '--var', 'x=0:3', '--range', 'x^2=10:11',
      '--witness', w), /--range must leave part of the --var box/);
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    assertBadInput(spawnCli(['certify', bad, '--expr', 'x', '--var', 'x=0:1', '--witness', w]),
      /bad\.onnx must be an ONNX model/);
    assertBadInput(await run('certify', model, '--expr', 'sin(x)', '--var', 'x=0:3', '--vnnlib', join(dir, 'p.vnnlib')),
      /--vnnlib must go with a formula affine in the inputs/);
    assert.ok(!existsSync(w) && !existsSync(join(dir, 'p.vnnlib')));
  });
});
