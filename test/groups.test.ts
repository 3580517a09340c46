/**
 * `npm test` runs the test files in a few groups (test/groups/*.ts), each group in one process:
 * a file run on its own costs about 0.8 s of CPU to start Node and tsx, and one to three seconds
 * more to load the library's modules through tsx, which in one process happen once. Every test
 * file stays runnable on its own (`node --import tsx --test test/cli/check.test.ts`). These
 * tests keep the groups whole: each test file belongs to exactly one group, and `npm test` runs
 * every group.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const TEST = import.meta.dirname;
const GROUPS = join(TEST, 'groups');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === GROUPS || e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The test files each group imports, as paths relative to test/. */
function groupImports(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of readdirSync(GROUPS).filter((n) => n.endsWith('.ts')).sort()) {
    const text = readFileSync(join(GROUPS, name), 'utf8');
    const imports = [...text.matchAll(/^import '([^']+)';$/gm)].map((m) => relative(TEST, resolve(GROUPS, m[1]!)));
    groups.set(name, imports);
  }
  return groups;
}

test('every test file is imported by exactly one group', () => {
  const owners = new Map<string, string[]>();
  for (const [group, files] of groupImports()) {
    for (const f of files) owners.set(f, [...(owners.get(f) ?? []), group]);
  }
  const expected = testFiles(TEST).map((p) => relative(TEST, p)).sort();
  assert.ok(expected.length > 50, `found ${expected.length} test files`);
  for (const f of expected) assert.deepEqual(owners.get(f)?.length, 1, `${f} is in groups ${owners.get(f) ?? 'none'}`);
  assert.deepEqual([...owners.keys()].sort(), expected, 'groups import only test files that exist');
});

test('npm test runs every group once, and nothing else', () => {
  const pkg = JSON.parse(readFileSync(join(TEST, '../package.json'), 'utf8')) as { scripts: { test: string } };
  const run = pkg.scripts.test.split(' ').filter((w) => w.startsWith('test/')).sort();
  assert.deepEqual(run, [...groupImports().keys()].map((g) => `test/groups/${g}`));
});
