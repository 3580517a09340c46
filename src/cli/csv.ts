import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';

/** Reads a numeric CSV with a header; every cell must be a finite number. */
export function readCsv(path: string, argument = '--data'): { header: string[]; rows: Float64Array; count: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(argument, 'name a readable CSV file', path);
  }
  return parseCsvText(text, argument, path);
}

/** Parses numeric CSV text with a header (`source` names it in messages: a path or "stdin"). */
export function parseCsvText(text: string, argument: string,
  source: string): { header: string[]; rows: Float64Array; count: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new InputError(argument, 'have a header line and at least one row', source);
  const header = lines[0]!.split(',').map((s) => s.trim());
  const rows = new Float64Array((lines.length - 1) * header.length);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    if (cells.length !== header.length) throw new InputError(`${argument} ${source} line ${i + 1}`,
      `have ${header.length} cells like the header`, cells.length);
    cells.forEach((c, j) => {
      const v = c.trim() === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) throw new InputError(`${argument} ${source} line ${i + 1} column ${header[j]}`,
        'be a finite number', c);
      rows[(i - 1) * header.length + j] = v;
    });
  }
  return { header, rows, count: lines.length - 1 };
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
