/**
 * `loadPlainNetwork(path)`: any model file as the plain network (dense layers, ReLU and
 * linear), for analysis rather than running: ONNX (.onnx), TensorFlow.js (a folder, or its
 * model.json), safetensors of an nn.Sequential, and knotnet's network JSON. No runtime is
 * loaded. Node-only: reads files.
 */
import { stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { networkFromOnnx } from '../export/onnx-read.ts';
import { asLeaky } from '../export/plain.ts';
import { networkFromSafetensorsFile, readSafetensors } from '../export/safetensors.ts';
import { TFJS_MODEL_FILE } from '../export/tfjs.ts';
import { networkFromTfjs } from '../export/tfjs-read.ts';
import { networkFromJson } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { readFileWithin, readModelJson } from './read-limits.ts';
import { readTfjsFolder } from './tfjs-files.ts';

export interface PlainModel {
  net: Network;
  format: 'onnx' | 'json' | 'safetensors' | 'tfjs';
  /** The arithmetic the model is stored for (its runtime computes in it). */
  dtype: 'float32' | 'float64';
  metadata: Record<string, unknown>;
}

const ARG = 'model file';

async function tfjsModel(dir: string, file: string): Promise<PlainModel> {
  const { json, weights } = await readTfjsFolder(dir, file, ARG);
  return { net: networkFromTfjs(json, weights, join(dir, file)), format: 'tfjs', dtype: 'float32',
    metadata: json?.userDefinedMetadata ?? {} };
}

/**
 * Opens the model at `path`. `leakyAlpha`: a safetensors state dict does not record its
 * activations; with it, hidden layers are LeakyReLU(α) instead of ReLU.
 */
export async function loadPlainNetwork(path: string, opts: { leakyAlpha?: number } = {}): Promise<PlainModel> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(ARG, 'exist', path);
  if (info.isDirectory()) return tfjsModel(path, TFJS_MODEL_FILE);
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') {
    const r = networkFromOnnx(await readFileWithin(path, 'onnx', ARG), path);
    return { net: r.net, format: 'onnx', dtype: r.dtype, metadata: r.metadata };
  }
  if (ext === '.safetensors') {
    const bytes = await readFileWithin(path, 'safetensors', ARG);
    const file = readSafetensors(bytes, path);
    let net = networkFromSafetensorsFile(file, path);
    if (opts.leakyAlpha !== undefined) net = asLeaky(net, opts.leakyAlpha, path);
    return { net, format: 'safetensors', dtype: [...file.tensors.values()][0]!.dtype, metadata: file.metadata };
  }
  if (ext === '.json') {
    const json = await readModelJson(path, ARG) as { format?: unknown } | null;
    if (json?.format === 'layers-model') return tfjsModel(dirname(path), path.slice(dirname(path).length + 1));
    const { net, meta } = networkFromJson(json, path);
    return { net, format: 'json', dtype: meta.dtype === 'float32' ? 'float32' : 'float64', metadata: meta };
  }
  throw new InputError(ARG, 'be a .onnx, .json or .safetensors file or a TensorFlow.js model directory', path);
}
