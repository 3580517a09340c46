import { InputError } from '../errors.ts';
import { MAX_READ_PARAMS } from '../net/json.ts';
import { validateNetwork, type Network } from '../net/network.ts';

/** The network read from `source`, checked (validateNetwork); a bad one is an InputError saying `rule`. */
export function validNetwork(net: Network, source: string, rule: string): Network {
  try {
    validateNetwork(net);
  } catch (e) {
    throw new InputError(source, rule, (e as Error).message, { field: 'bytes', code: 'malformed' });
  }
  return net;
}

/** The two element types an export can store. */
export type ExportDtype = 'float64' | 'float32';

export const BYTES_PER_ELEMENT: Record<ExportDtype, number> = { float64: 8, float32: 4 };

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Values as little-endian IEEE bytes. ONNX raw_data, safetensors and TensorFlow.js weight
 * files are all little-endian by specification, so we write through a DataView rather than
 * reinterpreting a typed array, which would follow the host's byte order.
 *
 * float32 rounds to nearest (Math.fround). A finite weight that overflows float32 would
 * silently become ±Infinity in every runtime; that is refused as bad input naming `what`.
 */
export function toLittleEndian(values: ArrayLike<number>, dtype: ExportDtype, what = 'a weight'): Uint8Array {
  const size = BYTES_PER_ELEMENT[dtype];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (dtype === 'float64') {
      view.setFloat64(i * size, v, true);
    } else {
      if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
        throw new InputError('--dtype', `be float64 when ${what} exceeds the float32 range (±${FLOAT32_MAX})`,
          `float32 with ${v}`, { field: 'dtype', code: 'float32-overflow' });
      }
      view.setFloat32(i * size, v, true);
    }
  }
  return out;
}

/** Reads `count` little-endian values starting at `byteOffset` of `bytes`. */
export function fromLittleEndian(bytes: Uint8Array, byteOffset: number, count: number,
  dtype: ExportDtype): Float64Array {
  const size = BYTES_PER_ELEMENT[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * size);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = dtype === 'float64' ? view.getFloat64(i * size,
    true) : view.getFloat32(i * size, true);
  return out;
}

/** `params` when within MAX_READ_PARAMS, the most parameters a model file may hold (refused before widening). */
export function checkParamCount(params: number, source: string): number {
  if (params > MAX_READ_PARAMS) throw new InputError(source, `hold at most ${MAX_READ_PARAMS} parameters`,
    `more than ${MAX_READ_PARAMS}`, { field: 'bytes', code: 'too-large' });
  return params;
}

/** Widest layer (inputs or outputs) a model file may declare: names and arrays are made per unit. */
export const MAX_LAYER_WIDTH = 100_000;

/**
 * A weight matrix's shape read from a file, `[a, b]` (`layout` says which is which), each a
 * whole number from 1 to MAX_LAYER_WIDTH; checked before anything of that size is allocated.
 */
export function checkLayerShape(shape: readonly number[], what: string, layout: string): [number, number] {
  const rule = `be ${layout}, each from 1 to ${MAX_LAYER_WIDTH}`;
  if (shape.length !== 2) throw new InputError(what, rule, JSON.stringify(shape), { field: 'bytes', code: 'malformed' });
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= MAX_LAYER_WIDTH)) {
    throw new InputError(what, rule, JSON.stringify(shape), { field: 'bytes', code: 'too-large' });
  }
  return shape as [number, number];
}

/**
 * `values` (weights read from `what`) when every one is finite: a NaN or infinite weight makes
 * every bound and every measurement meaningless, so a file holding one is refused on read.
 */
export function finiteWeights<T extends ArrayLike<number>>(values: T, what: string): T {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw notFinite(values[i]!, i, what);
  return values;
}

/** As finiteWeights, on `count` little-endian `dtype` values at `byteOffset` of `bytes` (nothing allocated). */
export function checkFiniteLittleEndian(bytes: Uint8Array, byteOffset: number, count: number, dtype: ExportDtype,
  what: string): void {
  const size = BYTES_PER_ELEMENT[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * size);
  for (let i = 0; i < count; i++) {
    const v = dtype === 'float64' ? view.getFloat64(i * size, true) : view.getFloat32(i * size, true);
    if (!Number.isFinite(v)) throw notFinite(v, i, what);
  }
}

const notFinite = (v: number, i: number, what: string) => new InputError(what, 'hold only finite numbers',
  `${v} at index ${i}`, { field: 'bytes', code: 'not-finite' });

/** Concatenates byte chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Row-major outSize × inSize transposed to row-major inSize × outSize (Keras kernel layout). */
export function transposeRows(weights: ArrayLike<number>, outSize: number, inSize: number): Float64Array {
  const t = new Float64Array(outSize * inSize);
  for (let r = 0; r < outSize; r++) for (let c = 0; c < inSize; c++) t[c * outSize + r] = weights[r * inSize + c]!;
  return t;
}

/** Metadata values as strings, for the string→string maps of ONNX and safetensors. */
export function stringifyMetadata(meta: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** JSON.parse that returns `fallback` instead of throwing on malformed text. */
export function parseJsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/**
 * Variable names stored as a JSON list under `key` of a string metadata map (ONNX
 * metadata_props, safetensors __metadata__). Absent: `prefix0`, `prefix1`, … so foreign
 * files still load. Present but wrong: an InputError naming `where` and the key.
 */
export function namesFromMetadata(metadata: Record<string, string>, key: string, width: number, prefix: string,
  where: string): string[] {
  const raw = metadata[key];
  if (raw === undefined) return Array.from({ length: width }, (_, i) => `${prefix}${i}`);
  const names = parseJsonOr(raw, null);
  if (!Array.isArray(names) || names.length !== width || !names.every((n) => typeof n === 'string')) {
    throw new InputError(`${where} "${key}"`, `be a JSON list of ${width} names`, raw,
      { field: 'bytes', code: 'bad-names' });
  }
  return names;
}
