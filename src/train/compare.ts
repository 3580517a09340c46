import type * as Tf from '@tensorflow/tfjs';
import { tfjs } from './tf.ts';
import { evaluate } from '../net/evaluate.ts';
import { networkSummary, type Network } from '../net/network.ts';
import { askerModel, modelFromNetwork, networkFromModel, reluMlp } from './models.ts';
import { scalingOf, trainFor, type Scaling } from './train.ts';
import type { TfjsSequential } from './tfjs-types.ts';

/**
 * Held-out errors of a network: one evaluator for every network, constructed or trained —
 * knotnet's float64 `evaluate` on the plain ReLU Network form (trained models are converted
 * exactly, their float32 weights widened to float64).
 */
export function heldOutErrors(
  net: Network, x: Float64Array, yTrue: Float64Array,
): { max: number; rms: number; abs: Float64Array } {
  return errorsOf(evaluate(net, x), yTrue);
}

/** |y − yTrue| per sample, its max and its RMS. */
function errorsOf(y: ArrayLike<number>, yTrue: Float64Array): { max: number; rms: number; abs: Float64Array } {
  const abs = Float64Array.from(yTrue, (t, i) => Math.abs(t - y[i]!));
  let max = 0;
  let sq = 0;
  for (const e of abs) { max = Math.max(max, e); sq += e * e; }
  return { max, rms: Math.sqrt(sq / abs.length), abs };
}

export interface CompareRow {
  name: string;
  relus: number;
  layers: number;
  params: number;
  maxError: number;
  rmsError: number;
  /** Seconds to build (construction) or train. */
  seconds: number;
  kind: 'constructed' | 'trained';
  /** Trained rows: from a random start, or from the constructed network (fine-tuning). */
  init?: 'random' | 'constructed';
  certified?: number;
  /**
   * Fine-tuning only: held-out error as TensorFlow.js itself computes the network (float32
   * forward pass), before and after — what the training loss sees. Not the common evaluator.
   */
  runtimeFloat32?: { before: { max: number; rms: number }; after: { max: number; rms: number } };
  network: Network;
  /** Held-out max and RMS error from the start (seconds 0) through training. */
  curve: { seconds: number; max: number; rms: number }[];
  abs: Float64Array;
}

/** Options of `compareWithTraining`: the constructed network and the samples to train and measure on. */
export interface CompareInput {
  /** Input names, in the column order of the sample rows. */
  inputs: string[];
  /** The constructed network, its build time, its certified max error and its row's name. */
  constructed: { network: Network; seconds: number; certified: number; name: string };
  /** Training samples: row-major x (rows × inputs) and the exact y. */
  train: { x: Float64Array; y: Float64Array };
  /** Held-out samples every network is measured on (same layout as `train`). */
  heldOut: { x: Float64Array; y: Float64Array };
  /** Training time shared equally by the trained networks. */
  budgetSeconds: number;
  /** Seed of shuffling and initializations. */
  seed: number;
  /** Adam's learning rate for fine-tuning the constructed network (default: `fineTuneRate`). */
  fineTuneLearningRate?: number;
  /** Called with one line per finished training run (progress for long comparisons). */
  onProgress?: (line: string) => void;
}

/** Most ReLUs and hidden layers of the same-size MLP (training time grows with both). */
export const MLP_CAP = { relus: 2048, layers: 24 };

/**
 * Hidden widths for "an MLP with our ReLUs and depth": the same depth and total ReLUs spread
 * evenly (a constructed network's narrow layers would starve a random start), capped at
 * MLP_CAP. `capped` says whether the cap cut it down.
 */
export function sameSizeWidths(relus: number, layers: number): { widths: number[]; capped: boolean } {
  const depth = Math.max(1, Math.min(layers, MLP_CAP.layers));
  const total = Math.min(relus, MLP_CAP.relus);
  const base = Math.max(1, Math.floor(total / depth));
  const widths = Array.from({ length: depth }, (_, i) => base + (i < total - base * depth ? 1 : 0));
  return { widths, capped: depth < layers || total < relus };
}

/**
 * Adam moves every weight by up to about its learning rate per step, whatever the weight's
 * size; 1e-3 of the smallest nonzero |weight| keeps every step below a thousandth of any
 * weight — a fair chance to polish rather than overwrite. Rounded down to one significant digit.
 */
export function fineTuneRate(net: Network): number {
  let min = Infinity;
  for (const l of net.layers) for (const w of l.weights) if (w !== 0) min = Math.min(min, Math.abs(w));
  const r = 1e-3 * (Number.isFinite(min) ? min : 1);
  const p = 10 ** Math.floor(Math.log10(r));
  return Math.floor(r / p) * p;
}

/**
 * Construction against training on the same samples: the asker's architecture (raw and
 * standardized), a ReLU MLP with our network's ReLUs and depth, and our network fine-tuned.
 * Every network is converted exactly to a knotnet Network and measured on the same held-out
 * samples by `heldOutErrors`.
 */
export async function compareWithTraining(c: CompareInput): Promise<CompareRow[]> {
  const nIn = c.inputs.length;
  const ours = heldOutErrors(c.constructed.network, c.heldOut.x, c.heldOut.y);
  const s0 = networkSummary(c.constructed.network);
  const rows: CompareRow[] = [{ name: c.constructed.name, ...s0, maxError: ours.max, rmsError: ours.rms,
    seconds: c.constructed.seconds, kind: 'constructed', certified: c.constructed.certified,
      network: c.constructed.network, curve: [], abs: ours.abs }];
  const scaling = scalingOf(c.train.x, c.train.y, nIn);
  const mlp = sameSizeWidths(s0.relus, s0.layers);
  const mlpName = `ReLU MLP, ${mlp.capped ? 'capped ReLUs/depth' : 'our ReLUs and depth'}, standardized`;
  const lrFine = c.fineTuneLearningRate ?? fineTuneRate(c.constructed.network);
  const runs: Run[] = [
    { name: "asker's architecture, raw units", model: () => askerModel(nIn, c.seed), lr: 1e-3, init: 'random' },
    { name: "asker's architecture, standardized", model: () => askerModel(nIn, c.seed), scaling, lr: 1e-3,
      init: 'random' },
    { name: mlpName, model: () => reluMlp(nIn, mlp.widths, c.seed), scaling, lr: 1e-3, init: 'random' },
    { name: `our network fine-tuned (Adam, lr ${lrFine.toExponential(0)})`,
      model: () => modelFromNetwork(c.constructed.network), lr: lrFine, init: 'constructed' },
  ];
  const each = c.budgetSeconds / runs.length;
  for (const run of runs) rows.push(await trainOne(c, run, each));
  return rows;
}

interface Run { name: string; model: () => TfjsSequential; scaling?: Scaling; lr: number;
  init: 'random' | 'constructed' }

/**
 * Held-out error of a tfjs model as TensorFlow.js computes it (float32 throughout), for the
 * fine-tuning row only: it shows what the training loss sees, beside the common evaluator.
 */
export function runtimeErrors(
  model: TfjsSequential, x: Float64Array, yTrue: Float64Array,
): { max: number; rms: number } {
  const tf = tfjs();
  const n = yTrue.length;
  const y = tf.tidy(() => (model.predict(tf.tensor2d(Float32Array.from(x), [n,
    x.length / n])) as Tf.Tensor).dataSync());
  const { max, rms } = errorsOf(y, yTrue);
  return { max, rms };
}

async function trainOne(c: CompareInput, run: Run, seconds: number): Promise<CompareRow> {
  const nIn = c.inputs.length;
  const model = run.model();
  const runtimeBefore = run.init === 'constructed' ? runtimeErrors(model, c.heldOut.x, c.heldOut.y) : undefined;
  const measure = () => heldOutErrors(networkFromModel(model, c.inputs, run.scaling), c.heldOut.x, c.heldOut.y);
  const start = measure();
  const curve: CompareRow['curve'] = [{ seconds: 0, max: start.max, rms: start.rms }];
  c.onProgress?.(`${run.name}: start, held-out max ${start.max.toPrecision(3)}, RMS ${start.rms.toPrecision(3)}`);
  // Held-out checks cost time of their own: about 20 per run, not counted as training.
  let trained = 0;
  let lastCheck = -Infinity;
  await trainFor(model, c.train.x, c.train.y, nIn, {
    budgetSeconds: seconds, seed: c.seed, learningRate: run.lr, ...(run.scaling ? { scaling: run.scaling } : {}),
    onEpoch: (p) => {
      trained = p.seconds;
      if (p.seconds - lastCheck < seconds / 20) return;
      lastCheck = p.seconds;
      const e = measure();
      curve.push({ seconds: p.seconds, max: e.max, rms: e.rms });
      c.onProgress?.(`${run.name}: epoch ${p.epoch}, ${p.seconds.toFixed(1)} s, held-out ` +
        `max ${e.max.toPrecision(3)}, RMS ${e.rms.toPrecision(3)}`);
    },
  });
  const net = networkFromModel(model, c.inputs, run.scaling);
  const runtimeFloat32 = runtimeBefore ? { before: runtimeBefore, after: runtimeErrors(model, c.heldOut.x,
    c.heldOut.y) } : undefined;
  model.dispose();
  const e = heldOutErrors(net, c.heldOut.x, c.heldOut.y);
  if (curve[curve.length - 1]!.seconds < trained) curve.push({ seconds: trained, max: e.max, rms: e.rms });
  return { name: run.name, ...networkSummary(net), maxError: e.max, rmsError: e.rms, seconds: trained, kind: 'trained',
    init: run.init, network: net, curve, abs: e.abs, ...(runtimeFloat32 ? { runtimeFloat32 } : {}) };
}
