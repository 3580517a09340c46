import type * as Tf from '@tensorflow/tfjs';
import { tfjs } from './tf.ts';
import { rng } from '../random.ts';
import type { TfjsSequential } from './tfjs-types.ts';

/** Per-feature mean and standard deviation (for optional standardization). */
export interface Scaling { mu: number[]; sigma: number[]; yMu: number; ySigma: number }

export function scalingOf(x: Float64Array, y: Float64Array, nIn: number): Scaling {
  const n = y.length;
  const mu = Array.from({ length: nIn }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += x[i * nIn
    + j]!; return s / n; });
  const sigma = mu.map((m, j) => { let s = 0; for (let i = 0; i < n; i++) s += (x[i * nIn
    + j]! - m) ** 2; return Math.sqrt(s / n) || 1; });
  let yMu = 0; for (const v of y) yMu += v; yMu /= n;
  let yS = 0; for (const v of y) yS += (v - yMu) ** 2;
  return { mu, sigma, yMu, ySigma: Math.sqrt(yS / n) || 1 };
}

export interface TrainPoint { seconds: number; epoch: number; loss: number }

/**
 * Trains with Adam on MSE in chunks of one epoch until `budgetSeconds` of training is spent
 * (the last epoch may overrun it by its own length; time spent in `onEpoch` is not counted),
 * shuffling with a seeded order. Returns the loss history, in the units of `y` (MSE).
 * `scaling`, when given, standardizes inputs and outputs for training.
 */
export async function trainFor(
  model: TfjsSequential, x: Float64Array, y: Float64Array, nIn: number,
  o: { budgetSeconds: number; seed: number; learningRate?: number; batchSize?: number; scaling?: Scaling; onEpoch?: (
    p: TrainPoint) => void },
): Promise<TrainPoint[]> {
  const tf = tfjs();
  const sequential = model as Tf.Sequential; // a tf.Sequential from askerModel, reluMlp or modelFromNetwork
  const n = y.length;
  const xs = new Float32Array(x.length);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nIn; j++) xs[i * nIn + j] = o.scaling ? (x[i * nIn
      + j]! - o.scaling.mu[j]!) / o.scaling.sigma[j]! : x[i * nIn + j]!;
    ys[i] = o.scaling ? (y[i]! - o.scaling.yMu) / o.scaling.ySigma : y[i]!;
  }
  sequential.compile({ optimizer: tf.train.adam(o.learningRate ?? 1e-3), loss: 'meanSquaredError' });
  const rand = rng(o.seed);
  const history: TrainPoint[] = [];
  let spent = 0;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 1; ; epoch++) {
    const started = performance.now();
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j]!,
      order[i]!]; }
    const xb = new Float32Array(x.length);
    const yb = new Float32Array(n);
    order.forEach((src, k) => { yb[k] = ys[src]!; for (let j = 0; j < nIn; j++) xb[k * nIn + j] = xs[src * nIn
      + j]!; });
    const tx = tf.tensor2d(xb, [n, nIn]);
    const ty = tf.tensor2d(yb, [n, 1]);
    const h = await sequential.fit(tx, ty, { epochs: 1, batchSize: o.batchSize ?? 64, shuffle: false, verbose: 0 });
    tx.dispose();
    ty.dispose();
    const loss = Number(h.history.loss![0]) * (o.scaling ? o.scaling.ySigma ** 2 : 1);
    spent += (performance.now() - started) / 1000;
    const p = { seconds: spent, epoch, loss };
    history.push(p);
    o.onEpoch?.(p);
    if (p.seconds >= o.budgetSeconds || !Number.isFinite(loss)) break;
  }
  return history;
}
