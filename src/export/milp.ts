/**
 * A ReLU network as mixed-integer linear constraints in the CPLEX LP format (read by HiGHS,
 * Gurobi, CPLEX, SCIP and CBC), to embed a formula's certified surrogate in an optimization
 * model. Formulation: big-M (Fischetti & Jo, "Deep neural networks and mixed integer linear
 * optimization", Constraints 2018; Tjeng, Xiao & Tedrake, "Evaluating Robustness of Neural
 * Networks with Mixed Integer Programming", ICLR 2019). A unit h = relu(z) whose pre-activation
 * z = w·x + b may take either sign on the region gets one binary o (1 when the unit is off):
 *
 *     h ≥ z,   h ≥ 0,   h ≤ z − l·o,   h ≤ u·(1 − o)
 *
 * with [l, u] ∋ z proven over the region by certify/network-bounds.ts (intervals, tightened by
 * back-substitution; sound for exact arithmetic). Written with o = "off" rather than "on" so
 * every coefficient and right-hand side is a weight, bias or bound itself: no number is
 * computed, so the file states the network exactly. A unit proven on (l ≥ 0) is h = z, one
 * proven off (u ≤ 0) is 0 and left out. Every number is the shortest decimal that reads back
 * as its double (ECMAScript Number-to-String), so the constraints are the network's exact
 * real-arithmetic function, and knotnet's certificates (bounds of the exact-arithmetic network
 * plus its rounding) hold for it.
 */
import { networkBounds } from '../certify/network-bounds.ts';
import { InputError } from '../errors.ts';
import type { NetworkMeta } from '../net/json.ts';
import { countParams, countRelus, type Network } from '../net/network.ts';
import { checkNetwork, choice, ofType, optionsOf, pairRecord } from '../validate.ts';
import { milpHeader, regionOf, type MilpRegion } from './milp-region.ts';
import { lpNames, type LpNames } from './milp-names.ts';
import { exactFirstLayerBounds } from './milp-exact.ts';
import { lpText, mpsText, type MilpColumn, type MilpModel, type MilpRow } from './milp-text.ts';

export interface MilpOptions {
  /** A range per input name; inputs not given take the stored domain (`meta.domain`). */
  box?: Record<string, [number, number]>;
  /** What the network's file says about itself: `expr`, `domain`, `error`, `exclude` (net/json.ts). */
  meta?: NetworkMeta;
  /** The objective's sense, on the output `objective` (default minimize). */
  sense?: 'minimize' | 'maximize';
  /** The output the objective names (default the first). */
  objective?: string;
  /** The file format: the CPLEX LP format (default) or free MPS. */
  format?: 'lp' | 'mps';
}

/** What the constraints hold: counts for tables and JSON. */
export interface MilpStats {
  variables: number;
  binaries: number;
  constraints: number;
  /** Hidden ReLUs of the network, and how many are proven on, proven off, or need a binary. */
  relus: number;
  active: number;
  inactive: number;
  unstable: number;
  /** The largest big-M, max(u, −l) over units with a binary (0: none); a binary τ from 0 or 1 moves a unit by τ·M. */
  bigM: number;
}

export interface Milp {
  /** The model in the CPLEX LP format, or MPS. */
  text: string;
  stats: MilpStats;
  /** The LP names of the inputs and outputs (the network's names where the LP format allows them). */
  inputs: string[];
  outputs: string[];
  region: MilpRegion;
}

/**
 * Most work the bound propagation may take, as hidden units × parameters (back-substitution
 * costs about that many multiply-adds; 2e9 is some seconds).
 */
export const MILP_MAX_WORK = 2e9;

const SENSES = ['minimize', 'maximize'] as const;
const FORMATS = ['lp', 'mps'] as const;

/** The network as LP (or MPS) text (see buildMilp). */
export function toMilp(net: Network, options: MilpOptions = {}): string {
  return buildMilp(net, options).text;
}

/**
 * The network as MILP constraints over its region (options.box, else the stored domain), with
 * an objective on one output. Throws InputError: `net` malformed; `box` with an unknown name
 * (`unknown-name`), an input without a range (`missing`), an infinite bound (`unbounded`), a
 * range a > b (`empty-interval`); `objective` not an output (`unknown-name`); a network whose
 * bound propagation would pass MILP_MAX_WORK (`too-large`).
 */
export function buildMilp(net: Network, options: MilpOptions = {}): Milp {
  checkNetwork(net);
  const o = optionsOf(options, 'options', ['box', 'meta', 'sense', 'objective', 'format']);
  choice(o.format, 'format', FORMATS);
  const box = pairRecord(o.box, 'box');
  choice(o.sense, 'sense', SENSES);
  ofType(o.objective, 'objective', 'string');
  const meta = o.meta as NetworkMeta | undefined;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null)) throw new InputError('meta',
    'be the network\'s metadata object', String(meta), { field: 'meta', code: 'wrong-type' });
  const objective = options.objective ?? net.outputs[0]!;
  const objectiveIndex = net.outputs.indexOf(objective);
  if (objectiveIndex < 0) throw new InputError('objective', `name one of the outputs (${net.outputs.join(', ')})`,
    objective, { field: 'objective', code: 'unknown-name' });
  const region = regionOf(net, box, meta);
  const work = countRelus(net) * countParams(net);
  if (work > MILP_MAX_WORK) throw new InputError('net',
    `have hidden units × parameters at most ${MILP_MAX_WORK} (the bound propagation's work)`, work,
    { field: 'net', code: 'too-large' });
  const names = lpNames(net);
  const body = constraints(net, region.box, names);
  const model: MilpModel = { comments: milpHeader(region, names, body.stats), sense: options.sense ?? 'minimize',
    objective: names.outputs[objectiveIndex]!, rows: body.rows, columns: body.columns };
  const text = options.format === 'mps' ? mpsText(model) : lpText(model);
  return { text, stats: body.stats, inputs: names.inputs, outputs: names.outputs, region };
}

interface Body {
  rows: MilpRow[]; columns: MilpColumn[]; stats: MilpStats;
  /** The binary of each unit of the first hidden layer that has one. */
  firstOff: Map<number, string>;
}

/** The terms sign·w·col, zero weights and absent columns (units proven 0) left out. */
function terms(weights: ArrayLike<number>, cols: readonly (string | null)[], sign: 1 | -1): [number, string][] {
  const out: [number, string][] = [];
  cols.forEach((col, c) => {
    const w = sign * weights[c]!;
    if (col !== null && w !== 0) out.push([w, col]);
  });
  return out;
}

/** Adds a row to `body`. */
function row(body: Body, name: string, lhs: [number, string][], sense: MilpRow['sense'], rhs: number): void {
  body.rows.push({ name, terms: lhs, sense, rhs });
  body.stats.constraints++;
}

/** Adds a column to `body`. */
function column(body: Body, name: string, lo: number, hi: number, binary = false): void {
  body.columns.push({ name, lo, hi, binary });
  body.stats.variables++;
  if (binary) body.stats.binaries++;
}

/** Rows and columns of the whole network over `box` (one [lo, hi] per input). */
function constraints(net: Network, box: [number, number][], names: LpNames): Body {
  const { layers } = networkBounds(net, box.map((r) => r[0]), box.map((r) => r[1]));
  const body: Body = { rows: [], columns: [], firstOff: new Map(), stats: { variables: 0, binaries: 0,
    constraints: 0, relus: countRelus(net), active: 0, inactive: 0, unstable: 0, bigM: 0 } };
  names.inputs.forEach((x, i) => column(body, x, box[i]![0], box[i]![1]));
  let cols: (string | null)[] = names.inputs;
  for (let k = 0; k < net.layers.length - 1; k++) {
    if (k === 0) settleFirstLayer(net, box, layers.zLo[0]!, layers.zHi[0]!);
    cols = hiddenLayer(net, k, cols, layers.zLo[k]!, layers.zHi[k]!, body);
    if (k === 0) orderCuts(net.layers[0]!, body);
  }
  const last = net.layers.at(-1)!;
  names.outputs.forEach((y, j) => {
    const w = last.weights.subarray(j * last.inSize, (j + 1) * last.inSize);
    column(body, y, -Infinity, Infinity);
    row(body, `out.${j}`, [[1, y], ...terms(w, cols, -1)], '=', last.bias[j]!);
  });
  return body;
}

/**
 * First-layer units whose bounds straddle 0 by no more than rounding slack (the smaller side at
 * most 1e-6 of the larger) get their sign decided exactly (export/milp-exact.ts): bounds
 * tightened in place.
 */
function settleFirstLayer(net: Network, box: [number, number][], zLo: Float64Array, zHi: Float64Array): void {
  const layer = net.layers[0]!;
  if (layer.activation !== 'relu') return;
  const [lo, hi] = [box.map((r) => r[0]), box.map((r) => r[1])];
  for (let j = 0; j < layer.outSize; j++) {
    const [l, u] = [zLo[j]!, zHi[j]!];
    if (!(l < 0 && u > 0 && Math.min(-l, u) <= 1e-6 * Math.max(-l, u))) continue;
    const w = layer.weights.subarray(j * layer.inSize, (j + 1) * layer.inSize);
    [zLo[j], zHi[j]] = exactFirstLayerBounds(w, layer.bias[j]!, lo, hi, l, u);
  }
}

/**
 * Ordering cuts o_i ≤ o_j for first-layer units of open sign that read one input with weights of
 * one sign: relu(w·x + b) is on where x is past its knot t = −b/w, so with w > 0 a unit on at a
 * knot t_j is on at every t_i < t_j (the other way round for w < 0). Valid for every point of the
 * network (they cut off only fractional relaxations): the binaries of a one-input piece form a
 * chain. Knots closer than their rounding (4u relative) are not ordered. Consecutive units with
 * the same weight also get the incremental cuts (incrementCuts).
 */
function orderCuts(layer: Network['layers'][number], body: Body): void {
  const groups = new Map<string, { t: number; off: string; j: number; w: number }[]>();
  for (const [j, off] of body.firstOff) {
    const row = layer.weights.subarray(j * layer.inSize, (j + 1) * layer.inSize);
    const used = [...row.keys()].filter((c) => row[c] !== 0);
    if (used.length !== 1) continue;
    const w = row[used[0]!]!;
    const key = `${used[0]}${w > 0 ? '+' : '-'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push({ t: (w > 0 ? 1 : -1) * (-layer.bias[j]! / w), off, j, w });
  }
  for (const units of groups.values()) {
    units.sort((a, b) => a.t - b.t);
    let i = 0;
    for (let j = 1; j < units.length; j++) {
      const [a, b] = [units[i]!, units[j]!];
      if (!(b.t - a.t > 4 * 2 ** -53 * (Math.abs(a.t) + Math.abs(b.t)))) continue;
      row(body, `ord.${a.off}`, [[1, a.off], [-1, b.off]], '<=', 0);
      if (a.w === b.w) incrementCuts(body, a, b, layer.bias[a.j]! - layer.bias[b.j]!);
      i = j;
    }
  }
}

/**
 * Units a before b in a chain with the same weight: z_a = z_b + Δ, Δ = b_a − b_b > 0, so
 * relu(z_a) − relu(z_b) lies in [Δ·on_b, Δ·on_a] (on = 1 − o). With the ordering cuts these are
 * the incremental formulation of a one-input piece (its segments' fill δ = (h_a − h_b)/Δ;
 * Dantzig 1960, locally ideal per Vielma, Ahmed & Nemhauser 2010), whose relaxation the solver
 * follows closely. Δ is a computed difference, so its two sides are widened by 4u: still valid.
 */
function incrementCuts(body: Body, a: { j: number; off: string }, b: { j: number; off: string }, delta: number): void {
  if (!(delta > 1e-300)) return;
  const [below, above] = [delta * (1 - 2 ** -51), delta * (1 + 2 ** -51)];
  const [ha, hb] = [`h.1.${a.j}`, `h.1.${b.j}`];
  row(body, `inc.${a.off}.lo`, [[1, ha], [-1, hb], [below, b.off]], '>=', below);
  row(body, `inc.${a.off}.hi`, [[1, ha], [-1, hb], [above, a.off]], '<=', above);
}

/** Layer k's units as rows of `body`; returns the columns the next layer reads (null: a unit proven 0). */
function hiddenLayer(net: Network, k: number, cols: readonly (string | null)[], zLo: Float64Array, zHi: Float64Array,
  body: Body): (string | null)[] {
  const layer = net.layers[k]!;
  const relu = layer.activation === 'relu';
  const next: (string | null)[] = [];
  for (let j = 0; j < layer.outSize; j++) {
    const [l, u, b] = [zLo[j]!, zHi[j]!, layer.bias[j]!];
    const h = `h.${k + 1}.${j}`;
    if (relu && u <= 0) { body.stats.inactive++; next.push(null); continue; }
    next.push(h);
    const minusZ = terms(layer.weights.subarray(j * layer.inSize, (j + 1) * layer.inSize), cols, -1);
    if (!relu || l >= 0) {
      if (relu) body.stats.active++;
      column(body, h, l, u);
      row(body, `z.${k + 1}.${j}`, [[1, h], ...minusZ], '=', b);
      continue;
    }
    const off = `o.${k + 1}.${j}`;
    body.stats.unstable++;
    body.stats.bigM = Math.max(body.stats.bigM, u, -l);
    column(body, h, 0, u);
    column(body, off, 0, 1, true);
    if (k === 0) body.firstOff.set(j, off);
    row(body, `ge.${k + 1}.${j}`, [[1, h], ...minusZ], '>=', b);
    row(body, `le.${k + 1}.${j}`, [[1, h], ...minusZ, [l, off]], '<=', b);
    row(body, `on.${k + 1}.${j}`, [[1, h], [u, off]], '<=', u);
  }
  return next;
}
