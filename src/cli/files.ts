/**
 * Where the CLI may write, decided before any work (and again right before the final renames,
 * cli/staging.ts). An output path names a regular file or a folder in an existing, writable
 * folder; no two outputs of one command are the same path or one inside the other. A command
 * replaces only the paths the user named, and without `--force` only knotnet's own previous
 * output of the same kind (cli/ownership.ts): a file whose metadata says knotnet wrote it, a
 * folder whose manifest lists exactly what it holds. With `--force` an existing file is
 * replaced, and a folder output is written into the existing folder: its files of the names
 * written are replaced, everything else in it is kept. Nothing else is ever removed; devices,
 * FIFOs, sockets and symbolic links are never written.
 */
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { isInside } from '../runtime/read-limits.ts';
import { clearLeftovers } from './leftovers.ts';
import { folderContents, isKnotnetFile } from './ownership.ts';

/** What an output holds: one file of a format, or a folder of files. */
export type OutputKind = 'network-json' | 'onnx' | 'safetensors' | 'csv' | 'vnnlib' | 'milp' | 'tfjs' | 'report'
  | 'export-dir';

export interface OutputTarget {
  /** The path as the user gave it (trailing separators removed). */
  path: string;
  /** The flag that named it, e.g. `--save`, for messages. */
  argument: string;
  kind: OutputKind;
}

/** What is at an output's path now, and so how it is written (cli/staging.ts). */
export interface OutputPlan {
  target: OutputTarget;
  present: 'nothing' | 'file' | 'folder';
  /** In an existing folder with nothing else: knotnet's previous output, removed unless written again. */
  owned: string[];
  /** In an existing folder (--force): what knotnet did not write there, kept as it is. */
  foreign: string[];
}

const FOLDER_KINDS: ReadonlySet<OutputKind> = new Set(['tfjs', 'report', 'export-dir']);

/** Does `kind` write a folder (true) or one file (false)? */
export function isFolderKind(kind: OutputKind): boolean {
  return FOLDER_KINDS.has(kind);
}

/** A folder output whose folder already exists (it is written inside that folder). */
export function isExistingFolder({ path, kind }: Pick<OutputTarget, 'path' | 'kind'>): boolean {
  return isFolderKind(kind) && (lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false);
}

/**
 * The folder an output goes into exists and is writable (else InputError naming the flag and
 * the path); a folder output whose folder exists is written inside it, so its parent need not
 * be writable (a mount point, say).
 */
function checkParent(target: OutputTarget): string {
  const { path, argument } = target;
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    if (!isExistingFolder(target)) {
      accessSync(dir, constants.W_OK);
    }
  } catch {
    throw new InputError(argument, 'name a file in an existing, writable folder', path);
  }
  return dir;
}

/** `names` for a message: the first three, quoted, and how many more. */
export function listNames(names: string[]): string {
  const shown = names.slice(0, 3).map((n) => JSON.stringify(n)).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** An existing folder at a folder output's path: knotnet's own, or (--force) written into. */
function planFolder(target: OutputTarget, force: boolean): OutputPlan {
  const { path, argument, kind } = target;
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(argument, 'name a folder knotnet may write into (this one is read-only)', path);
  }
  const { owned, foreign } = folderContents(path, kind);
  if (foreign.length > 0 && !force) {
    throw new InputError(argument, `not name a non-empty folder that is not a previous knotnet ${kind} output (it ` +
      `holds ${listNames(foreign)}; pass --force to write into it, keeping those files)`, path);
  }
  return { target, present: 'folder', owned: foreign.length > 0 ? [] : owned, foreign };
}

/**
 * Checks one output before the work: its folder exists and is writable, and whatever is at
 * the path now may be replaced (see the module note). Throws InputError naming the flag and
 * the path otherwise; returns what is there.
 */
export function checkOutput(target: OutputTarget, force: boolean): OutputPlan {
  const { path, argument, kind } = target;
  checkParent(target);
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return { target, present: 'nothing', owned: [], foreign: [] };
  }
  const what = isFolderKind(kind) ? 'folder' : 'file';
  if (!st.isFile() && !st.isDirectory()) {
    throw new InputError(argument,
      `name a regular ${what}, not ${st.isSymbolicLink() ? 'a symbolic link' : 'a device, FIFO or socket'}`, path);
  }
  const file: OutputPlan = { target, present: 'file', owned: [], foreign: [] };
  if (isFolderKind(kind)) {
    if (st.isDirectory()) return planFolder(target, force);
    if (force) return file;
    throw new InputError(argument, 'not name an existing file (pass --force to replace it by a folder)', path);
  }
  if (st.isDirectory()) throw new InputError(argument,
    'not name an existing folder (a file output never replaces a folder, even with --force)', path);
  if (force || isKnotnetFile(path, kind)) return file;
  throw new InputError(argument,
    `not name an existing file that is not a knotnet ${kind} file (pass --force to replace it)`, path);
}

/** The path with its folder's links resolved (the folder exists: checkParent). */
const canonical = (t: OutputTarget): string => join(realpathSync(checkParent(t)), basename(resolve(t.path)));

/** Refuses two outputs at one path, or one inside the other (the second would be written, then replaced). */
function refuseOverlaps(targets: OutputTarget[]): void {
  const paths = targets.map(canonical);
  for (let j = 0; j < targets.length; j++) {
    for (let i = 0; i < j; i++) {
      const [a, b] = [targets[i]!, targets[j]!];
      if (paths[i] === paths[j]) throw new InputError(b.argument, `name a different path than ${a.argument}`, b.path);
      if (isInside(paths[i]!, paths[j]!)) throw new InputError(b.argument,
        `name a path outside ${a.argument} ${a.path} (this command writes that one whole)`, b.path);
      if (isInside(paths[j]!, paths[i]!)) throw new InputError(a.argument,
        `name a path outside ${b.argument} ${b.path} (this command writes that one whole)`, a.path);
    }
  }
}

/**
 * Checks every output of one command together: no two overlap, what killed runs left in their
 * folders is cleared (cli/leftovers.ts), then each one is checked. Returns what is at each.
 */
export function checkOutputs(targets: OutputTarget[], force: boolean): OutputPlan[] {
  refuseOverlaps(targets);
  const folders = targets.flatMap((t) => {
    return [dirname(resolve(t.path)), ...(isExistingFolder(t) ? [resolve(t.path)] : [])];
  });
  clearLeftovers(folders);
  return targets.map((t) => checkOutput(t, force));
}
