/**
 * Reading a user's file within limits, the one way every reader opens one (model files and
 * their TF.js weight files, `--data`/`--in` CSVs): the path is stat'ed before anything is
 * read; only a regular file is read (a device such as /dev/zero, a FIFO or a socket is refused
 * without being opened, so a FIFO without a writer cannot hang the command); a file larger
 * than its format's limit is refused naming the limit and the size; text is read in chunks
 * (a CSV is never one whole string). A TF.js weights path is resolved inside the model's
 * folder, after symbolic links, by `modelFileInside`. Node-only.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.ts';
import { checkJsonTextCost, MAX_READ_PARAMS } from '../net/json.ts';

/** The kinds of file knotnet reads, each with its own size limit. */
export type FileFormat = 'csv' | 'onnx' | 'safetensors' | 'network-json' | 'tfjs-model' | 'tfjs-weights';

const MiB = 2 ** 20;

/**
 * Largest file read per format, in bytes: a CSV of 10 million numbers (what `sample` writes at
 * most) fits, and a model of MAX_READ_PARAMS parameters in float64 (ONNX, safetensors) or as
 * JSON text; the readers also count the parameters a file declares before widening them.
 */
export const FILE_LIMITS: Readonly<Record<FileFormat, { bytes: number; what: string; field: string }>> = {
  'csv': { bytes: 256 * MiB, what: 'a CSV file', field: 'data' },
  'onnx': { bytes: 128 * MiB, what: 'an ONNX model', field: 'model' },
  'safetensors': { bytes: 128 * MiB, what: 'a safetensors model', field: 'model' },
  'network-json': { bytes: 256 * MiB, what: 'a network JSON', field: 'model' },
  'tfjs-model': { bytes: 16 * MiB, what: 'a TF.js model.json', field: 'model' },
  'tfjs-weights': { bytes: 4 * MAX_READ_PARAMS, what: 'the TF.js weight files together', field: 'model' },
};

/** A size for messages: whole bytes below 1 MiB, else MiB to one decimal. */
export function formatBytes(n: number): string {
  return n < MiB ? `${n} bytes` : `${(n / MiB).toFixed(1)} MiB`;
}

/** What a non-regular file is, for messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Refuses `st` unless it is a regular file of at most `limit` bytes. */
function checkStats(st: Stats, path: string, format: FileFormat, argument: string, limit: number): void {
  const { field } = FILE_LIMITS[format];
  if (!st.isFile()) throw new InputError(argument, `name a regular file, not ${kindOf(st)}`, path,
    { field, code: 'not-regular-file' });
  if (st.size > limit) throw tooLarge(format, argument, limit, `${path}: ${formatBytes(st.size)}`);
}

const tooLarge = (format: FileFormat, argument: string, limit: number, got: string) => new InputError(argument,
  `be at most ${formatBytes(limit)}, the limit for ${FILE_LIMITS[format].what}`, got,
  { field: FILE_LIMITS[format].field, code: 'too-large' });

function unreadable(path: string, format: FileFormat, argument: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new InputError(argument, 'name a readable file', `${path} (${code})`,
    { field: FILE_LIMITS[format].field, code: 'unreadable' });
}

/** stat(path) (links followed) checked as `checkStats` does; before any open. */
function statWithin(path: string, format: FileFormat, argument: string, limit: number): void {
  let st: Stats;
  try { st = statSync(path); } catch (e) { throw unreadable(path, format, argument, e); }
  checkStats(st, path, format, argument, limit);
}

/** Non-blocking open: a FIFO swapped in after the stat still cannot hang the read. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The bytes of the regular file `path`, refused (InputError naming `argument`) when it is
 * missing, not a regular file, or larger than the format's limit (or `limit` when smaller).
 */
export async function readFileWithin(path: string, format: FileFormat, argument: string,
  limit = FILE_LIMITS[format].bytes): Promise<Uint8Array> {
  statWithin(path, format, argument, limit);
  let handle;
  try { handle = await open(path, READ_FLAGS); } catch (e) { throw unreadable(path, format, argument, e); }
  try {
    const st = await handle.stat();
    checkStats(st, path, format, argument, limit);
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } catch (e) {
    throw e instanceof InputError ? e : unreadable(path, format, argument, e);
  } finally {
    await handle.close();
  }
}

/**
 * A model's .json file (knotnet's network JSON, or a TF.js model.json named directly) read
 * within the network JSON limit and parsed once its parse cost is bounded (checkJsonTextCost).
 */
export async function readModelJson(path: string, argument: string): Promise<unknown> {
  const bytes = await readFileWithin(path, 'network-json', argument);
  checkJsonTextCost(bytes, path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InputError(argument, 'be valid JSON', `${path} (${(e as Error).message})`,
      { field: 'model', code: 'unreadable' });
  }
}

/** A read of fd 0 that would block (a non-blocking pipe) waits a moment and tries again. */
function readChunk(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EOF') return 0;
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * The lines of a text file (or "-": stdin) read in 64 KiB chunks, without their line ends;
 * refused like `readFileWithin` (stdin may be a pipe, but is cut at the same byte limit).
 */
export function* textLinesWithin(path: string, format: FileFormat, argument: string): Generator<string> {
  const limit = FILE_LIMITS[format].bytes;
  const source = path === '-' ? 'stdin' : path;
  let fd = 0;
  if (path !== '-') {
    statWithin(path, format, argument, limit);
    try { fd = openSync(path, READ_FLAGS); } catch (e) { throw unreadable(path, format, argument, e); }
  }
  try {
    if (path !== '-') checkStats(fstatSync(fd), path, format, argument, limit);
    const buf = Buffer.alloc(64 * 1024);
    const decoder = new StringDecoder('utf8');
    const line = new LineBuffer(source, argument);
    let total = 0;
    for (let n = readChunk(fd, buf); n > 0; n = readChunk(fd, buf)) {
      total += n;
      if (total > limit) throw tooLarge(format, argument, limit, `${source}: more`);
      yield* line.add(decoder.write(buf.subarray(0, n)));
    }
    yield* line.end(decoder.end());
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

/** Longest line of a text file read (a CSV row of 100,000 numbers takes about 2 MiB). */
export const MAX_LINE_CHARS = 16 * MiB;

/**
 * Text in chunks → its lines, without line ends: each chunk is searched once (a line spread over
 * many chunks is joined once, not re-split per chunk), and a line longer than MAX_LINE_CHARS is
 * refused before it is built.
 */
class LineBuffer {
  private parts: string[] = [];
  private length = 0;
  constructor(private readonly source: string, private readonly argument: string) {}

  /** The lines `text` completes. */
  *add(text: string): Generator<string> {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
      yield this.take(text.slice(start, end));
    }
    this.parts.push(text.slice(start));
    this.length += text.length - start;
    this.checkLength(0);
  }

  /** Refuses the line held so far, with `more` characters still to come, when it is over the limit. */
  private checkLength(more: number): void {
    if (this.length + more > MAX_LINE_CHARS) throw new InputError(this.argument, `have lines of at most ` +
      `${MAX_LINE_CHARS} characters`, `${this.source}: a longer line`, { field: 'data', code: 'too-large' });
  }

  /** The lines `text` completes, then the last line when the text does not end with a line end. */
  *end(text: string): Generator<string> {
    yield* this.add(text);
    if (this.length > 0) yield this.take('');
  }

  /** The line held so far followed by `tail`, without a trailing \r; the buffer is emptied. */
  private take(tail: string): string {
    this.checkLength(tail.length);
    const line = this.parts.join('') + tail;
    this.parts = [];
    this.length = 0;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}

/** Is absolute path `inner` strictly below absolute path `outer` (not equal, not beside)? */
export function isInside(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The path of the file `name` (a TF.js weightsManifest path) inside the model folder `dir`:
 * a relative path that stays inside the folder once symbolic links are followed, naming an
 * existing file. An absolute path, `..` out of the folder, or a link leading out is refused
 * (`argument` names the manifest in the message); whether it is a regular file within limits
 * is `readFileWithin`'s check.
 */
export function modelFileInside(dir: string, name: unknown, argument: string): string {
  const refuse = (rule: string) => new InputError(argument, rule, name, { field: 'model', code: 'outside-folder' });
  if (typeof name !== 'string' || name === '' || isAbsolute(name)) throw refuse('name a file inside the model folder');
  const full = resolve(dir, name);
  if (!isInside(resolve(dir), full)) throw refuse('name a file inside the model folder');
  let real: string;
  try { real = realpathSync(full); } catch { throw refuse(`name an existing file inside the model folder ${dir}`); }
  if (!isInside(realpathSync(dir), real)) throw refuse('name a file inside the model folder (a link leads out of it)');
  return full;
}
