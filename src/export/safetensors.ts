/**
 * Network ⇄ safetensors (https://github.com/huggingface/safetensors, "Format"): an 8-byte
 * little-endian unsigned header length N, N bytes of JSON header, then the tensor bytes.
 * Each header entry is `{dtype, shape, data_offsets: [begin, end]}` with offsets relative to
 * the end of the header; the optional "__metadata__" entry is a string → string map.
 *
 * Tensor names follow a PyTorch `nn.Sequential(Linear, ReLU, Linear, ReLU, …, Linear)`, so
 * `model.load_state_dict(safetensors.torch.load_file(path))` just works: our layer i is
 * Sequential index 2i ("0.weight" [out, in], "0.bias", "2.weight", …). A linear hidden
 * layer would sit before an `nn.Identity` instead of `nn.ReLU`; the activations are kept
 * in metadata "activations" because the file itself only stores parameters.
 */
import { InputError } from '../errors.ts';
import { denseLayer, validateNetwork, type Activation, type Network } from '../net/network.ts';
import { BYTES_PER_ELEMENT, checkLayerShape, checkParamCount, concatBytes, finiteWeights, validNetwork,
  fromLittleEndian, namesFromMetadata, parseJsonOr, toLittleEndian, type ExportDtype } from './bytes.ts';

const SAFETENSORS_DTYPE: Record<ExportDtype, 'F64' | 'F32'> = { float64: 'F64', float32: 'F32' };

/** Options of `toSafetensors`. */
export interface SafetensorsOptions {
  /** Element type the weights are stored in (float32 rounds to nearest). */
  dtype: ExportDtype;
  /** Extra "__metadata__" entries; "inputs", "outputs", "activations" are added as JSON. */
  metadata?: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function toSafetensors(net: Network, options: SafetensorsOptions): Uint8Array {
  validateNetwork(net);
  const { dtype } = options;
  const header: Record<string, HeaderEntry | Record<string, string>> = {
    __metadata__: {
      format: 'pt',
      // knotnet's marker: lets the CLI recognize its own previous output (replaced without --force).
      producer: 'knotnet',
      ...options.metadata,
      inputs: JSON.stringify(net.inputs),
      outputs: JSON.stringify(net.outputs),
      activations: JSON.stringify(net.layers.map((l) => l.activation)),
      dtype,
    },
  };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], values: ArrayLike<number>, what: string): void => {
    const bytes = toLittleEndian(values, dtype, what);
    header[name] = { dtype: SAFETENSORS_DTYPE[dtype], shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  };
  net.layers.forEach((layer, i) => {
    add(`${2 * i}.weight`, [layer.outSize, layer.inSize], layer.weights, `layer ${i}'s weights`);
    add(`${2 * i}.bias`, [layer.outSize], layer.bias, `layer ${i}'s bias`);
  });
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does
  // (lets readers map F64 tensors in place).
  // Padding counts UTF-8 bytes, not characters: metadata may hold non-ASCII text.
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  return concatBytes([prefix, headerBytes, ...chunks]);
}

export interface SafetensorsTensor {
  dtype: ExportDtype;
  shape: number[];
  /** Values widened to float64 (exact for both F32 and F64). */
  data: Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Parses a safetensors buffer holding F32/F64 tensors; malformed input is an InputError. */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors file'): SafetensorsFile {
  if (bytes.length < 8) throw new InputError(source, 'start with an 8-byte header length', `${bytes.length} bytes`,
    { field: 'bytes', code: 'malformed' });
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) throw new InputError(source,
    `have a header length within the file (${bytes.length - 8} bytes)`, n, { field: 'bytes', code: 'malformed' });
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new InputError(`${source} header`, 'be JSON', (e as Error).message, { field: 'bytes', code: 'malformed' });
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new InputError(`${source} header`,
    'be a JSON object', typeof header, { field: 'bytes', code: 'malformed' });
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensor>();
  let params = 0;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new InputError(`${source} __metadata__ "${k}"`, 'be a string',
          JSON.stringify(v), { field: 'bytes', code: 'malformed' });
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as Partial<HeaderEntry>;
    const dtype = e?.dtype === 'F64' ? 'float64' : e?.dtype === 'F32' ? 'float32' : null;
    if (!dtype) throw new InputError(`${source} tensor "${name}" dtype`, 'be F32 or F64', e?.dtype,
      { field: 'bytes', code: 'malformed' });
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new InputError(`${source} tensor "${name}" shape`, 'be a list of non-negative integers',
        JSON.stringify(shape), { field: 'bytes', code: 'malformed' });
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = Array.isArray(e.data_offsets) ? e.data_offsets : [NaN, NaN];
    const expected = count * BYTES_PER_ELEMENT[dtype];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > data.length
      || end - begin !== expected) {
      throw new InputError(`${source} tensor "${name}" data_offsets`,
        `span ${expected} bytes inside the ${data.length}-byte data`, JSON.stringify(e.data_offsets), { field: 'bytes',
        code: 'malformed' });
    }
    params = checkParamCount(params + count, source);
    tensors.set(name, { dtype, shape, data: finiteWeights(fromLittleEndian(data, begin, count, dtype),
      `${source} tensor "${name}"`) });
  }
  return { tensors, metadata };
}

/**
 * Rebuilds the network from an nn.Sequential-style file: every "<k>.weight" [out, in] (in
 * index order) with its "<k>.bias" (zeros if absent, as for `Linear(bias=False)`). Without
 * "activations" metadata, every layer but the last is taken to be followed by a ReLU.
 */
export function fromSafetensors(bytes: Uint8Array, source = 'safetensors file'): Network {
  return networkFromSafetensorsFile(readSafetensors(bytes, source), source);
}

/** fromSafetensors of a file already parsed (readers that also want its metadata parse it once). */
export function networkFromSafetensorsFile({ tensors, metadata }: SafetensorsFile, source: string): Network {
  const indices = [...tensors.keys()]
    .map((k) => /^(\d+)\.weight$/.exec(k)?.[1])
    .filter((k): k is string => k !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (indices.length === 0) throw new InputError(source, 'hold "<index>.weight" tensors of an nn.Sequential',
    [...tensors.keys()].join(', ') || 'no tensors', { field: 'bytes', code: 'malformed' });
  let activations: Activation[] = indices.map((_, i) => (i < indices.length - 1 ? 'relu' : 'linear'));
  if (metadata.activations !== undefined) {
    const parsed = parseJsonOr(metadata.activations, null);
    if (!Array.isArray(parsed) || parsed.length !== indices.length || !parsed.every((a) => a === 'relu'
      || a === 'linear')) {
      throw new InputError(`${source} __metadata__ "activations"`,
        `be a JSON list of ${indices.length} "relu"/"linear"`, metadata.activations, { field: 'bytes',
        code: 'malformed' });
    }
    activations = parsed;
  }
  const layers = indices.map((k, i) => {
    const w = tensors.get(`${k}.weight`)!;
    const [outSize, inSize] = checkLayerShape(w.shape, `${source} tensor "${k}.weight" shape`, '[out, in]');
    const b = tensors.get(`${k}.bias`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== outSize)) {
      throw new InputError(`${source} tensor "${k}.bias" shape`, `be [${outSize}] to match "${k}.weight"`,
        JSON.stringify(b.shape), { field: 'bytes', code: 'malformed' });
    }
    return denseLayer(activations[i]!, inSize, outSize, w.data, b ? b.data : new Float64Array(outSize));
  });
  const net: Network = {
    inputs: namesFromMetadata(metadata, 'inputs', layers[0]!.inSize, 'x', `${source} __metadata__`),
    outputs: namesFromMetadata(metadata, 'outputs', layers[layers.length - 1]!.outSize, 'y', `${source} __metadata__`),
    layers,
  };
  return validNetwork(net, source, 'describe a valid network');
}
