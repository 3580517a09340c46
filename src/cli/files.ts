import { mkdirSync, renameSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';

/** Fails early (before any work) when a file cannot be written at `path`. */
export function checkWritable(path: string, argument: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(argument, 'name a file in an existing, writable folder', path);
  }
  try {
    if (statSync(path).isDirectory() && !path.endsWith('/')) {
      // A directory is only a valid target for formats that are directories (TF.js).
    }
  } catch {
    /* does not exist yet: fine */
  }
}

/** Writes to a temporary name in the same folder, then renames: never a half-written file. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes several files into a directory atomically: a temporary folder renamed into place. */
export function writeDirAtomic(dir: string, files: { relativePath: string; bytes: string | Uint8Array }[]): void {
  const tmp = `${dir.replace(/\/+$/, '')}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const f of files) writeFileSync(join(tmp, f.relativePath), f.bytes);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
