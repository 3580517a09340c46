/**
 * TensorFlow.js LayersModel artifacts (model.json + its concatenated weight bytes) → the plain
 * network, read as data (no tfjs runtime): a Sequential (or a functional model whose layers
 * form a chain) of Dense (activation relu or linear), ReLU, LeakyReLU, Activation (relu or
 * linear) and the identity-like InputLayer, Dropout, Flatten. Any other layer or activation
 * (sigmoid, tanh, …) is refused by its name. Weights are float32 as tfjs stores them.
 */
import { InputError } from '../errors.ts';
import { MAX_READ_PARAMS } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { finiteWeights, fromLittleEndian, MAX_LAYER_WIDTH } from './bytes.ts';
import { plainFromSteps, type Step } from './plain.ts';

interface LayerJson { class_name: string; name?: string; config: Record<string, any>; inbound_nodes?: unknown }
interface SpecJson { name: string; shape: number[]; dtype?: string }

const PASS = new Set(['InputLayer', 'Dropout', 'Flatten']);
const LAYERS = ['Dense', 'ReLU', 'LeakyReLU', 'Activation', ...PASS];

/** Most weights (float32 numbers) a TF.js model may declare: as for any model file. */
export const MAX_TFJS_WEIGHTS = MAX_READ_PARAMS;

const malformed = (argument: string, rule: string, value: unknown) => new InputError(argument, rule, value,
  { field: 'bytes', code: 'malformed' });

/**
 * The weightsManifest checked: groups listing paths and float32 weights with shapes of whole
 * numbers, at most MAX_TFJS_WEIGHTS numbers in all. Returns the paths, the specs in order and
 * the bytes they need.
 */
export function tfjsManifest(modelJson: any, source: string): { paths: string[]; specs: SpecJson[]; bytes: number } {
  const groups: unknown = modelJson?.weightsManifest;
  if (!Array.isArray(groups)) throw malformed(`${source} weightsManifest`, 'be a list of {paths, weights}',
    typeof groups);
  const paths: string[] = [], specs: SpecJson[] = [];
  let total = 0;
  for (const g of groups as { paths?: unknown; weights?: unknown }[]) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw malformed(`${source} weightsManifest`,
      'list paths and weights', JSON.stringify(g)?.slice(0, 80));
    paths.push(...(g.paths as string[]));
    for (const w of g.weights as SpecJson[]) {
      if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d)
        && d >= 0) || (w.dtype ?? 'float32') !== 'float32') throw malformed(`${source} weight ${String(w?.name)}`,
        'have a name, a shape of whole numbers and dtype float32', JSON.stringify(w?.shape));
      total += w.shape.reduce((a, d) => a * d, 1);
      if (total > MAX_TFJS_WEIGHTS) throw new InputError(`${source} weightsManifest`,
        `declare at most ${MAX_TFJS_WEIGHTS} weights`, `more by ${w.name}`, { field: 'bytes', code: 'too-large' });
      specs.push(w);
    }
  }
  return { paths, specs, bytes: 4 * total };
}

/** The layers of a Sequential, or of a Functional model whose layers form a chain in list order. */
function layersOf(topology: any, source: string): LayerJson[] {
  const t = topology?.model_config ?? topology;
  const config = t?.config;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers)) throw malformed(`${source} modelTopology`,
    'list its layers (a Sequential or chain model)', typeof layers);
  if (layers.length === 0) throw malformed(`${source} modelTopology`, 'list at least one layer', 'none');
  if (!layers.every((l) => l && typeof l === 'object' && typeof l.class_name === 'string')) throw malformed(
    `${source} modelTopology layers`, 'be objects with a class_name', JSON.stringify(layers).slice(0, 80));
  if (t?.class_name === 'Sequential') return layers as LayerJson[];
  if (t?.class_name !== 'Model' && t?.class_name !== 'Functional') throw new InputError(`${source} modelTopology`,
    'be a Sequential or Functional (Model) model', t?.class_name, { field: 'bytes', code: 'unsupported' });
  checkChain(layers as LayerJson[], config, source);
  return layers as LayerJson[];
}

/** A Functional model's layers: each one's single inbound node the layer before it; one input, one output. */
function checkChain(layers: LayerJson[], config: any, source: string): void {
  const one = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : undefined);
  const inbound = (l: LayerJson): unknown => { const node = one(one(l.inbound_nodes)); return Array.isArray(node)
    ? node[0] : undefined; };
  layers.forEach((l, i) => {
    const ok = i === 0 ? Array.isArray(l.inbound_nodes) && l.inbound_nodes.length === 0
      : inbound(l) === layers[i - 1]!.name;
    if (!ok) throw new InputError(`${source} layer "${l.name ?? l.config?.name ?? l.class_name}"`,
      i === 0 ? 'be the input layer of a chain' : `take its input from the layer before it ("${layers[i - 1]!.name}")`,
      JSON.stringify(l.inbound_nodes)?.slice(0, 80) ?? 'no inbound_nodes', { field: 'bytes', code: 'unsupported' });
  });
  const out = one(config?.output_layers);
  if (!Array.isArray(one(config?.input_layers)) || !Array.isArray(out) || out[0] !== layers[layers.length - 1]!.name) {
    throw new InputError(`${source} modelTopology`, 'have one input layer and the last layer as its one output',
      JSON.stringify(config?.output_layers)?.slice(0, 80), { field: 'bytes', code: 'unsupported' });
  }
}

/** The first layer's [null, n] input shape: n, a whole number from 1 to MAX_LAYER_WIDTH. */
function inputWidth(first: LayerJson, source: string): number {
  const shape = first.config?.batch_input_shape ?? first.config?.batchInputShape;
  const n = Array.isArray(shape) && shape.length === 2 ? shape[1] : undefined;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LAYER_WIDTH) {
    const [what, rule] = [`${source} layer "${first.config?.name ?? first.class_name}" batch_input_shape`,
      `be [null, n] with n from 1 to ${MAX_LAYER_WIDTH}`];
    if (shape === undefined) throw new InputError(what, rule, 'missing', { field: 'bytes', code: 'malformed' });
    throw new InputError(what, rule, JSON.stringify(shape), { field: 'bytes', code: 'too-large' });
  }
  return n;
}

/** The manifest spec of `layer`'s weight `part` (exact name, or a name ending in it as converters prefix them). */
function findSpec(specs: SpecJson[], layer: string, part: string): SpecJson | undefined {
  return specs.find((s) => s.name === `${layer}/${part}`) ?? specs.find((s) => s.name.endsWith(`${layer}/${part}`));
}

/**
 * A TF.js model.json checked before any weight is read or allocated: a Sequential (or a
 * Functional chain) of supported layers, at least one; the first layer's input shape
 * [null, n]; every Dense layer's units a whole number up to MAX_LAYER_WIDTH, its kernel
 * [in, units] and bias [units] in the manifest, and no manifest weight that no layer uses.
 * Returns the layers; every fault is an InputError naming the layer.
 */
export function checkTfjsTopology(modelJson: any, source: string): LayerJson[] {
  const { specs } = tfjsManifest(modelJson, source);
  const layers = layersOf(modelJson?.modelTopology, source);
  let width = inputWidth(layers[0]!, source);
  let used = 0;
  for (const l of layers) {
    if (!LAYERS.includes(l.class_name)) throw new InputError(`${source} layer`, `be one of ${LAYERS.join(', ')}`,
      l.class_name, { field: 'bytes', code: 'unsupported' });
    if (l.class_name !== 'Dense') continue;
    const cfg = l.config ?? {};
    const what = `${source} layer "${cfg.name ?? l.class_name}"`;
    const units: unknown = cfg.units;
    if (!Number.isSafeInteger(units) || (units as number) < 1 || (units as number) > MAX_LAYER_WIDTH) {
      throw new InputError(`${what} units`, `be a whole number from 1 to ${MAX_LAYER_WIDTH}`, units,
        { field: 'bytes', code: 'too-large' });
    }
    const expect = (part: string, shape: number[]) => {
      const spec = findSpec(specs, cfg.name, part);
      if (!spec || spec.shape.join() !== shape.join()) throw malformed(`${what} ${part}`,
        `be in the weights manifest with shape [${shape.join(', ')}]`, spec ? JSON.stringify(spec.shape) : 'missing');
      used++;
    };
    expect('kernel', [width, units as number]);
    if (cfg.use_bias !== false) expect('bias', [units as number]);
    width = units as number;
  }
  if (used !== specs.length) throw malformed(`${source} weightsManifest`,
    `list only the ${used} weights of its Dense layers`, `${specs.length} weights`);
  return layers;
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
    const count = s.shape.reduce((a, b) => a * b, 1);
    if (at + 4 * count > bytes.length) throw malformed(`${source} weights`,
      `hold the ${specs.length} tensors the manifest lists`, `${bytes.length} bytes`);
    out.set(s.name, finiteWeights(fromLittleEndian(bytes, at, count, 'float32'), `${source} weight "${s.name}"`));
    at += 4 * count;
  }
  return out;
}

/** Weight `part` of `layer`, found as findSpec finds its spec. */
function find(weights: Map<string, Float64Array>, layer: string, part: string): Float64Array | undefined {
  const spec = findSpec([...weights.keys()].map((name) => ({ name, shape: [] })), layer, part);
  return spec && weights.get(spec.name);
}

/**
 * The plain network of a TF.js model.json and its weight bytes (the manifest's files
 * concatenated in order), checked first by checkTfjsTopology; NaN or infinite weights are refused.
 */
export function networkFromTfjs(modelJson: any, weightBytes: Uint8Array, source = 'TensorFlow.js model'): Network {
  const layers = checkTfjsTopology(modelJson, source);
  const weights = weightsByName(tfjsManifest(modelJson, source).specs, weightBytes, source);
  const steps: Step[] = [];
  const width = inputWidth(layers[0]!, source);
  for (const l of layers) {
    const cfg = l.config ?? {};
    const what = `${source} layer "${cfg.name ?? l.class_name}"`;
    if (l.class_name === 'Dense') {
      // checkTfjsTopology found the kernel [in, units] (Keras's layout) and the bias [units].
      const kernel = find(weights, cfg.name, 'kernel')!;
      const units: number = cfg.units;
      const inSize = kernel.length / units;
      const w = new Float64Array(units * inSize);
      for (let r = 0; r < units; r++) for (let c = 0; c < inSize; c++) w[r * inSize + c] = kernel[c * units + r]!;
      const bias = cfg.use_bias === false ? new Float64Array(units) : find(weights, cfg.name, 'bias')!;
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
  if (width !== net.inputs.length) throw new InputError(source,
    `take ${width} inputs as its input shape says`, net.inputs.length, { field: 'bytes', code: 'malformed' });
  const inputs = names(meta.inputs), outputs = names(meta.outputs);
  return { ...net, inputs: inputs?.length === net.inputs.length ? inputs : net.inputs,
    outputs: outputs?.length === net.outputs.length ? outputs : net.outputs };
}
