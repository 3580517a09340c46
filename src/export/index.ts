/**
 * One entry point for exports: which format a `--export` path asks for, and the files
 * (bytes in memory) that format consists of. Writing them is the caller's job (the CLI
 * writes to temporary names and renames, docs/DESIGN.md §2), so this module stays pure. This is
 * `knotnet/export`: ONNX, safetensors, TensorFlow.js layers and the network JSON, as bytes.
 *
 * @module knotnet/export
 */
import { InputError } from '../errors.ts';
import { networkToJson, type NetworkMeta } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { stringifyMetadata, type ExportDtype } from './bytes.ts';
import { toOnnx as encodeOnnx, type OnnxOptions } from './onnx.ts';
import { toSafetensors as encodeSafetensors, type SafetensorsOptions } from './safetensors.ts';
import { checkNetwork, choice, DTYPES, optionsOf, required } from '../validate.ts';
import { TFJS_MODEL_FILE, toTfjsLayers } from './tfjs.ts';

export type { ExportDtype } from './bytes.ts';
export { readOnnxInfo, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, ONNX_OPSET, ONNX_IR_VERSION, type OnnxInfo,
  type OnnxOptions } from './onnx.ts';
export { fromSafetensors, readSafetensors, type SafetensorsFile, type SafetensorsOptions,
  type SafetensorsTensor } from './safetensors.ts';
export { toTfjsLayers, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, type TfjsArtifacts, type TfjsModelJson,
  type TfjsWeightSpec } from './tfjs.ts';

export { buildMilp, toMilp, MILP_MAX_WORK, type Milp, type MilpOptions, type MilpStats } from './milp.ts';
export type { MilpRegion } from './milp-region.ts';

export type ExportFormat = 'onnx' | 'json' | 'safetensors' | 'tfjs';

/**
 * `net` as ONNX bytes (export/onnx.ts), its options checked first: InputError `net`
 * `malformed`, `options` `not-object`, `dtype` `missing` or `not-one-of` (float64, float32),
 * `metadata` `wrong-type` (a record of strings).
 */
export function toOnnx(net: Network, options: OnnxOptions): Uint8Array {
  checkExportOptions(net, options);
  return encodeOnnx(net, options);
}

/** `net` as safetensors bytes (export/safetensors.ts), its options checked first (the codes of toOnnx). */
export function toSafetensors(net: Network, options: SafetensorsOptions): Uint8Array {
  checkExportOptions(net, options);
  return encodeSafetensors(net, options);
}

function checkExportOptions(net: unknown, options: unknown): void {
  checkNetwork(net);
  const o = optionsOf(options, 'options', ['dtype', 'metadata']);
  choice(required(o, 'dtype'), 'dtype', DTYPES);
  const m = o.metadata;
  if (m !== undefined && (typeof m !== 'object' || m === null || Array.isArray(m)
    || !Object.values(m).every((v) => typeof v === 'string'))) {
    throw new InputError('metadata', 'be a record of strings', String(m), { field: 'metadata', code: 'wrong-type' });
  }
}

const BY_EXTENSION: Record<string, ExportFormat> = { '.onnx': 'onnx', '.json': 'json', '.safetensors': 'safetensors' };

/**
 * The format a path names by its extension: .onnx, .json, .safetensors; a path ending in a
 * separator or whose last segment has no extension is a TensorFlow.js model directory.
 * Note that "model.json" therefore means our network JSON, not a tfjs model.json.
 */
export function exportFormatFor(path: string): ExportFormat {
  if (path === '') throw new InputError('--export', 'name a file or directory', path, { field: 'path', code: 'empty' });
  if (/[/\\]$/.test(path)) return 'tfjs';
  const base = path.split(/[/\\]/).pop()!;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return 'tfjs'; // no extension (a leading dot is a hidden name, not an extension)
  const format = BY_EXTENSION[base.slice(dot).toLowerCase()];
  if (!format) throw new InputError('--export',
    'end in .onnx, .json or .safetensors, or name a directory for TensorFlow.js', path, { field: 'path',
    code: 'unknown-format' });
  return format;
}

/**
 * The element type an export stores: `requested` if the format supports it, otherwise the
 * format's default (float32 for TensorFlow.js, which has no float64 layers; float64 for the
 * rest). Asking tfjs for float64 explicitly is bad input.
 */
export function exportDtype(format: ExportFormat, requested?: ExportDtype): ExportDtype {
  if (format === 'tfjs') {
    if (requested === 'float64') throw new InputError('--dtype',
      'be float32 for a TensorFlow.js export (tfjs layers store float32 weights only)', requested, { field: 'dtype',
      code: 'not-float32' });
    return 'float32';
  }
  return requested ?? 'float64';
}

export interface ArtifactFile {
  /**
   * Where the file goes relative to the export path: '' for single-file formats (the export
   * path is the file), 'model.json' / 'weights.bin' inside the directory for tfjs. So the
   * destination is always `path.join(exportPath, relativePath)`.
   */
  relativePath: string;
  bytes: Uint8Array;
}

/** The same network with weights rounded to float32, so the JSON says what a float32 file holds. */
function roundedTo(net: Network, dtype: ExportDtype): Network {
  if (dtype === 'float64') return net;
  return {
    ...net,
    layers: net.layers.map((l) => ({ ...l, weights: Float64Array.from(l.weights, Math.fround),
      bias: Float64Array.from(l.bias, Math.fround) })),
  };
}

/**
 * The network with output names distinct from its input names, so no file names one value
 * twice: an output called like an input becomes `f` when it was `y` (compile's default name
 * beside an input y), else `<name>_out`.
 */
export function distinctOutputNames(net: Network): Network {
  const taken = new Set(net.inputs);
  if (!net.outputs.some((o) => taken.has(o))) return net;
  const outputs = net.outputs.map((o) => {
    if (!taken.has(o)) return o;
    let name = o === 'y' && !taken.has('f') && !net.outputs.includes('f') ? 'f' : `${o}_out`;
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    return name;
  });
  return { ...net, outputs };
}

/**
 * All files of the export of `net` to `path` (format by extension, see exportFormatFor).
 * `meta` (expression, domain, errors) travels as JSON fields, ONNX metadata_props,
 * safetensors __metadata__ or tfjs userDefinedMetadata. Output names are made distinct from
 * input names (distinctOutputNames).
 */
export function buildArtifacts(given: Network, meta: NetworkMeta, path: string,
  requested?: ExportDtype): ArtifactFile[] {
  checkNetwork(given);
  choice(requested, 'dtype', DTYPES);
  const net = distinctOutputNames(given);
  const format = exportFormatFor(path);
  const dtype = exportDtype(format, requested);
  const { dtype: _ignored, ...rest } = meta;
  const encoder = new TextEncoder();
  switch (format) {
    case 'json':
      return [{ relativePath: '',
        bytes: encoder.encode(`${JSON.stringify(networkToJson(roundedTo(net, dtype), { ...rest, dtype }))}\n`) }];
    case 'onnx':
      return [{ relativePath: '', bytes: encodeOnnx(net, { dtype, metadata: stringifyMetadata(rest) }) }];
    case 'safetensors':
      return [{ relativePath: '', bytes: encodeSafetensors(net, { dtype, metadata: stringifyMetadata(rest) }) }];
    case 'tfjs': {
      const a = toTfjsLayers(net, 'float32', rest);
      return [
        { relativePath: TFJS_MODEL_FILE, bytes: encoder.encode(`${JSON.stringify(a.modelJson)}\n`) },
        { relativePath: a.weightsFileName, bytes: a.weightsBin },
      ];
    }
  }
}
