/**
 * Identical documentation examples run once per process: several pages repeat a command (the
 * README's T3 compile is check.md's; four pages approximate sqrt to 1e-4 first). A command is
 * the same when its line, its kind and the bytes of every file of its folder that the line
 * names are the same; a later page then gets the first run's exit code and output, and the
 * files that run wrote or changed are written into its folder. A run that deleted a file is
 * not kept. The doc test (test/docs/examples.test.ts) and scripts/doc-examples.ts use it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** What a command did, apart from the command itself. */
export interface RunOutcome { code: number; stdout: string; stderr: string }

/** The files under `dir`, by path relative to it, with their bytes. */
export function folderFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return files;
}

/** The words of a command line that could name a file: split at spaces, quotes, `=`, `,` and `:`. */
function words(line: string): Set<string> {
  return new Set(line.split(/[\s"'=,:<>|]+/).filter(Boolean));
}

/** The cache key: the kind, the line, and the bytes of the folder's files the line names (or lies inside). */
export function runKey(kind: string, line: string, before: Map<string, Buffer>): string {
  const named = words(line);
  const hash = createHash('sha256').update(`${kind}\n${line}\n`);
  for (const [path, bytes] of [...before].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = path.split('/');
    if (!parts.some((_, i) => named.has(parts.slice(0, i + 1).join('/')))) continue;
    hash.update(`${path}\n${bytes.length}\n`).update(bytes);
  }
  return hash.digest('hex');
}

/** The files of `after` that are new or differ from `before`; null when a file of `before` is gone. */
export function written(before: Map<string, Buffer>, after: Map<string, Buffer>): Map<string, Buffer> | null {
  if ([...before.keys()].some((p) => !after.has(p))) return null;
  return new Map([...after].filter(([p, bytes]) => !before.get(p)?.equals(bytes)));
}

/** Runs of identical commands in this process: the first one's outcome and written files, by key. */
export class RunCache {
  private readonly runs = new Map<string, { outcome: RunOutcome; files: Map<string, Buffer> }>();
  /** How many runs were taken from the cache. */
  reused = 0;

  /** The outcome of `run` for this command in `dir`: run now, or an identical earlier run's (its files written). */
  async run(kind: string, line: string, dir: string, run: () => Promise<RunOutcome>): Promise<RunOutcome> {
    const before = folderFiles(dir);
    const key = runKey(kind, line, before);
    const known = this.runs.get(key);
    if (known) {
      for (const [p, bytes] of known.files) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), bytes);
      }
      this.reused++;
      return { ...known.outcome };
    }
    const { code, stdout, stderr } = await run();
    const files = written(before, folderFiles(dir));
    if (files) this.runs.set(key, { outcome: { code, stdout, stderr }, files });
    return { code, stdout, stderr };
  }
}
