/**
 * A command that needs an optional runtime names it before it starts work when it is missing:
 * one sentence with the `npm install` that fixes it, exit 1, nothing on stdout, nothing written.
 * The package is hidden from the spawned CLI by a resolve hook (test/support/hide-packages.mjs),
 * so the run sees it missing exactly as an install without it would; every other run of these
 * commands loads the real one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toOnnx } from '../../src/export/onnx.ts';
import { denseLayer } from '../../src/net/network.ts';
import { CLI_ENTRY } from '../support/cli.ts';

const HIDE = join(import.meta.dirname, '../support/hide-packages.mjs');

/** `knotnet ...args` with `hidden` packages unresolvable; the timeout only ends a run that went on working. */
function runWithout(hidden: string, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--import', HIDE, CLI_ENTRY, ...args], { cwd, encoding: 'utf8',
    env: { ...process.env, KNOTNET_HIDE_PACKAGES: hidden }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1, stdout empty, and stderr the one sentence naming `name` and its install command. */
function assertNamesMissing(r: ReturnType<typeof runWithout>, name: string) {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const escaped = name.replace(/[/.]/g, '\\$&');
  assert.match(r.stderr, new RegExp(`^knotnet: [^\\n]* needs the optional package ${escaped}, which is not installed ` +
    `\\(npm install ${escaped}\\)\\.\\n$`));
}

describe('a missing optional runtime is named before the work starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knotnet-runtimes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('demo without @tensorflow/tfjs: no T1–T3 first (no progress line)', () => {
    assertNamesMissing(runWithout('@tensorflow/tfjs', ['demo'], dir), '@tensorflow/tfjs');
  });

  it('compare --report without @resvg/resvg-js: before sampling and training; no report folder', () => {
    const r = runWithout('@resvg/resvg-js', ['compare', 'x^2', '--var', 'x=0:1', '--report', 'r'], dir);
    assertNamesMissing(r, '@resvg/resvg-js');
    assert.equal(existsSync(join(dir, 'r')), false);
  });

  it('compare without @tensorflow/tfjs', () => {
    assertNamesMissing(runWithout('@tensorflow/tfjs', ['compare', 'x^2', '--var', 'x=0:1'], dir), '@tensorflow/tfjs');
  });

  it('explore without onnxruntime-web: no server starts', () => {
    assertNamesMissing(runWithout('onnxruntime-web', ['explore', '--port', '0'], dir), 'onnxruntime-web');
  });

  it('check of an ONNX file without onnxruntime-node', () => {
    const net = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('linear', 1, 1, [2], [1])] };
    writeFileSync(join(dir, 'm.onnx'), toOnnx(net, { dtype: 'float64' }));
    assertNamesMissing(runWithout('onnxruntime-node', ['check', 'm.onnx', '--expr', '2*x+1', '--var', 'x=0:1'], dir),
      'onnxruntime-node');
  });
});
