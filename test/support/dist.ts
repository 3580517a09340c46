/**
 * Whether dist/ is what `npm run build` would make of the sources now: newer than every file
 * it is built from (as right after `npm ci`, whose `prepare` builds it, or `npm run build`).
 * The packed-package test packs it as it is then; spawned CLI runs start it (test/support/cli.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../..');

/**
 * What `npm run build` reads: dist/ is stale when any of these changed after it was written
 * (package-lock.json: the page's bundles carry the installed dependencies).
 */
const SOURCES = ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The build's last file (scripts/build-page.ts copies it after the bundles): a build in progress lacks it. */
const LAST_BUILT = 'dist/web/ui/index.html';

/** True when dist/ is complete and every file in it is newer than every source file. */
export function distIsFresh(): boolean {
  try {
    return existsSync(join(REPO, LAST_BUILT))
      && newestMtime(SOURCES.map((p) => join(REPO, p))) < oldestMtime(join(REPO, 'dist'));
  } catch {
    return false; // dist/ changed under the walk (a build running): not fresh
  }
}

/** The latest modification time of the files under `paths` (0 when there are none). */
function newestMtime(paths: string[]): number {
  let t = 0;
  for (const p of paths) for (const f of filesUnder(p)) t = Math.max(t, statSync(f).mtimeMs);
  return t;
}

/** The earliest modification time of the files under `dir` (−Infinity when it is missing or empty). */
function oldestMtime(dir: string): number {
  let t = Infinity;
  for (const f of filesUnder(dir)) t = Math.min(t, statSync(f).mtimeMs);
  return t === Infinity ? -Infinity : t;
}

function filesUnder(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { withFileTypes: true }).flatMap((e) => filesUnder(join(p, e.name)));
}
