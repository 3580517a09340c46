import { InputError } from '../errors.ts';
import { textLinesWithin } from '../runtime/read-limits.ts';

/** Most numbers (rows × columns) a CSV read may hold: what `sample` writes at most, so its output reads back. */
export const MAX_CSV_NUMBERS = 10_000_000;

/** A numeric CSV: its header and its rows row-major. */
export interface Csv { header: string[]; rows: Float64Array; count: number }

/**
 * Reads a numeric CSV with a header from `path` ("-": stdin) line by line, within the CSV
 * byte limit (runtime/read-limits.ts) and MAX_CSV_NUMBERS; every cell must be a finite number.
 */
export function readCsv(path: string, argument = '--data'): Csv {
  return parseCsvLines(textLinesWithin(path, 'csv', argument), argument, path === '-' ? 'stdin' : path);
}

/**
 * Parses numeric CSV lines with a header (`source` names it in messages: a path or "stdin"),
 * refused at the first row that would make more than `maxNumbers` numbers.
 */
export function parseCsvLines(lines: Iterable<string>, argument: string, source: string,
  maxNumbers = MAX_CSV_NUMBERS): Csv {
  let header: string[] | undefined;
  let rows: Float64Array = new Float64Array(0), count = 0, lineNumber = 0;
  for (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (!header) { header = line.split(',').map((s) => s.trim()); continue; }
    const d = header.length;
    checkCsvRows(count + 1, d, argument, source, maxNumbers);
    if ((count + 1) * d > rows.length) rows = grown(rows, Math.min(maxNumbers, Math.max(1024, 2 * rows.length,
      (count + 1) * d)));
    const cells = line.split(',');
    if (cells.length !== d) throw new InputError(`${argument} ${source} line ${lineNumber}`,
      `have ${d} cells like the header`, cells.length);
    cells.forEach((c, j) => {
      const v = c.trim() === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) throw new InputError(`${argument} ${source} line ${lineNumber} column ${header![j]}`,
        'be a finite number', c.length > 80 ? `${c.slice(0, 80)}…` : c);
      rows[count * d + j] = v;
    });
    count++;
  }
  if (!header || count === 0) throw new InputError(argument, 'have a header line and at least one row', source);
  return { header, rows: rows.subarray(0, count * header.length), count };
}

/** Parses numeric CSV text with a header (text already in memory, e.g. a command's output). */
export function parseCsvText(text: string, argument: string, source: string): Csv {
  return parseCsvLines(text.split(/\r?\n/), argument, source);
}

/** Refuses a CSV of `rows` rows of `columns` numbers above `maxNumbers`, naming the limit. */
export function checkCsvRows(rows: number, columns: number, argument: string, source: string,
  maxNumbers = MAX_CSV_NUMBERS): void {
  if (rows * columns > maxNumbers) throw new InputError(argument, `hold at most ${maxNumbers} numbers ` +
    `(rows × columns)`, `${source}: more than ${Math.floor(maxNumbers / columns)} rows of ${columns}`,
    { field: 'data', code: 'too-large' });
}

function grown(a: Float64Array, length: number): Float64Array {
  const b = new Float64Array(length);
  b.set(a);
  return b;
}

/** CSV text in chunks (the header, then one chunk per batch of rows): never one whole string. */
export function* csvChunks(header: string[], batches: Iterable<Float64Array>): Generator<string> {
  const d = header.length;
  yield `${header.join(',')}\n`;
  for (const rows of batches) {
    const lines: string[] = [];
    for (let i = 0; i < rows.length / d; i++) lines.push(Array.from(rows.subarray(i * d, i * d + d),
      (v) => String(v)).join(','));
    yield `${lines.join('\n')}\n`;
  }
}

/** Writes chunks to a stream, waiting for it to drain (memory stays at one chunk). */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise<void>((resolve,
      reject) => { stream.once('drain', resolve); stream.once('error', reject); });
  }
}
