import { InputError } from '../errors.ts';
import { denseLayer, validateNetwork, type Activation, type Network } from './network.ts';

/** Metadata carried beside the layers in the JSON form (shared/DESIGN.md §3). */
export interface NetworkMeta {
  expr?: string;
  domain?: Record<string, unknown>;
  error?: { certifiedMax?: number | null; measuredMax?: number | null; measuredRms?: number | null; [k: string]: unknown };
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
  return {
    format: 'knotnet.network',
    version: 1,
    inputs: [...net.inputs],
    outputs: [...net.outputs],
    layers: net.layers.map((l) => {
      const rows: number[][] = [];
      for (let r = 0; r < l.outSize; r++) rows.push(Array.from(l.weights.subarray(r * l.inSize, (r + 1) * l.inSize)));
      return { activation: l.activation, weights: rows, bias: Array.from(l.bias) };
    }),
    dtype: 'float64',
    ...meta,
  };
}

/** Limits on a network JSON read from a file (checked before any array is built). */
export const MAX_JSON_LAYERS = 10_000;
export const MAX_JSON_PARAMS = 50_000_000;

/** Reads the JSON form back; malformed files are input errors naming the field. */
export function networkFromJson(json: unknown, source = 'network JSON'): { net: Network; meta: NetworkMeta } {
  const o = json as Partial<NetworkJson> | null;
  if (!o || typeof o !== 'object' || o.format !== 'knotnet.network') {
    throw new InputError(`${source} "format"`, 'be "knotnet.network"', o && typeof o === 'object' ? o.format : o, { field: 'json', code: 'malformed' });
  }
  if (o.version !== 1) throw new InputError(`${source} "version"`, 'be 1', o.version, { field: 'json', code: 'malformed' });
  if (!Array.isArray(o.inputs) || !o.inputs.every((s) => typeof s === 'string')) {
    throw new InputError(`${source} "inputs"`, 'be a list of names', JSON.stringify(o.inputs), { field: 'json', code: 'malformed' });
  }
  if (!Array.isArray(o.outputs) || !o.outputs.every((s) => typeof s === 'string')) {
    throw new InputError(`${source} "outputs"`, 'be a list of names', JSON.stringify(o.outputs), { field: 'json', code: 'malformed' });
  }
  if (!Array.isArray(o.layers) || o.layers.length === 0) {
    throw new InputError(`${source} "layers"`, 'be a non-empty list', JSON.stringify(o.layers), { field: 'json', code: 'malformed' });
  }
  if (o.layers.length > MAX_JSON_LAYERS) throw new InputError(`${source} "layers"`, `have at most ${MAX_JSON_LAYERS} layers`, o.layers.length, { field: 'json', code: 'too-large' });
  let width = o.inputs.length;
  let params = 0;
  const layers = o.layers.map((l, i) => {
    if (!l || typeof l !== 'object') throw new InputError(`${source} layers[${i}]`, 'be an object with activation, weights and bias', l === null ? 'null' : typeof l, { field: 'json', code: 'malformed' });
    const rows = l.weights;
    params += Array.isArray(rows) ? rows.length * (width + 1) : 0;
    if (params > MAX_JSON_PARAMS) throw new InputError(`${source} "layers"`, `hold at most ${MAX_JSON_PARAMS} parameters`, `more by layer ${i}`, { field: 'json', code: 'too-large' });
    if (l.activation !== 'relu' && l.activation !== 'linear') {
      throw new InputError(`${source} layers[${i}].activation`, 'be "relu" or "linear"', l.activation, { field: 'json', code: 'malformed' });
    }
    if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length === width && r.every(Number.isFinite))) {
      throw new InputError(`${source} layers[${i}].weights`, `be rows of ${width} finite numbers`, 'a malformed matrix', { field: 'json', code: 'malformed' });
    }
    if (!Array.isArray(l.bias) || l.bias.length !== rows.length || !l.bias.every(Number.isFinite)) {
      throw new InputError(`${source} layers[${i}].bias`, `be ${rows.length} finite numbers`, `${Array.isArray(l.bias) ? l.bias.length : typeof l.bias} values`, { field: 'json', code: 'malformed' });
    }
    const layer = denseLayer(l.activation, width, rows.length, rows.flat(), l.bias);
    width = rows.length;
    return layer;
  });
  const net: Network = { inputs: o.inputs, outputs: o.outputs, layers };
  try {
    validateNetwork(net);
  } catch (e) {
    throw new InputError(source, 'describe a valid network', (e as Error).message, { field: 'json', code: 'malformed' });
  }
  const { format: _f, version: _v, inputs: _i, outputs: _o, layers: _l, ...meta } = o as NetworkJson;
  return { net, meta };
}
