/**
 * Where the CLI may write, decided before any work: an output path names a regular file or a
 * folder in an existing, writable folder. Nothing the user did not ask to replace is
 * replaced: an existing file, or a non-empty folder, is overwritten only when it is a
 * previous knotnet artifact of the same kind (recognized by its format marker) or when the
 * user passed `--force`. Devices, FIFOs, sockets and symbolic links are never written.
 */
import { accessSync, closeSync, constants, lstatSync, openSync, readdirSync, readSync, statSync,
  type Stats } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';

/** What an output holds: one file of a format, or a folder of files. */
export type OutputKind = 'network-json' | 'onnx' | 'safetensors' | 'csv' | 'vnnlib' | 'tfjs' | 'report' | 'export-dir';

export interface OutputTarget {
  /** The path as the user gave it (trailing separators removed). */
  path: string;
  /** The flag that named it, e.g. `--save`, for messages. */
  argument: string;
  kind: OutputKind;
}

const FOLDER_KINDS: ReadonlySet<OutputKind> = new Set(['tfjs', 'report', 'export-dir']);

/** Does `kind` write a folder (true) or one file (false)? */
export function isFolderKind(kind: OutputKind): boolean {
  return FOLDER_KINDS.has(kind);
}

/**
 * Checks one output before the work: its folder exists and is writable, and whatever is at
 * the path now may be replaced (see the module note). Throws InputError naming the flag and
 * the path otherwise.
 */
export function checkOutput(target: OutputTarget, force: boolean): void {
  const { path, argument, kind } = target;
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(argument, 'name a file in an existing, writable folder', path);
  }
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there yet
  }
  const what = isFolderKind(kind) ? 'folder' : 'file';
  if (!st.isFile() && !st.isDirectory()) {
    throw new InputError(argument,
      `name a regular ${what}, not ${st.isSymbolicLink() ? 'a symbolic link' : 'a device, FIFO or socket'}`, path);
  }
  if (force) return;
  if (isFolderKind(kind)) {
    if (st.isFile()) throw new InputError(argument,
      'not name an existing file (pass --force to replace it by a folder)', path);
    if (readdirSync(path).length === 0 || isFolderArtifact(path, kind)) return;
    throw new InputError(argument,
      `not name a non-empty folder that is not a previous knotnet ${kind} output (pass --force to replace it)`, path);
  }
  if (st.isDirectory()) throw new InputError(argument,
    'not name an existing folder (pass --force to replace it by a file)', path);
  if (isFileArtifact(path, kind)) return;
  throw new InputError(argument,
    `not name an existing file that is not a knotnet ${kind} file (pass --force to replace it)`, path);
}

/** Checks every output of one command together: each one, and no path named twice. */
export function checkOutputs(targets: OutputTarget[], force: boolean): void {
  const seen = new Map<string, string>();
  for (const t of targets) {
    const key = resolve(t.path);
    const before = seen.get(key);
    if (before) throw new InputError(t.argument, `name a different path than ${before}`, t.path);
    seen.set(key, t.argument);
    checkOutput(t, force);
  }
}

/** The first `n` bytes of a file as text (latin1: markers are ASCII). */
function head(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** Format markers knotnet writes at the start of each file kind. */
const FILE_MARKERS: Partial<Record<OutputKind, (text: string) => boolean>> = {
  'network-json': (t) => /^\s*\{\s*"format"\s*:\s*"knotnet\.network"/.test(t),
  // ModelProto field 2 (producer_name) = "knotnet": tag 0x12, length 7.
  onnx: (t) => t.includes('\x12\x07knotnet'),
  safetensors: (t) => /^[\s\S]{8}\{"__metadata__":\{"format":"pt","producer":"knotnet"/.test(t),
  vnnlib: (t) => t.startsWith('; knotnet certify:'),
};

/** Is the file at `path` a file knotnet wrote of this kind? (CSV has no marker: never.) */
export function isFileArtifact(path: string, kind: OutputKind): boolean {
  const marker = FILE_MARKERS[kind];
  try {
    return !!marker && lstatSync(path).isFile() && marker(head(path, 4096));
  } catch {
    return false;
  }
}

/** A previous knotnet folder output: only regular files of the kind's names, marker present. */
export function isFolderArtifact(path: string, kind: OutputKind): boolean {
  try {
    const names = readdirSync(path);
    if (!names.every((n) => lstatSync(join(path, n)).isFile())) return false;
    if (kind === 'tfjs') {
      return names.includes('model.json') && /^\s*\{"format":"layers-model","generatedBy":"knotnet"/.test(head(join(
        path, 'model.json'), 256))
        && names.every((n) => n === 'model.json' || extname(n) === '.bin');
    }
    if (kind === 'report') {
      return names.includes('index.html') && head(join(path, 'index.html'),
        512).includes('<meta name="generator" content="knotnet">')
        && names.every((n) => ['.html', '.svg', '.png'].includes(extname(n)));
    }
    if (kind === 'export-dir') {
      return names.every((n) => (extname(n) === '.onnx' && isFileArtifact(join(path, n),
        'onnx')) || (extname(n) === '.json' && isFileArtifact(join(path, n), 'network-json')));
    }
    return false;
  } catch {
    return false;
  }
}
