import type { Form, Program } from '../net/program.ts';
import type { FoldTrace } from './foldround.ts';
import type { Graph } from './graph.ts';
import type { LayoutStrategy } from './layout.ts';
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
  /** Clamps min(max(t, 0), 1) of jump ramps: exact on the certified region where t's error is <= 1 (jumpgap.ts). */
  exactSteps?: ReadonlySet<number> | undefined;
  /**
   * Per unary node: its argument's true-value range where the range propagated for float
   * evaluation leaves the function's domain (ranges.ts); the builder clamps the input to it.
   */
  exactArgs?: ReadonlyMap<number, Range> | undefined;
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
