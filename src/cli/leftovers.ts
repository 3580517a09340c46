/**
 * The hidden names of a write in progress, and what a killed run leaves of them.
 *
 * A write stages each output as `.<name>.knotnet-<pid>-<n>.tmp` beside it (or inside its
 * folder) and moves what it replaces aside as `.<name>.knotnet-<pid>-<n>.old` until the new
 * one is in place (cli/staging.ts). A run killed outright (SIGKILL, power loss) cannot clean
 * up: the next run that writes into the same folder names what it finds there, and once the
 * process that made them is gone removes the temporaries and the old files, except that an
 * old file whose replacement never arrived is put back under its own name.
 */
import { lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

let counter = 0;

/** Temporaries and moved-aside olds of this process's writes in progress (never leftovers). */
export const inProgress = new Set<string>();

/** A fresh hidden name beside `path` for its temporary (`tmp`) or the old file it replaces (`old`). */
export function sibling(path: string, suffix: 'tmp' | 'old'): string {
  const full = resolve(path); // absolute, as clearLeftovers looks them up
  return join(dirname(full), `.${basename(full)}.knotnet-${process.pid}-${++counter}.${suffix}`);
}

/** `.<name>.knotnet-<pid>-<n>.<tmp|old>`, as `sibling` makes them. */
const LEFTOVER = /^\.(.+)\.knotnet-(\d+)-\d+\.(tmp|old)$/;

/** Is process `pid` running (EPERM: it is, under another user)? */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exists = (p: string): boolean => lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/**
 * Clears one leftover at `dir/entry` (its process gone): a temporary is removed; an old file
 * is put back when nothing has its name (its replacement never arrived), else removed.
 * Returns what was done, for the message.
 */
function clearLeftover(dir: string, entry: string, name: string, suffix: string): string {
  const path = join(dir, entry);
  const [quoted, quotedName] = [JSON.stringify(entry), JSON.stringify(name)]; // control characters escaped
  try {
    if (suffix === 'old' && !exists(join(dir, name))) {
      renameSync(path, join(dir, name));
      return `put back ${quotedName} (from ${quoted})`;
    }
    rmSync(path, { recursive: true, force: true });
    return `removed ${quoted}`;
  } catch (e) {
    return `could not remove ${quoted} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/**
 * Names and clears, in each of `dirs`, what runs killed before they could clean up left there:
 * entries of `sibling`'s pattern that no running knotnet uses. One line on stderr per folder.
 */
export function clearLeftovers(dirs: Iterable<string>): void {
  for (const dir of new Set(dirs)) {
    let entries: string[];
    try { entries = readdirSync(dir).sort(); } catch { continue; }
    const done: string[] = [];
    const pids = new Set<string>();
    for (const entry of entries) {
      const m = LEFTOVER.exec(entry);
      if (!m || inProgress.has(join(resolve(dir), entry))) continue;
      const pid = Number(m[2]);
      if (pid !== process.pid && running(pid)) continue; // another run writing there now
      pids.add(m[2]!);
      done.push(clearLeftover(dir, entry, m[1]!, m[3]!));
    }
    if (done.length) {
      process.stderr.write(`knotnet: ${dir} held what an interrupted knotnet run (pid ${[...pids].join(', ')}) ` +
        `left behind: ${done.join('; ')}.\n`);
    }
  }
}
