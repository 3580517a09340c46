/**
 * A TensorFlow.js model folder read within limits, for both of its readers (the plain network
 * for `certify`, and the tfjs runtime for `check`/`predict`): model.json, its topology and
 * manifest checked before any weight is read (export/tfjs-read.ts checkTfjsTopology), then
 * the weight files the manifest names, each resolved inside the folder (modelFileInside) and
 * read as a regular file, together within the TF.js weights limit. Node-only.
 */
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { checkFiniteLittleEndian } from '../export/bytes.ts';
import { TFJS_MODEL_FILE } from '../export/tfjs.ts';
import { checkTfjsTopology, tfjsManifest } from '../export/tfjs-read.ts';
import { FILE_LIMITS, modelFileInside, readFileWithin } from './read-limits.ts';

/** A TF.js model read from its folder: model.json parsed and checked, its weight specs and bytes. */
export interface TfjsFolder {
  json: any;
  specs: { name: string; shape: number[]; dtype?: string }[];
  /** The manifest's files concatenated in order: exactly the bytes the specs need, every float32 finite. */
  weights: Uint8Array;
}

/**
 * Reads `dir/file` and its weights; `argument` names the model in messages. A path outside the
 * folder, a missing or non-regular weights file, bytes that do not match the specs, or a NaN or
 * infinite weight is an InputError.
 */
export async function readTfjsFolder(dir: string, file: string = TFJS_MODEL_FILE,
  argument = 'model file'): Promise<TfjsFolder> {
  const source = join(dir, file);
  const text = new TextDecoder().decode(await readFileWithin(source, 'tfjs-model', argument));
  let json: any;
  try { json = JSON.parse(text); } catch (e) { throw new InputError(source, 'be valid JSON', (e as Error).message,
    { field: 'bytes', code: 'malformed' }); }
  checkTfjsTopology(json, source);
  const { paths, specs, bytes: expected } = tfjsManifest(json, source);
  const weights = new Uint8Array(expected);
  let at = 0;
  for (const p of paths) {
    const path = modelFileInside(dir, p, `${source} weightsManifest path`);
    const chunk = await readFileWithin(path, 'tfjs-weights', argument, Math.max(0, FILE_LIMITS['tfjs-weights'].bytes
      - at));
    if (at + chunk.length > expected) { at += chunk.length; break; }
    weights.set(chunk, at);
    at += chunk.length;
  }
  if (at !== expected) throw new InputError(`${source} weights`, `hold the ${expected} bytes its weight shapes need`,
    `${at} bytes`, { field: 'bytes', code: 'malformed' });
  let offset = 0;
  for (const s of specs) {
    const count = s.shape.reduce((a, d) => a * d, 1);
    checkFiniteLittleEndian(weights, offset, count, 'float32', `${source} weight "${s.name}"`);
    offset += 4 * count;
  }
  return { json, specs, weights };
}
