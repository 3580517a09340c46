/**
 * The house rules hold (docs/DESIGN.md, "House rules"): ESLint finds no errors (its warnings,
 * on function length and line width, are printed by `npm run lint`), and the compiler with
 * the strict flags of tsconfig.json (noUncheckedIndexedAccess, exactOptionalPropertyTypes)
 * accepts src, test, bench, bin and scripts. Run here, beside the other tests, rather than
 * before them. Both keep a cache in node_modules/.cache/knotnet (ESLint's by file content, tsc's
 * incremental build info), so a second run re-reads only what changed; `npm ci` starts it afresh.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '..');
const CACHE = join(REPO, 'node_modules/.cache/knotnet');
const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [join(REPO, 'node_modules', script), ...args], { cwd: REPO, encoding: 'utf8',
    timeout: 300_000 });

test('npm run lint: ESLint reports no errors', () => {
  const r = run('eslint/bin/eslint.js', ['--quiet', '--cache', '--cache-strategy', 'content', '--cache-location',
    join(CACHE, 'eslint/'), 'src', 'test', 'bench', 'scripts', 'eslint.config.js']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('npm run typecheck: tsc --noEmit with the strict flags reports nothing', () => {
  const r = run('typescript/bin/tsc', ['--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile',
    join(CACHE, 'tsc.tsbuildinfo')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});
