import { networkSummary, type Network } from '../net/network.ts';
import { constantForm, Program, toNetworkOutputs } from '../net/program.ts';
import type { PreRangeHints } from '../net/rounding.ts';
import { hiOf, lowOf, type AssembleOptions, type LayoutContext, type NodeBuild } from './context.ts';
import { checkPlanSize } from './failure.ts';
import { foldRoundingBound } from './foldround.ts';
import type { Graph, GNode } from './graph.ts';
import { buildAbsRelu, buildAffine, buildMaxMin, buildNorm } from './nodes.ts';
import { buildApproximated } from './approxnodes.ts';
import type { NodeReport } from './types.ts';

/** A network assembled for given budgets, with its composed errors and per-node reports. */
export interface Assembled {
  network: Network;
  errorOut: number;
  errorOuts: number[];
  reports: NodeReport[];
  summary: ReturnType<typeof networkSummary>;
  hints: PreRangeHints;
  /** A network that is one folded norm of coordinates: its rounding by foldRoundingBound; else null. */
  foldRounding: ((dtype: 'float64' | 'float32', evaluations?: number) => number) | null;
  /** The norm is laid out by foldbase.ts (float32): its bound falls with the patches analysed. */
  foldBase: boolean;
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
 * L·e_in, docs/DESIGN.md §1): every node in graph order by its kind's builder, then the
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
    // Layers only grow: a plan past --max-depth ends here, not after laying out the rest.
    const layers = c.prog.layers;
    if (layers.length > c.norm.maxDepth + 1) checkPlanSize(layers.map((l) => l.length), 0, c.norm.maxDepth);
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
  checkPlanSize(prog.layers.map((l) => l.length), g.inputs.length, c.norm.maxDepth);
  const network = several
    ? toNetworkOutputs(
      prog, several.ids.map((id) => c.forms[id]!), several.ids.map((id) => [lowOf(c, id), hiOf(c, id)]),
      g.inputs, several.names,
    )
    : prog.toNetwork(c.forms[g.output]!, lowOf(c, g.output), g.inputs, 'y', hiOf(c, g.output),
      c.layout.offsetOutput && !c.foldTrace?.trace.base); // foldbase.ts ends in base + T: one sum at |y|
  const errorOuts = (several?.ids ?? [g.output]).map((id) => c.err[id]!);
  const fold = c.foldTrace;
  const outHi = hiOf(c, g.output);
  const foldRounding = fold && !several
    ? (dtype: 'float64' | 'float32', evaluations?: number) =>
      foldRoundingBound(network, fold.trace, dtype, fold.R, outHi, evaluations)
    : null;
  const summary = networkSummary(network);
  const foldBase = foldRounding !== null && fold?.trace.base === true;
  return {
    network, errorOut: c.err[g.output]!, errorOuts, reports, summary, hints: prog.preRanges(), foldRounding, foldBase,
  };
}
