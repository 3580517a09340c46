import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI_ENTRY, runCli } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'knotnet-interrupt-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * Runs an export that holds its temporaries (test-only KNOTNET_TEST_HOLD_TEMPORARIES_MS),
 * sends `signal` once they exist, and resolves with how the process ended.
 */
function interruptExport(dir: string, signal: NodeJS.Signals): Promise<{ code: number | null;
  signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, 'approx', 'sqrt(x)', '--domain', '0:1', '--knots', '50', '--save',
      join(dir, 'a.json'), '--export', join(dir, 'a.onnx'), join(dir, 'tf')],
      { env: { ...process.env, KNOTNET_TEST_HOLD_TEMPORARIES_MS: '60000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no temporaries within 60 ` +
      `s: ${stderr}`)); }, 60_000);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('temporaries written')) {
        assert.ok(readdirSync(dir).some((n) => n.endsWith('.tmp')), 'the temporaries exist before the signal');
        child.kill(signal);
      }
    });
    child.on('exit', (code, sig) => { clearTimeout(guard); resolve({ code, signal: sig, stderr }); });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`an export interrupted by ${signal} leaves no temporary behind and the previous outputs untouched`, async () => {
    const dir = join(root, signal);
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const first = await runCli(['approx', 'x^2', '--domain', '0:1', '--knots', '4', '--save', join(dir, 'a.json')]);
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(join(dir, 'a.json'), 'utf8');
    const r = await interruptExport(dir, signal);
    assert.equal(r.signal, signal, `ended by ${r.signal ?? `exit ${r.code}`}: ${r.stderr}`);
    assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'notes.txt']);
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), before);
  });
}
