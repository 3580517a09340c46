import { networkSummary, type Network } from '../net/network.ts';
import { constantForm, Program, toNetworkOutputs, type Form } from '../net/program.ts';
import type { PreRangeHints } from '../net/rounding.ts';
import { foldRoundingBound, type FoldTrace } from './foldround.ts';
import type { Graph, GNode } from './graph.ts';
import type { LayoutStrategy } from './layout.ts';
import { buildAbsRelu, buildAffine, buildMaxMin, buildNorm } from './nodes.ts';
import { buildApproximated } from './approxnodes.ts';
import type { Range } from './ranges.ts';
import type { NodeReport } from './types.ts';

/** What assemble needs besides the graph: budgets per approximated node and the layout choices. */
export interface AssembleOptions {
  ranges: Range[];
  live: Set<number>;
  budgets: Map<number, number>;
  /** Most segments of one shallow piece. */
  limit: number;
  /** Squares built deep (sawtooth); `deepLevels` forces their levels. */
  deepSet: Set<number>;
  deepLevels?: number | undefined;
  maxFanIn: number;
  layout: LayoutStrategy;
  norm: { maxDepth: number; minimize: 'relus' | 'params' };
  /** Several outputs: their nodes and names (else the one output g.output, named y). */
  several?: { ids: number[]; names: string[] } | undefined;
}

/**
 * The state the node builders share while one network is laid out: the program, each node's
 * form and error so far (indexed by node id), and the options.
 */
export interface LayoutContext extends AssembleOptions {
  g: Graph;
  prog: Program;
  forms: Form[];
  err: number[];
  foldTrace: { trace: FoldTrace; R: number } | null;
}

/** What one node builder made: its form, its error including upstream, and its report fields. */
export interface NodeBuild { form: Form; e: number; details?: Partial<NodeReport> }

/** A network assembled for given budgets, with its composed errors and per-node reports. */
export interface Assembled {
  network: Network;
  errorOut: number;
  errorOuts: number[];
  reports: NodeReport[];
  summary: ReturnType<typeof networkSummary>;
  hints: PreRangeHints;
  /** A network that is one folded norm of coordinates: its rounding by foldRoundingBound; else null. */
  foldRounding: ((dtype: 'float64' | 'float32') => number) | null;
}

/** Lower bound of the computed (approximate) value of a node: its range widened by its error. */
export const lowOf = (c: LayoutContext, id: number): number => c.ranges[id]![0] - c.err[id]!;
export const hiOf = (c: LayoutContext, id: number): number => c.ranges[id]![1] + c.err[id]!;

/** A node's form carried down to `layer`; later users share the carried copy. */
export function lift(c: LayoutContext, id: number, layer: number): Form {
  const f = c.forms[id]!;
  if (f.terms.size === 0 || f.layer >= layer) return f;
  const carried = c.prog.carry(f, layer, lowOf(c, id), hiOf(c, id));
  c.forms[id] = carried;
  return carried;
}

/** Operands carried to one common layer (at least `atLeast`); carrying may go deeper. */
export function liftAll(c: LayoutContext, ids: number[], atLeast = -1): Form[] {
  let layer = Math.max(atLeast, ...ids.map((id) => (c.forms[id]!.terms.size ? c.forms[id]!.layer : -1)));
  for (;;) {
    const fs = ids.map((id) => lift(c, id, layer));
    const deepest = Math.max(layer, ...fs.map((f) => (f.terms.size ? f.layer : -1)));
    if (deepest === layer) return fs.map((f) => (f.terms.size ? f : { ...f, layer }));
    layer = deepest;
  }
}

/** One node laid out by the builder of its kind. */
function buildNode(c: LayoutContext, n: GNode): NodeBuild {
  switch (n.kind) {
    case 'input': return { form: c.prog.inputForm(c.g.inputs.indexOf(n.name)), e: 0 };
    case 'affine': return buildAffine(c, n);
    case 'abs': case 'relu': return buildAbsRelu(c, n);
    case 'max': case 'min': return buildMaxMin(c, n);
    case 'norm': return buildNorm(c, n);
    case 'square': case 'unary': return buildApproximated(c, n);
  }
}

const unitCount = (prog: Program): number => prog.layers.reduce((s, l) => s + l.length, 0);

/**
 * Builds the layered program for given budgets with sound error composition (e_out ≤ e_g +
 * L·e_in, shared/DESIGN.md §1): every node in graph order by its kind's builder, then the
 * network reading the output node(s).
 */
export function assemble(g: Graph, o: AssembleOptions): Assembled {
  const prog = new Program(g.inputs.length, o.maxFanIn);
  const c: LayoutContext = { ...o, g, prog, forms: [], err: [], foldTrace: null };
  const reports: NodeReport[] = [];
  for (const n of g.nodes) {
    if (!o.live.has(n.id)) { c.forms.push(constantForm(0)); c.err.push(0); continue; }
    const unitsBefore = unitCount(c.prog);
    const report: NodeReport = { id: n.id, text: n.text, kind: n.kind, range: o.ranges[n.id]!, errorIn: 0, relus: 0 };
    const built = buildNode(c, n);
    if (built.details) Object.assign(report, built.details);
    c.forms.push(built.form);
    c.err.push(built.e);
    report.errorIn = built.e;
    report.relus = unitCount(c.prog) - unitsBefore;
    if (n.kind !== 'input') reports.push(report);
  }
  return finish(c, reports);
}

/** The network reading the output node(s), with the errors and hints of its results. */
function finish(c: LayoutContext, reports: NodeReport[]): Assembled {
  const { g, several, prog } = c;
  const network = several
    ? toNetworkOutputs(
      prog, several.ids.map((id) => c.forms[id]!), several.ids.map((id) => [lowOf(c, id), hiOf(c, id)]),
      g.inputs, several.names,
    )
    : prog.toNetwork(c.forms[g.output]!, lowOf(c, g.output), g.inputs, 'y', hiOf(c, g.output), c.layout.offsetOutput);
  const errorOuts = (several?.ids ?? [g.output]).map((id) => c.err[id]!);
  const fold = c.foldTrace;
  const outHi = hiOf(c, g.output);
  const foldRounding = fold && !several
    ? (dtype: 'float64' | 'float32') => foldRoundingBound(network, fold.trace, dtype, fold.R, outHi)
    : null;
  const summary = networkSummary(network);
  return { network, errorOut: c.err[g.output]!, errorOuts, reports, summary, hints: prog.preRanges(), foldRounding };
}
