/**
 * TensorFlow.js LayersModel artifacts (model.json + its concatenated weight bytes) → the plain
 * network, read as data (no tfjs runtime): a Sequential (or a functional model whose layers
 * form a chain) of Dense (activation relu or linear), ReLU, LeakyReLU, Activation (relu or
 * linear) and the identity-like InputLayer, Dropout, Flatten. Any other layer or activation
 * (sigmoid, tanh, …) is refused by its name. Weights are float32 as tfjs stores them.
 */
import { InputError } from '../errors.ts';
import type { Network } from '../net/network.ts';
import { fromLittleEndian } from './bytes.ts';
import { plainFromSteps, type Step } from './plain.ts';

interface LayerJson { class_name: string; config: Record<string, any> }
interface SpecJson { name: string; shape: number[]; dtype?: string }

const PASS = new Set(['InputLayer', 'Dropout', 'Flatten']);
const LAYERS = ['Dense', 'ReLU', 'LeakyReLU', 'Activation', ...PASS];

function layersOf(topology: any, source: string): LayerJson[] {
  const t = topology?.model_config ?? topology;
  const config = t?.config;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers)) throw new InputError(`${source} modelTopology`,
    'list its layers (a Sequential or chain model)', typeof layers, { field: 'bytes', code: 'malformed' });
  return layers as LayerJson[];
}

function activation(name: unknown, what: string): Step | null {
  if (name === undefined || name === null || name === 'linear') return null;
  if (name === 'relu') return { kind: 'relu' };
  throw new InputError(`${what} activation`, 'be relu or linear (knotnet certifies ReLU networks)', name,
    { field: 'bytes', code: 'unsupported' });
}

/** Weight values by name: the manifest's specs in order over the concatenated bytes. */
function weightsByName(specs: SpecJson[], bytes: Uint8Array, source: string): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  let at = 0;
  for (const s of specs) {
    if ((s.dtype ?? 'float32') !== 'float32') throw new InputError(`${source} weight "${s.name}" dtype`, 'be float32',
      s.dtype, { field: 'bytes', code: 'malformed' });
    const count = s.shape.reduce((a, b) => a * b, 1);
    if (at + 4 * count > bytes.length) throw new InputError(`${source} weights`,
      `hold the ${specs.length} tensors the manifest lists`, `${bytes.length} bytes`, { field: 'bytes',
      code: 'malformed' });
    out.set(s.name, fromLittleEndian(bytes, at, count, 'float32'));
    at += 4 * count;
  }
  return out;
}

function find(weights: Map<string, Float64Array>, layer: string, part: string): Float64Array | undefined {
  const exact = weights.get(`${layer}/${part}`);
  if (exact) return exact;
  for (const [k, v] of weights) if (k.endsWith(`${layer}/${part}`)) return v;
  return undefined;
}

export function networkFromTfjs(modelJson: any, weightBytes: Uint8Array, source = 'TensorFlow.js model'): Network {
  const specs: SpecJson[] = (modelJson?.weightsManifest ?? []).flatMap((g: { weights: SpecJson[] }) => g.weights ?? []);
  const weights = weightsByName(specs, weightBytes, source);
  const steps: Step[] = [];
  let width = -1;
  for (const l of layersOf(modelJson?.modelTopology, source)) {
    const cfg = l.config ?? {};
    const what = `${source} layer "${cfg.name ?? l.class_name}"`;
    if (!LAYERS.includes(l.class_name)) throw new InputError(`${source} layer`, `be one of ${LAYERS.join(', ')}`,
      l.class_name, { field: 'bytes', code: 'unsupported' });
    const shape = cfg.batch_input_shape ?? cfg.batchInputShape;
    if (Array.isArray(shape) && width < 0) width = Number(shape[shape.length - 1]);
    if (l.class_name === 'Dense') {
      const kernel = find(weights, cfg.name, 'kernel');
      const units = Number(cfg.units);
      if (!kernel || !(units > 0) || kernel.length % units !== 0) throw new InputError(`${what} kernel`,
        `be in the weights with ${units} columns`, kernel ? kernel.length : 'missing', { field: 'bytes',
        code: 'malformed' });
      const inSize = kernel.length / units;
      const w = new Float64Array(units * inSize);
      // Keras [in, out]
      for (let r = 0; r < units; r++) for (let c = 0; c < inSize; c++) w[r * inSize + c] = kernel[c * units + r]!;
      const bias = cfg.use_bias === false ? new Float64Array(units) : find(weights, cfg.name, 'bias');
      if (!bias || bias.length !== units) throw new InputError(`${what} bias`, `have ${units} values`,
        bias ? bias.length : 'missing', { field: 'bytes', code: 'malformed' });
      steps.push({ kind: 'dense', weights: w, bias: Float64Array.from(bias), inSize, outSize: units });
      const act = activation(cfg.activation, what);
      if (act) steps.push(act);
    } else if (l.class_name === 'ReLU') {
      if (cfg.max_value != null || (cfg.negative_slope ?? 0) !== 0 || (cfg.threshold
        ?? 0) !== 0) throw new InputError(what, 'be a plain ReLU (no max_value, threshold or slope)',
          JSON.stringify(cfg), { field: 'bytes', code: 'unsupported' });
      steps.push({ kind: 'relu' });
    } else if (l.class_name === 'LeakyReLU') {
      steps.push({ kind: 'leaky', alpha: Math.fround(Number(cfg.alpha ?? 0.3)) });
    } else if (l.class_name === 'Activation') {
      const act = activation(cfg.activation, what);
      if (act) steps.push(act);
    }
  }
  const meta = modelJson?.userDefinedMetadata ?? {};
  const names = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : null);
  const net = plainFromSteps(steps, null, null, source);
  if (width > 0 && width !== net.inputs.length) throw new InputError(source,
    `take ${width} inputs as its input shape says`, net.inputs.length, { field: 'bytes', code: 'malformed' });
  const inputs = names(meta.inputs), outputs = names(meta.outputs);
  return { ...net, inputs: inputs?.length === net.inputs.length ? inputs : net.inputs,
    outputs: outputs?.length === net.outputs.length ? outputs : net.outputs };
}
