/**
 * All-or-nothing writing of a command's outputs (docs/DESIGN.md §2): every output is first written
 * in full to a hidden temporary beside its target; only when all are written are they renamed
 * into place, each old one moved aside first and removed after the last rename. A failure
 * removes the temporaries and puts back what was moved, so either every output is new or none
 * is. SIGINT/SIGTERM while temporaries exist remove them before the process ends.
 */
import { lstatSync, renameSync, rmSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WorkError } from '../errors.ts';
import { checkOutputs, isFolderKind, type OutputTarget } from './files.ts';

/** A file's content: bytes, text, or a stream of chunks (written as they come). */
export type Content = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface StagedOutput {
  target: OutputTarget;
  /** relativePath '' for a single-file output; names inside the folder for folder kinds. */
  files: { relativePath: string; bytes: Content }[];
}

let counter = 0;
/** Temporaries and moved-aside olds of the writes in progress, for the signal handler. */
const live = new Set<string>();

function sibling(path: string, suffix: string): string {
  return join(dirname(path), `.${basename(path)}.knotnet-${process.pid}-${++counter}.${suffix}`);
}

function removeQuietly(path: string): void {
  try { rmSync(path, { recursive: true, force: true }); } catch { /* nothing more to do */ }
  live.delete(path);
}

function onSignal(signal: NodeJS.Signals): void {
  for (const p of [...live]) if (p.endsWith('.tmp')) removeQuietly(p);
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

async function writeContent(path: string, bytes: Content): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    if (typeof bytes === 'string' || bytes instanceof Uint8Array) await fh.writeFile(bytes);
    else for await (const chunk of bytes) await (typeof chunk === 'string' ? fh.write(chunk) : fh.write(chunk));
  } finally {
    await fh.close();
  }
}

async function stage(out: StagedOutput): Promise<string> {
  const tmp = sibling(out.target.path, 'tmp');
  live.add(tmp);
  if (isFolderKind(out.target.kind)) {
    await mkdir(tmp);
    for (const f of out.files) await writeContent(join(tmp, f.relativePath), f.bytes);
  } else {
    await writeContent(tmp, out.files[0]!.bytes);
  }
  return tmp;
}

const exists = (p: string) => { try { lstatSync(p); return true; } catch { return false; } };

/** Renames every temporary into place (olds moved aside first); undoes all on a failure. */
function commit(outputs: StagedOutput[], temps: string[]): void {
  const done: { path: string; old: string | null }[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const { target } = outputs[i]!;
    try {
      let old: string | null = null;
      if (exists(target.path)) { old = sibling(target.path, 'old'); renameSync(target.path, old); live.add(old); }
      done.push({ path: target.path, old });
      renameSync(temps[i]!, target.path);
      live.delete(temps[i]!);
    } catch (e) {
      for (const d of done.reverse()) {
        const back = sibling(d.path, 'tmp');
        try { if (exists(d.path)) renameSync(d.path, back); if (d.old) renameSync(d.old,
          d.path); } catch { /* best effort */ }
        removeQuietly(back);
        if (d.old) live.delete(d.old);
      }
      throw writeFailure(target, e);
    }
  }
  for (const d of done) if (d.old) removeQuietly(d.old);
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
    checkOutputs(outputs.map((o) => o.target), force);
    commit(outputs, temps);
  } finally {
    for (const t of temps) removeQuietly(t);
    for (const p of [...live]) if (p.endsWith('.tmp')) removeQuietly(p);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

