import { InputError } from '../errors.ts';
import { checkNetwork } from '../validate.ts';
import { denseLayer, validateNetwork, type Activation, type Network } from './network.ts';

/** Metadata carried beside the layers in the JSON form (docs/DESIGN.md §3). */
export interface NetworkMeta {
  expr?: string;
  domain?: Record<string, unknown>;
  error?: {
    certifiedMax?: number | null; measuredMax?: number | null; measuredRms?: number | null; [k: string]: unknown;
  };
  dtype?: 'float64' | 'float32';
  [key: string]: unknown;
}

export interface NetworkJson extends NetworkMeta {
  format: 'knotnet.network';
  version: 1;
  inputs: string[];
  outputs: string[];
  layers: { activation: Activation; weights: number[][]; bias: number[] }[];
}

/** The documented JSON form; weights are rows = outputs of the layer, columns = its inputs. */
export function networkToJson(net: Network, meta: NetworkMeta = {}): NetworkJson {
  checkNetwork(net);
  return {
    format: 'knotnet.network',
    version: 1,
    inputs: [...net.inputs],
    outputs: [...net.outputs],
    layers: net.layers.map((l) => {
      const rows: number[][] = [];
      for (let r = 0; r < l.outSize; r++) {
        rows.push(Array.from(l.weights.subarray(r * l.inSize, (r + 1) * l.inSize)));
      }
      return { activation: l.activation, weights: rows, bias: Array.from(l.bias) };
    }),
    dtype: 'float64',
    ...meta,
  };
}

/**
 * Most parameters (weights and biases) a network read from a file may hold, in any format:
 * reading widens them to float64 arrays a few times over (about 0.6 GB at the limit), and
 * knotnet's largest networks (12.4 million parameters, docs/benchmarks.md) stay readable.
 */
export const MAX_READ_PARAMS = 20_000_000;

/** Limits on a network JSON read from a file (checked before any array is built). */
export const MAX_JSON_LAYERS = 10_000;
export const MAX_JSON_PARAMS = MAX_READ_PARAMS;
/** Most arrays (`[`: layer lists, weight rows) a network JSON file may hold: a row per unit. */
export const MAX_JSON_ARRAYS = 1_000_000;

/**
 * Bounds what JSON.parse of a network JSON file would build, on its bytes and before it runs:
 * at most MAX_JSON_ARRAYS `[` and twice MAX_JSON_PARAMS `,` (counted in strings too: an upper
 * bound). A file of tiny rows (`[0],` repeated) would otherwise build millions of arrays.
 */
export function checkJsonTextCost(bytes: Uint8Array, source: string): void {
  let arrays = 0, commas = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x5b) arrays++;
    else if (bytes[i] === 0x2c) commas++;
  }
  if (arrays > MAX_JSON_ARRAYS) throw new InputError(source, `hold at most ${MAX_JSON_ARRAYS} arrays (weight rows)`,
    arrays, { field: 'json', code: 'too-large' });
  if (commas > 2 * MAX_JSON_PARAMS) throw new InputError(source, `hold at most ${MAX_JSON_PARAMS} parameters`,
    `${commas} commas`, { field: 'json', code: 'too-large' });
}

/** Reads the JSON form back; malformed files are input errors naming the field. */
export function networkFromJson(json: unknown, source = 'network JSON'): { net: Network; meta: NetworkMeta } {
  const o = json as Partial<NetworkJson> | null;
  checkHeader(o, source);
  let width = o.inputs.length;
  let params = 0;
  const layers = o.layers.map((l, i) => {
    if (!l || typeof l !== 'object') {
      const rule = 'be an object with activation, weights and bias';
      const got = l === null ? 'null' : typeof l;
      throw new InputError(`${source} layers[${i}]`, rule, got, { field: 'json', code: 'malformed' });
    }
    const rows = l.weights;
    params += Array.isArray(rows) ? rows.length * (width + 1) : 0;
    if (params > MAX_JSON_PARAMS) {
      const rule = `hold at most ${MAX_JSON_PARAMS} parameters`;
      throw new InputError(`${source} "layers"`, rule, `more by layer ${i}`, { field: 'json', code: 'too-large' });
    }
    if (l.activation !== 'relu' && l.activation !== 'linear') {
      const rule = 'be "relu" or "linear"';
      const arg = `${source} layers[${i}].activation`;
      throw new InputError(arg, rule, l.activation, { field: 'json', code: 'malformed' });
    }
    const rowOk = (r: unknown) => Array.isArray(r) && r.length === width && r.every(Number.isFinite);
    if (!Array.isArray(rows) || !rows.every(rowOk)) {
      const rule = `be rows of ${width} finite numbers`;
      const arg = `${source} layers[${i}].weights`;
      throw new InputError(arg, rule, 'a malformed matrix', { field: 'json', code: 'malformed' });
    }
    if (!Array.isArray(l.bias) || l.bias.length !== rows.length || !l.bias.every(Number.isFinite)) {
      const rule = `be ${rows.length} finite numbers`;
      const got = `${Array.isArray(l.bias) ? l.bias.length : typeof l.bias} values`;
      throw new InputError(`${source} layers[${i}].bias`, rule, got, { field: 'json', code: 'malformed' });
    }
    const layer = denseLayer(l.activation, width, rows.length, rows.flat(), l.bias);
    width = rows.length;
    return layer;
  });
  const net: Network = { inputs: o.inputs, outputs: o.outputs, layers };
  try {
    validateNetwork(net);
  } catch (e) {
    const got = (e as Error).message;
    throw new InputError(source, 'describe a valid network', got, { field: 'json', code: 'malformed' });
  }
  const { format: _f, version: _v, inputs: _i, outputs: _o, layers: _l, ...meta } = o as NetworkJson;
  return { net, meta };
}

/** The fields around the layers: format, version, names, and a layer list within MAX_JSON_LAYERS. */
function checkHeader(
  o: Partial<NetworkJson> | null, source: string,
): asserts o is Partial<NetworkJson> & Pick<NetworkJson, 'inputs' | 'outputs' | 'layers'> {
  if (!o || typeof o !== 'object' || o.format !== 'knotnet.network') {
    const got = o && typeof o === 'object' ? o.format : o;
    throw new InputError(`${source} "format"`, 'be "knotnet.network"', got, { field: 'json', code: 'malformed' });
  }
  if (o.version !== 1) {
    throw new InputError(`${source} "version"`, 'be 1', o.version, { field: 'json', code: 'malformed' });
  }
  if (!Array.isArray(o.inputs) || !o.inputs.every((s) => typeof s === 'string')) {
    const got = JSON.stringify(o.inputs);
    throw new InputError(`${source} "inputs"`, 'be a list of names', got, { field: 'json', code: 'malformed' });
  }
  if (!Array.isArray(o.outputs) || !o.outputs.every((s) => typeof s === 'string')) {
    const got = JSON.stringify(o.outputs);
    throw new InputError(`${source} "outputs"`, 'be a list of names', got, { field: 'json', code: 'malformed' });
  }
  if (!Array.isArray(o.layers) || o.layers.length === 0) {
    const got = JSON.stringify(o.layers);
    throw new InputError(`${source} "layers"`, 'be a non-empty list', got, { field: 'json', code: 'malformed' });
  }
  if (o.layers.length > MAX_JSON_LAYERS) {
    const rule = `have at most ${MAX_JSON_LAYERS} layers`;
    throw new InputError(`${source} "layers"`, rule, o.layers.length, { field: 'json', code: 'too-large' });
  }
}
