/**
 * `knotnet compare`'s work, apart from flags and printing: the training and held-out samples,
 * the constructed network, the trained ones (TensorFlow.js, loaded only here) and each one's
 * proven worst case (knotnet certify).
 */
import { approximate } from '../approx/approximate.ts';
import { certifyNetwork, type CertifyResult } from '../certify/certify.ts';
import { compileFormula } from '../compile/compile.ts';
import { sampleBox, sampleShell } from '../compile/sample.ts';
import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { parseFormula } from '../expr/parse.ts';
import type { Network } from '../net/network.ts';
import { rng } from '../random.ts';
import { T3 } from '../reference.ts';
import { initTfjs } from '../runtime/tfjs.ts';
import type { CompareRow } from '../train/compare.ts';
import { regionFromData } from './data.ts';

/** What compare works on: the formula, its region and where the samples come from. */
export interface CompareTask {
  expr: string; inputs: string[]; isT3: boolean;
  vars: Record<string, [number, number]>; ranges: Record<string, [number, number]>;
  n: number; seed: number; data?: { path: string; margin: number };
}

/** The two sample sets (row-major, columns in the formula's variable order) and how they were drawn. */
export interface CompareSamples { trainX: Float64Array; heldX: Float64Array; source: string }

/**
 * --data: its rows shuffled with the seed and cut in two halves (ranges not given taken from
 * them); else two sets drawn separately, uniform in T3's shell or in the box.
 */
export function compareSamples(t: CompareTask): CompareSamples {
  const { inputs, vars, n, seed } = t;
  if (t.data) {
    const data = regionFromData(t.data.path, t.expr, vars, t.ranges, t.data.margin);
    if (data.count < 2) throw new InputError('--data', 'have at least 2 rows (half are held out)', data.count);
    const [trainX, heldX] = splitRows(data.rows, inputs.length, seed);
    return { trainX, heldX, source: `${t.data.path}, split at random` };
  }
  for (const v of inputs) {
    if (!vars[v]) throw new InputError('--var', `give a range for every variable of the expression (missing ${v})`,
      Object.keys(vars).join(', ') || 'none');
  }
  const draw = (s: number) => (t.isT3
    ? sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed: s })
    : sampleBox(inputs.map((v) => vars[v]!), n, s));
  const shape = t.isT3 ? 'uniform in the shell 2.1e7 ≤ |d| ≤ 2.4e7' : 'uniform in the box';
  return { trainX: draw(seed * 2 + 1), heldX: draw(seed * 2 + 2), source: `${shape}, the two sets drawn separately` };
}

/** Rows shuffled with the seed, then cut in two halves: training first, held-out second. */
function splitRows(rows: Float64Array, d: number, seed: number): [Float64Array, Float64Array] {
  const count = rows.length / d;
  const order = Array.from({ length: count }, (_, i) => i);
  const rand = rng(seed);
  for (let i = count - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j]!,
    order[i]!]; }
  const pick = (idx: number[]) => {
    const out = new Float64Array(idx.length * d);
    idx.forEach((r, k) => out.set(rows.subarray(r * d, r * d + d), k * d));
    return out;
  };
  const half = Math.ceil(count / 2);
  return [pick(order.slice(0, half)), pick(order.slice(half))];
}

/** The real formula (expr/accurate.ts) at every row of `x`. */
export function labelRows(f: (...x: number[]) => number, x: Float64Array, d: number): Float64Array {
  return Float64Array.from({ length: x.length / d }, (_, i) => f(...Array.from(x.subarray(i * d, (i + 1) * d))));
}

/** One input: the 1-D construction (optimal knots, minimax); several: the compiler. */
export function construct(t: CompareTask, maxError: number,
  samples: Float64Array): { network: Network; certified: number } {
  const { expr, inputs, vars, ranges } = t;
  if (inputs.length === 1) {
    const r = approximate({ expr, domain: vars[inputs[0]!]!, size: { kind: 'maxError', error: maxError } });
    return { network: r.network, certified: r.certifiedMax };
  }
  const r = compileFormula({ expr, vars, ranges, maxError, samples });
  return { network: r.network, certified: r.certifiedMax };
}

/** What training needs beside the constructed network. */
export interface TrainingRun {
  inputs: string[]; built: { network: Network; certified: number; seconds: number };
  train: { x: Float64Array; y: Float64Array }; heldOut: { x: Float64Array; y: Float64Array };
  budget: number; seed: number; fineLr: number | undefined; log: (line: string) => void;
}

/** The constructed network beside the trained ones, all measured on the held-out samples. */
export async function trainAndMeasure(t: TrainingRun): Promise<{ rows: CompareRow[]; backend: string }> {
  const { compareWithTraining } = await import('../train/compare.ts'); // TensorFlow.js: loaded only here
  const backend = await initTfjs('wasm');
  t.log(`training with TensorFlow.js (${backend} backend), ${t.budget} s of training in all...`);
  const rows = await compareWithTraining({
    inputs: t.inputs, constructed: { network: t.built.network, seconds: t.built.seconds, certified: t.built.certified,
      name: 'knotnet construction' },
    train: t.train, heldOut: t.heldOut, budgetSeconds: t.budget, seed: t.seed, onProgress: t.log,
    ...(t.fineLr ? { fineTuneLearningRate: t.fineLr } : {}),
  });
  return { rows, backend };
}

/** Each network's proven worst case over the region (knotnet certify), or undefined when skipped. */
export function certifyRows(
  nets: Network[], expr: Expr, box: [number, number][], ranges: Record<string, [number, number]>, seconds: number,
  log: (line: string) => void,
): CertifyResult[] | undefined {
  if (seconds <= 0) return undefined;
  const conditions = Object.entries(ranges).map(([text, [lo, hi]]) => ({ expr: parseFormula(text, '--range').expr, lo,
    hi, text }));
  return nets.map((net, i) => {
    log(`certifying network ${i + 1} of ${nets.length} (at most ${seconds} s)...`);
    return certifyNetwork({ net, expr, box, ranges: conditions, timeSeconds: seconds });
  });
}
