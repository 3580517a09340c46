import type * as tf from '@tensorflow/tfjs';
import { evaluate } from '../net/evaluate.ts';
import { networkSummary, type Network } from '../net/network.ts';
import { askerModel, modelFromNetwork, networkFromModel, reluMlp } from './models.ts';
import { scalingOf, trainFor, type Scaling } from './train.ts';

/** Held-out errors of a network: one evaluator (knotnet's, float64) for every network. */
export function heldOutErrors(net: Network, x: Float64Array, yTrue: Float64Array): { max: number; rms: number; abs: Float64Array } {
  const y = evaluate(net, x);
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
  certified?: number;
  network: Network;
  /** Held-out max and RMS error after each epoch (trained networks). */
  curve: { seconds: number; max: number; rms: number }[];
  abs: Float64Array;
}

export interface CompareInput {
  inputs: string[];
  constructed: { network: Network; seconds: number; certified: number; name: string };
  train: { x: Float64Array; y: Float64Array };
  heldOut: { x: Float64Array; y: Float64Array };
  budgetSeconds: number;
  seed: number;
  onProgress?: (line: string) => void;
}

/**
 * Construction against training on the same samples: the asker's architecture (raw and
 * standardized), a ReLU MLP with our network's widths, and our network fine-tuned. The
 * training budget is shared equally; every network is converted exactly to a knotnet
 * Network and measured on the same held-out samples by the same code.
 */
export async function compareWithTraining(c: CompareInput): Promise<CompareRow[]> {
  const nIn = c.inputs.length;
  const rows: CompareRow[] = [];
  const ours = heldOutErrors(c.constructed.network, c.heldOut.x, c.heldOut.y);
  const s0 = networkSummary(c.constructed.network);
  rows.push({ name: c.constructed.name, ...s0, maxError: ours.max, rmsError: ours.rms, seconds: c.constructed.seconds, kind: 'constructed', certified: c.constructed.certified, network: c.constructed.network, curve: [], abs: ours.abs });
  const scaling = scalingOf(c.train.x, c.train.y, nIn);
  const widths = c.constructed.network.layers.slice(0, -1).map((l) => l.outSize);
  const runs: { name: string; model: () => tf.Sequential; scaling?: Scaling; lr: number }[] = [
    { name: "asker's Keras architecture, raw units", model: () => askerModel(nIn, c.seed), lr: 1e-3 },
    { name: "asker's architecture, standardized", model: () => askerModel(nIn, c.seed), scaling, lr: 1e-3 },
    { name: `ReLU MLP with our widths (${widths.length} layers)`, model: () => reluMlp(nIn, widths, c.seed), scaling, lr: 1e-3 },
    { name: 'our network, fine-tuned (Adam, lr 1e-9)', model: () => modelFromNetwork(c.constructed.network), lr: 1e-9 },
  ];
  const each = c.budgetSeconds / runs.length;
  for (const run of runs) {
    const model = run.model();
    // The starting point (before any epoch) as measured by the same evaluator.
    const start = heldOutErrors(networkFromModel(model, c.inputs, run.scaling), c.heldOut.x, c.heldOut.y);
    const curve: CompareRow['curve'] = [{ seconds: 0, max: start.max, rms: start.rms }];
    let lastCheck = -Infinity;
    const started = performance.now();
    await trainFor(model, c.train.x, c.train.y, nIn, {
      budgetSeconds: each, seed: c.seed, learningRate: run.lr, ...(run.scaling ? { scaling: run.scaling } : {}),
      onEpoch: (p) => {
        if (p.seconds - lastCheck < each / 20) return;
        lastCheck = p.seconds;
        const e = heldOutErrors(networkFromModel(model, c.inputs, run.scaling), c.heldOut.x, c.heldOut.y);
        curve.push({ seconds: p.seconds, max: e.max, rms: e.rms });
        c.onProgress?.(`${run.name}: epoch ${p.epoch}, ${p.seconds.toFixed(0)} s, held-out RMS ${e.rms.toPrecision(3)}`);
      },
    });
    const net = networkFromModel(model, c.inputs, run.scaling);
    const e = heldOutErrors(net, c.heldOut.x, c.heldOut.y);
    const s = networkSummary(net);
    rows.push({ name: run.name, ...s, maxError: e.max, rmsError: e.rms, seconds: (performance.now() - started) / 1000, kind: 'trained', network: net, curve, abs: e.abs });
    model.dispose();
  }
  return rows;
}
