/**
 * Lazy start: the CLI registers only the commands a run needs, and `--version`, `--help` and
 * `approx` never load TensorFlow.js, onnxruntime or resvg (traced by a resolve hook).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/main.ts';
import { BIN, CLI_ENTRY } from '../support/cli.ts';

const TRACE = join(import.meta.dirname, '../support/trace-imports.mjs');
// (esbuild is left out: tsx itself compiles the checkout's sources with it.)
const HEAVY = /node_modules\/(onnxruntime-node|onnxruntime-web|@tensorflow|@resvg|dejavu-fonts-ttf)\//;

describe('buildProgram(argv) registers only what the run needs', () => {
  const names = async (...args: string[]) => (await buildProgram(['node', 'knotnet',
    ...args])).commands.map((c) => c.name());
  it('--version registers no command', async () => assert.deepEqual(await names('--version'), []));
  it('a named command registers its own module only', async () => {
    assert.deepEqual(await names('approx', 'x', '--domain', '0:1'), ['approx']);
    assert.deepEqual(await names('sample', 'shell'), ['sample']);
  });
  it('no command, --help or an unknown name registers every command, in the table order', async () => {
    const all = ['approx', 'compile', 'sample', 'check', 'certify', 'milp', 'predict', 'fit', 'compare', 'demo',
      'explore'];
    assert.deepEqual(await names('--help'), all);
    assert.deepEqual(await names('aprox'), all);
    assert.deepEqual(await names('toString'), all);
  });
});

describe('the heavy runtimes stay unloaded', () => {
  // --version through the bin script (the sources, through tsx), the others as spawned runs start (CLI_ENTRY).
  for (const args of [['--version'], ['--help'], ['approx', 'x^2', '--domain', '0:1', '--knots', '2', '--json']]) {
    const entry = args[0] === '--version' ? BIN : CLI_ENTRY;
    it(`knotnet ${args.join(' ')} loads no TensorFlow.js, onnxruntime or resvg`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'knotnet-trace-'));
      const log = join(dir, 'imports.txt');
      try {
        const r = spawnSync(process.execPath, ['--import', TRACE, entry, ...args], { encoding: 'utf8',
          env: { ...process.env, KNOTNET_TRACE_IMPORTS: log }, timeout: 120_000 });
        assert.equal(r.status, 0, r.stderr);
        const urls = readFileSync(log, 'utf8').split('\n');
        assert.ok(urls.some((u) => /\/(src\/cli\/main\.ts|dist\/cli\/main\.js)$/.test(u)), 'the trace saw the CLI');
        assert.deepEqual(urls.filter((u) => HEAVY.test(u)), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
