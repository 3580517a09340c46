/**
 * The house rules hold (docs/DESIGN.md, "House rules"): ESLint finds no errors (its warnings,
 * on function length and line width, are printed by `npm run lint`), and the compiler with
 * the strict flags of tsconfig.json (noUncheckedIndexedAccess, exactOptionalPropertyTypes)
 * accepts src, test, bench, bin and scripts. Run here, beside the other tests, rather than
 * before them. Both keep a cache in node_modules/.cache/knotnet (ESLint's by file content, tsc's
 * build info), so a second run re-reads only what changed; `npm ci` starts it afresh. tsc runs in
 * build mode (`tsc -b`) on a config there that extends tsconfig.json: when no source is newer than
 * the build info of a run that found nothing, it stops at that check (under 1 s of CPU, against
 * ~8 s for `tsc --incremental`, which parses every file again; ~22 s cold).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** tsconfig.json as it is (noEmit, the strict flags, its files), with its build info kept in CACHE. */
function cachedConfig(): string {
  mkdirSync(CACHE, { recursive: true });
  const config = join(CACHE, 'tsconfig.json');
  const text = JSON.stringify({ extends: join(REPO, 'tsconfig.json'), compilerOptions: { incremental: true,
    tsBuildInfoFile: join(CACHE, 'tsc-b.tsbuildinfo') } });
  // Written only when it differs: a newer config makes the next build start over.
  if (!existsSync(config) || readFileSync(config, 'utf8') !== text) writeFileSync(config, text);
  return config;
}

test('npm run typecheck: tsc --noEmit with the strict flags reports nothing', () => {
  const r = run('typescript/bin/tsc', ['-b', cachedConfig()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});
