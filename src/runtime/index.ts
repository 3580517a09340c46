/**
 * `loadArtifact(path)`: open any exported model in the runtime it was made for, behind one
 * runner interface, so `knotnet check` measures what users will actually run. ONNX runs in
 * onnxruntime-node, TensorFlow.js in tfjs; the network JSON and safetensors have no runtime
 * of their own and run through our evaluate() in the dtype they store. Node-only: this is
 * `knotnet/runtime`; onnxruntime-node and @tensorflow/tfjs are optional dependencies, loaded
 * on first use.
 *
 * @module knotnet/runtime
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { InputError, WorkError } from '../errors.ts';
import type { ExportDtype } from '../export/bytes.ts';
import { readOnnxInfo } from '../export/onnx.ts';
import { checkOnnxWeights } from '../export/onnx-read.ts';
import { networkFromSafetensorsFile, readSafetensors } from '../export/safetensors.ts';
import { evaluate } from '../net/evaluate.ts';
import { networkFromJson } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { openOnnx } from './onnx.ts';
import { readFileWithin, readModelJson } from './read-limits.ts';
import { loadTfjsFromDir, runTfjs } from './tfjs.ts';

export { openOnnx, runOnnx, type OnnxSessionRunner } from './onnx.ts';
export { initTfjs, loadTfjs, loadTfjsFromDir, runTfjs, tfjsDirHandler, useTfjsBackend,
  type TfjsBackend } from './tfjs.ts';
export { importOptional, missingOptional, OPTIONAL_PACKAGES } from '../optional.ts';

export interface ArtifactRunner {
  format: 'onnx' | 'json' | 'safetensors' | 'tfjs';
  /** The element type the runtime computes in. */
  dtype: ExportDtype;
  inputs: string[];
  outputs: string[];
  /** What the file says about itself (expression, domain, errors), as stored. */
  metadata: Record<string, unknown>;
  /** `x` row-major batch × inputs; result row-major batch × outputs. */
  run(x: ArrayLike<number>, batch: number): Promise<Float64Array>;
  /** Frees runtime resources (sessions, tensors); the runner is unusable afterwards. */
  close(): Promise<void>;
}

const ARG = 'model file';

function evaluatorRunner(format: 'json' | 'safetensors', net: Network, dtype: ExportDtype, metadata: Record<string,
  unknown>): ArtifactRunner {
  return {
    format,
    dtype,
    inputs: net.inputs,
    outputs: net.outputs,
    metadata,
    run: async (x) => evaluate(net, x, dtype),
    close: async () => {},
  };
}

async function tfjsRunner(dir: string, modelFile?: string): Promise<ArtifactRunner> {
  const model = await loadTfjsFromDir(dir, modelFile).catch((e) => { throw runtimeRefusal(dir, e); });
  const metadata = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  const nIn = model.inputs[0]!.shape[1]!;
  const nOut = model.outputs[0]!.shape[1]!;
  const names = (key: string, n: number, prefix: string): string[] =>
    Array.isArray(metadata[key]) ? (metadata[key] as string[]) : Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  return {
    format: 'tfjs',
    dtype: 'float32',
    inputs: names('inputs', nIn, 'x'),
    outputs: names('outputs', nOut, 'y'),
    metadata,
    run: (x, batch) => runTfjs(model, x, batch, nIn),
    close: async () => {
      model.dispose();
    },
  };
}

/**
 * A runtime's own error (onnxruntime's text carries ANSI colour codes and several lines) as
 * one plain sentence naming the file: the file is at fault, so exit 2.
 */
function runtimeRefusal(path: string, e: unknown): Error {
  // A missing optional runtime (optional.ts) is not the file's fault; our own refusals are already one sentence.
  if (e instanceof WorkError || e instanceof InputError) return e;
  const text = String((e as Error)?.message ?? e).replace(/\x1b\[[0-9;]*m/g,
    '').split('\n').map((l) => l.trim()).filter(Boolean)[0] ?? 'unknown error';
  return new InputError(ARG, 'be a model its runtime can load and run',
    `${path}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`);
}

/**
 * Opens the model at `path`: a directory (TensorFlow.js, its model.json inside), a tfjs
 * model.json, our network JSON, .onnx or .safetensors.
 */
export async function loadArtifact(path: string): Promise<ArtifactRunner> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(ARG, 'exist', path, { field: 'model', code: 'unreadable' });
  if (info.isDirectory()) return tfjsRunner(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') {
    const bytes = await readFileWithin(path, 'onnx', ARG);
    const meta = readOnnxInfo(bytes, path);
    checkOnnxWeights(bytes, path);
    const session = await openOnnx(bytes, meta.inputs.length,
      meta.dtype).catch((e) => { throw runtimeRefusal(path, e); });
    return {
      format: 'onnx',
      dtype: meta.dtype,
      inputs: meta.inputs,
      outputs: meta.outputs,
      metadata: meta.metadata,
      run: (x, batch) => session.run(x, batch).catch((e) => { throw runtimeRefusal(path, e); }),
      close: () => session.release(),
    };
  }
  if (ext === '.safetensors') {
    const bytes = await readFileWithin(path, 'safetensors', ARG);
    const file = readSafetensors(bytes, path);
    const net = networkFromSafetensorsFile(file, path);
    const dtype = [...file.tensors.values()][0]!.dtype;
    return evaluatorRunner('safetensors', net, dtype, file.metadata);
  }
  if (ext === '.json') {
    const json = await readModelJson(path, ARG);
    if ((json as { format?: unknown } | null)?.format === 'layers-model') return tfjsRunner(dirname(path),
      basename(path));
    const { net, meta } = networkFromJson(json, path);
    return evaluatorRunner('json', net, meta.dtype === 'float32' ? 'float32' : 'float64', meta);
  }
  throw new InputError(ARG, 'be a .onnx, .json or .safetensors file or a TensorFlow.js model directory', path,
    { field: 'model', code: 'unreadable' });
}
