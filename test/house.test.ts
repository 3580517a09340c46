/**
 * The house rules hold (docs/DESIGN.md, "House rules"): ESLint finds no errors (its warnings,
 * on function length and line width, are printed by `npm run lint`), and the compiler with
 * the strict flags of tsconfig.json (noUncheckedIndexedAccess, exactOptionalPropertyTypes)
 * accepts src, test, bench, bin and scripts. Run here, beside the other tests, rather than
 * before them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '..');
const run = (script: string, args: string[]) => spawnSync(process.execPath, [join(REPO, 'node_modules', script), ...args],
  { cwd: REPO, encoding: 'utf8', timeout: 300_000 });

test('npm run lint: ESLint reports no errors', () => {
  const r = run('eslint/bin/eslint.js', ['--quiet', 'src', 'test', 'bench', 'scripts', 'eslint.config.js']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('npm run typecheck: tsc --noEmit with the strict flags reports nothing', () => {
  const r = run('typescript/bin/tsc', ['--noEmit', '-p', 'tsconfig.json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});
