/**
 * Is what is at an output path knotnet's own previous output? Only then may a command replace
 * it without `--force` (cli/files.ts).
 *
 * A single file is knotnet's when the metadata knotnet writes into it says so, read the way its
 * format is read (never a byte pattern): the network JSON's `format` field, the ONNX model's
 * producer_name and its `knotnet.artifact` metadata prop, the safetensors header's
 * `__metadata__.producer`, the VNN-LIB file's first comment. A CSV carries no metadata: never.
 * A folder output (TF.js export, report, compare's export folder) is knotnet's when the
 * manifest knotnet writes into it (`.knotnet-manifest.json`) lists exactly what the folder
 * holds: every file with its size and SHA-256, nothing else.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeOnnx, ONNX_KNOTNET_KEY, ONNX_KNOTNET_VALUE } from '../export/onnx.ts';
import type { OutputKind } from './files.ts';
import { inProgress } from './leftovers.ts';

/** The manifest's name inside every folder output. */
export const MANIFEST_NAME = '.knotnet-manifest.json';

/** Files larger than this are not read to be recognized (they then need --force). */
export const RECOGNIZE_MAX_BYTES = 256 * 2 ** 20;

/** The manifest's content: the kind of output and each file's size and SHA-256 (hex). */
export interface Manifest {
  format: 'knotnet.manifest';
  version: 1;
  kind: OutputKind;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** Bytes [0, n) of a file (fewer when it is shorter). */
function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Feeds the whole file to `hash` in 1 MiB reads. */
function hashFile(path: string, hash: Hash): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(2 ** 20);
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, got));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

const parsed = (text: string): unknown => { try { return JSON.parse(text) as unknown; } catch { return undefined; } };
const field = (v: unknown, key: string): unknown => (v !== null && typeof v === 'object'
  ? (v as Record<string, unknown>)[key] : undefined);

/** The ModelProto decoded with ONNX's own schema (export/onnx.ts): producer_name and the knotnet metadata prop. */
function isKnotnetOnnx(path: string, size: number): boolean {
  try {
    const model = decodeOnnx(readHead(path, size));
    return model.producer_name === 'knotnet'
      && model.metadata_props.some((p) => p.key === ONNX_KNOTNET_KEY && p.value === ONNX_KNOTNET_VALUE);
  } catch {
    return false;
  }
}

/** The safetensors header (8-byte little-endian length, then JSON): `__metadata__.producer`. */
function isKnotnetSafetensors(path: string, size: number): boolean {
  if (size < 8) return false;
  const length = Number(readHead(path, 8).readBigUInt64LE(0));
  if (length > size - 8) return false;
  const header = parsed(readHead(path, 8 + length).subarray(8).toString('utf8'));
  return field(field(header, '__metadata__'), 'producer') === 'knotnet';
}

const RECOGNIZERS: Partial<Record<OutputKind, (path: string, size: number) => boolean>> = {
  'network-json': (path, size) => field(parsed(readHead(path, size).toString('utf8')), 'format') === 'knotnet.network',
  onnx: isKnotnetOnnx,
  safetensors: isKnotnetSafetensors,
  vnnlib: (path) => readHead(path, 64).toString('utf8').startsWith('; knotnet certify:'),
  milp: (path) => /^[\\*] knotnet milp:/.test(readHead(path, 64).toString('utf8')),
};

/** Is the regular file at `path` one knotnet wrote as output `kind`? */
export function isKnotnetFile(path: string, kind: OutputKind): boolean {
  const recognize = RECOGNIZERS[kind];
  try {
    const st = lstatSync(path);
    return !!recognize && st.isFile() && st.size <= RECOGNIZE_MAX_BYTES && recognize(path, st.size);
  } catch {
    return false;
  }
}

/** The manifest text for `files` of an output of `kind`. */
export function manifestText(kind: OutputKind, files: Manifest['files']): string {
  const manifest: Manifest = { format: 'knotnet.manifest', version: 1, kind, files };
  return `${JSON.stringify(manifest, null, 1)}\n`;
}

/** The manifest of `folder` if it is one knotnet wrote for `kind` (else undefined). */
function readManifest(folder: string, kind: OutputKind): Manifest | undefined {
  const path = join(folder, MANIFEST_NAME);
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > RECOGNIZE_MAX_BYTES) return undefined;
    const m = parsed(readHead(path, st.size).toString('utf8')) as Manifest | undefined;
    const ok = m?.format === 'knotnet.manifest' && m.version === 1 && m.kind === kind && typeof m.files === 'object'
      && m.files !== null;
    return ok ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Is `folder/name` a regular file of the size and SHA-256 the manifest lists? */
function matches(folder: string, name: string, entry: Manifest['files'][string] | undefined): boolean {
  if (!entry || name === MANIFEST_NAME) return false;
  try {
    const st = lstatSync(join(folder, name));
    return st.isFile() && st.size === entry.bytes
      && hashFile(join(folder, name), createHash('sha256')) === entry.sha256;
  } catch {
    return false;
  }
}

/**
 * What an existing folder holds, split into knotnet's previous output of `kind` (the manifest
 * and the files it lists, unchanged) and everything else (`foreign`: the user's files, changed
 * files, folders, links; all of it when there is no manifest of this kind). A listed file the
 * user removed is simply not there. The folder is a previous output knotnet may replace
 * without --force exactly when `foreign` is empty.
 */
export function folderContents(folder: string, kind: OutputKind): { owned: string[]; foreign: string[] } {
  const names = readdirSync(folder).filter((n) => !inProgress.has(join(resolve(folder), n))).sort(); // not our staging
  const manifest = readManifest(folder, kind);
  if (!manifest) return { owned: [], foreign: names };
  const listed = (n: string) => (Object.hasOwn(manifest.files, n) ? manifest.files[n] : undefined);
  const owned = names.filter((n) => matches(folder, n, listed(n)));
  const foreign = names.filter((n) => n !== MANIFEST_NAME && !owned.includes(n));
  return { owned: [...owned, MANIFEST_NAME], foreign };
}
