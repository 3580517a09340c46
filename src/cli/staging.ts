/**
 * All-or-nothing writing of a command's outputs (docs/DESIGN.md §2 and §7): every output is
 * first written in full to a hidden temporary beside its target (a folder output to a
 * temporary folder, with its manifest, cli/ownership.ts); only when all are written, and the
 * targets checked again, are they renamed into place, each file they replace moved aside
 * first and removed after the last rename. A folder output whose folder exists goes in file by
 * file, so the folder, and whatever of the user's it holds (--force), stays. A replaced file
 * keeps its mode. A failure removes the temporaries and puts back what was moved, so either
 * every output is new or none is. SIGINT/SIGTERM while temporaries exist remove them before
 * the process ends; what a SIGKILL leaves is cleared by the next run (cli/leftovers.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { chmodSync, lstatSync, renameSync, rmSync, type Stats } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError, WorkError } from '../errors.ts';
import {
  checkOutputs, isExistingFolder, isFolderKind, listNames, type OutputPlan, type OutputTarget,
} from './files.ts';
import { inProgress, sibling } from './leftovers.ts';
import { MANIFEST_NAME, manifestText, type Manifest } from './ownership.ts';

/** A file's content: bytes, text, or a stream of chunks (written as they come). */
export type Content = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface StagedOutput {
  target: OutputTarget;
  /** relativePath '' for a single-file output; names inside the folder for folder kinds. */
  files: { relativePath: string; bytes: Content }[];
}

function removeQuietly(path: string): void {
  try { rmSync(path, { recursive: true, force: true }); } catch { /* nothing more to do */ }
  inProgress.delete(path);
}

function onSignal(signal: NodeJS.Signals): void {
  for (const p of [...inProgress]) if (p.endsWith('.tmp')) removeQuietly(p);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal); // the default action now: end as the signal asks
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied',
    EPERM: 'operation not permitted',
  EROFS: 'read-only file system', EISDIR: 'a folder is in the way', ENOTDIR: 'a file is in the way',
    EEXIST: 'something else appeared there',
  ENOTEMPTY: 'a non-empty folder is in the way', ENOENT: 'its folder disappeared', EXDEV: 'the path crosses devices',
    EIO: 'an input/output error',
};

/** One sentence naming the user's path (never the temporary's). */
function writeFailure(target: OutputTarget, e: unknown): WorkError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason = code ? REASONS[code] ?? code : String((e as Error)?.message ?? e);
  return new WorkError(`could not write ${target.path} (${target.argument}): ${reason}; nothing was written.`);
}

const lstatOrNull = (p: string): Stats | null => lstatSync(p, { throwIfNoEntry: false }) ?? null;

/** Writes `bytes` to a new file at `path`; returns its size, and feeds `hash` when given. */
async function writeContent(path: string, bytes: Content, hash?: Hash): Promise<number> {
  const fh = await open(path, 'wx');
  let size = 0;
  const put = async (chunk: string | Uint8Array) => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash?.update(data);
    size += data.length;
    await fh.write(data);
  };
  try {
    if (typeof bytes === 'string' || bytes instanceof Uint8Array) await put(bytes);
    else for await (const chunk of bytes) await put(chunk);
  } finally {
    await fh.close();
  }
  return size;
}

/**
 * Writes one output to its temporary (a folder's files, then its manifest); returns the
 * temporary. A folder output's temporary folder goes inside the folder when it exists, so its
 * files are renamed within one file system even when the folder is a mount point.
 */
async function stage(out: StagedOutput): Promise<string> {
  const { path, kind } = out.target;
  const folderExists = isExistingFolder(out.target);
  const tmp = sibling(folderExists ? join(path, basename(resolve(path))) : path, 'tmp');
  inProgress.add(tmp);
  if (!isFolderKind(kind)) {
    await writeContent(tmp, out.files[0]!.bytes);
    return tmp;
  }
  await mkdir(tmp);
  const listed: Manifest['files'] = {};
  for (const f of out.files) {
    const hash = createHash('sha256');
    const bytes = await writeContent(join(tmp, f.relativePath), f.bytes, hash);
    listed[f.relativePath] = { bytes, sha256: hash.digest('hex') };
  }
  await writeContent(join(tmp, MANIFEST_NAME), manifestText(kind, listed));
  return tmp;
}

/** One rename of the commit: `from` (a temporary; null: only move the old aside) to `to`. */
interface Move { target: OutputTarget; from: string | null; to: string }

/**
 * The renames that put one staged output in place: the temporary onto the path, or, into a
 * folder that exists, each file onto its name there, then knotnet's previous files not
 * written again moved aside (to be removed).
 */
function movesFor(plan: OutputPlan, temp: string, out: StagedOutput): Move[] {
  const { target } = plan;
  if (plan.present !== 'folder') return [{ target, from: temp, to: target.path }];
  const names = [...out.files.map((f) => f.relativePath), MANIFEST_NAME];
  for (const n of names) {
    if (lstatOrNull(join(target.path, n))?.isDirectory()) throw new InputError(target.argument,
      `not hold a folder named ${JSON.stringify(n)} (an output file goes there)`, target.path);
  }
  return [...names.map((n) => ({ target, from: join(temp, n), to: join(target.path, n) })),
    ...plan.owned.filter((n) => !names.includes(n)).map((n) => ({ target, from: null, to: join(target.path, n) }))];
}

/** Puts back what `done` moved, last first (best effort: this runs after a failure). */
function undo(done: { move: Move; old: string | null; placed: boolean }[]): void {
  for (const { move, old, placed } of done.reverse()) {
    const back = sibling(move.to, 'tmp');
    try {
      if (placed) renameSync(move.to, back);
      if (old) renameSync(old, move.to);
    } catch { /* best effort */ }
    removeQuietly(back);
    if (old) inProgress.delete(old);
  }
}

/** Renames every temporary into place (what is there moved aside first, its mode kept); undoes all on a failure. */
function commit(moves: Move[]): void {
  const done: { move: Move; old: string | null; placed: boolean }[] = [];
  for (const move of moves) {
    try {
      const st = lstatOrNull(move.to);
      let old: string | null = null;
      if (st) {
        if (move.from && st.isFile() && lstatOrNull(move.from)?.isFile()) chmodSync(move.from, st.mode & 0o777);
        old = sibling(move.to, 'old');
        renameSync(move.to, old);
        inProgress.add(old);
      }
      const entry = { move, old, placed: false };
      done.push(entry);
      if (move.from) { renameSync(move.from, move.to); inProgress.delete(move.from); entry.placed = true; }
    } catch (e) {
      undo(done);
      throw writeFailure(move.target, e);
    }
  }
  for (const { old } of done) if (old) removeOld(old);
}

/** Removes a replaced file moved aside; says so when it cannot (never silently left). */
function removeOld(old: string): void {
  try {
    rmSync(old, { recursive: true, force: true });
    inProgress.delete(old);
  } catch (e) {
    process.stderr.write(`knotnet: could not remove the replaced ${old} (${(e as NodeJS.ErrnoException).code ?? e}); ` +
      'the next run writing there removes it.\n');
  }
}

/** Tells what a folder written into with --force kept of what was there. */
function tellKept(plan: OutputPlan, out: StagedOutput): void {
  const written = new Set(out.files.map((f) => f.relativePath));
  const kept = plan.foreign.filter((n) => !written.has(n) && n !== MANIFEST_NAME);
  if (kept.length === 0) return;
  process.stderr.write(`knotnet: ${plan.target.argument} ${plan.target.path}: wrote ${written.size} files into the ` +
    `folder and kept ${kept.length} that knotnet did not write (${listNames(kept)}).\n`);
}

/**
 * Writes all `outputs` or none. Targets are checked again (as before the work, with `force`)
 * right before the renames, so a file that appeared meanwhile is not lost.
 */
export async function writeOutputs(outputs: StagedOutput[], force: boolean): Promise<void> {
  if (outputs.length === 0) return;
  const temps: string[] = [];
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const out of outputs) {
      try {
        temps.push(await stage(out));
      } catch (e) {
        throw writeFailure(out.target, e);
      }
    }
    const hold = Number(process.env.KNOTNET_TEST_HOLD_TEMPORARIES_MS ?? 0);
    if (hold > 0) { // test-only: keeps the temporaries around so a test can interrupt the write
      process.stderr.write('knotnet: temporaries written\n');
      await new Promise((r) => setTimeout(r, hold));
    }
    const plans = checkOutputs(outputs.map((o) => o.target), force);
    commit(plans.flatMap((plan, i) => movesFor(plan, temps[i]!, outputs[i]!)));
    plans.forEach((plan, i) => tellKept(plan, outputs[i]!));
  } finally {
    for (const t of temps) removeQuietly(t);
    for (const p of [...inProgress]) if (p.endsWith('.tmp')) removeQuietly(p);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
