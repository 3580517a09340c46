import { DEFAULT_MAX_SEGMENTS } from '../approx/approximate.ts';
import { variablesOf, type Expr } from '../expr/ast.ts';
import { parseFormula } from '../expr/parse.ts';
import { estimatedRelus, planSplit, splitBudgets, splitModel, type SplitModel } from './budget.ts';
import { deepSquareLevels } from './deep.ts';
import { FormAnalysis, fusionOf, isSinglePiece, type Fusion } from './fuse.ts';
import { ancestors, buildGraph, type Graph } from './graph.ts';
import { approximateOnRange, costConstant, halfRange } from './piece.ts';
import { lowerForCompile } from './lower.ts';
import { encloseOnPieces, propagateRanges, type Range } from './ranges.ts';
import type { Request } from './request.ts';
import type { CompileOptions } from './types.ts';

/**
 * Which one-form subexpressions become one curve (fuse.ts): the planner's estimate of each
 * way at the whole tolerance E (docs/DESIGN.md §1 cost model, segments ≈ c/√e). Fused: one
 * piece, c_g/√E. Unfused: the subexpression's own graph, its budget split as budget.ts splits
 * it, all shallow or with deep sawtooth squares (3 ReLUs a level), plus its exact ReLU pieces
 * (abs, relu, max, min). A close call (within CLOSE) is settled by the fused curve's size as
 * built. The graph visits top down, so the first subexpression fused on a path is the largest
 * one the estimate prefers; one that loses is looked into again below.
 */
export interface FuseOptions {
  box: Record<string, Range>;
  maxError: number;
  /** Subexpressions kept as nodes of their own (stated --range texts, jump steps). */
  keep?: Expr[];
}

/**
 * A request's fusion options: its box, its tightest tolerance, and the subexpressions that
 * stay nodes (the --range texts, which name nodes, and the jump steps, built exactly).
 */
export function fuseOptions(o: CompileOptions, req: Request): FuseOptions {
  const stated = Object.keys(o.ranges ?? {}).map((text) => parseFormula(text, '--range').expr);
  const keep = [...stated, ...req.steps].map((e) => lowerForCompile(e, o.vars));
  return { box: o.vars, maxError: req.maxError, keep };
}

/** The formula's graph with its one-form subexpressions fused where the estimate says fusion is smaller. */
export function buildFusedGraph(expr: Expr, inputs: string[], o: FuseOptions & { norms?: boolean }): Graph {
  return buildGraph(expr, inputs, { norms: o.norms ?? false, fuse: fusionPlanner(o), box: o.box });
}

/**
 * The graph builder's fusion hook: a subexpression's fusion, or null to build it node by node.
 * A one-form subexpression with no curvature (a constant or linear g written the long way,
 * sin(x)^2 + cos(x)^2) is built node by node, and nothing inside it is fused: its parts cancel
 * through shared nodes, which separate curves would not (their sum is then a near-constant
 * output whose certification is slow).
 */
export function fusionPlanner(o: FuseOptions): (e: Expr) => Fusion | null {
  const analysis = new FormAnalysis(o.keep);
  const flat = new WeakSet<Expr>();
  return (e) => {
    if (flat.has(e)) { subexpressions(e).forEach((x) => flat.add(x)); return null; }
    if (analysis.info(e).kind !== 'curve' || isSinglePiece(analysis, e)) return null;
    const f = fusionOf(analysis, e);
    if (!f) return null;
    const fused = fusedEstimate(f, o.box, o.maxError);
    if (fused === 0) { subexpressions(e).forEach((x) => flat.add(x)); return null; }
    if (fused === Infinity) return null;
    const unfused = unfusedEstimate(e, o.box, o.maxError);
    if (fused > CLOSE * unfused) return null;
    return fused * CLOSE <= unfused || builtSegments(f, o.box, o.maxError) <= unfused ? f : null;
  };
}

/** Estimates within this factor of each other are a close call, settled by the fused curve's built size. */
const CLOSE = 1.25;

/** Segments of g(u) built by the minimum-link construction at the whole tolerance (the plan's first share). */
function builtSegments(f: Fusion, box: Record<string, Range>, maxError: number): number {
  const u = encloseOnPieces(f.form, box, 1);
  try {
    return approximateOnRange(f.fn, [u.lo, u.hi], 0.97 * maxError, DEFAULT_MAX_SEGMENTS).pwl.x.length - 1;
  } catch {
    return Infinity; // more segments than the limit, or not certifiable at this tolerance
  }
}

/** The operands of e. */
function subexpressions(e: Expr): Expr[] {
  if (e.op === 'const' || e.op === 'var') return [];
  return e.op === 'neg' || e.op === 'call' ? [e.arg] : [e.a, e.b];
}

/**
 * ReLUs of g(u) as one shallow curve at tolerance E (at least 1); 0 where g has no curvature on
 * u's range (approx/placement.ts curvatureIntegral); Infinity where g is not defined and finite there.
 */
export function fusedEstimate(f: Fusion, box: Record<string, Range>, maxError: number): number {
  const u = encloseOnPieces(f.form, box, 1);
  const range: Range = [u.lo, u.hi];
  if (u.undefinedPart || !(range[0] < range[1]) || encloseOnPieces(f.fn, { u: range }).undefinedPart) return Infinity;
  try {
    const c = costConstant(f.fn, range);
    return c > 0 ? Math.max(1, c / Math.sqrt(maxError)) : 0;
  } catch {
    return Infinity; // not defined or finite somewhere on the range (approx/target.ts)
  }
}

/** ReLUs of e built node by node at tolerance E (all shallow, or deep squares if cheaper); Infinity if it cannot be. */
export function unfusedEstimate(e: Expr, box: Record<string, Range>, maxError: number): number {
  const inputs = variablesOf(e);
  const g = buildGraph(e, inputs);
  let ranges: Range[];
  try {
    ranges = propagateRanges(g, Object.fromEntries(inputs.map((v) => [v, box[v]!])), new Map());
  } catch {
    return Infinity;
  }
  const live = ancestors(g);
  const m = splitModel(g, ranges, live, [g.output], [maxError], false);
  const squares = m.nodes.some((n) => n.kind === 'square');
  const deep = squares ? planEstimate(m, ranges, maxError, 0.1) : Infinity;
  const pieces = Math.min(planEstimate(m, ranges, maxError, 0), deep);
  return Number.isNaN(pieces) ? Infinity : pieces + exactRelus(g, ranges, live);
}

/** One plan's ReLUs: at least one a shallow piece, 3 a level of a deep square. */
function planEstimate(m: SplitModel, ranges: Range[], maxError: number, deepShare: number): number {
  const p = planSplit(m, deepShare);
  const budgets = splitBudgets(m, p, maxError, 1, new Map());
  let relus = 0;
  for (const n of p.shallow) relus += Math.max(1, estimatedRelus(m, { ...p, shallow: [n] }, budgets));
  for (const id of p.deepSet) {
    const n = m.nodes.find((x) => x.id === id)!;
    relus += 3 * deepSquareLevels(halfRange(n, ranges)[1], budgets.get(id)!);
  }
  return relus;
}

/** ReLUs of the exact pieces: |u| 2, relu, max and min 1, where their argument takes both signs. */
function exactRelus(g: Graph, ranges: Range[], live: Set<number>): number {
  let relus = 0;
  for (const n of g.nodes) {
    if (!live.has(n.id)) continue;
    if (n.kind === 'abs' || n.kind === 'relu') {
      const [a, b] = ranges[n.arg]!;
      if (a < 0 && b > 0) relus += n.kind === 'abs' ? 2 : 1;
    } else if (n.kind === 'max' || n.kind === 'min') relus += 1;
  }
  return relus;
}
