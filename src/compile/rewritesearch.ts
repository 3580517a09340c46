import { exprKey, exprToString, type Expr } from '../expr/ast.ts';
import { treeSize } from '../expr/parse.ts';
import { checkDefined, estimateRelus, plainGraph, type GraphBuilder } from './rewritecost.ts';
import { oneStepRewrites, type Box } from './rewrite.ts';
import { balanceProducts } from './rewritescale.ts';

/**
 * The cost-guided choice among equal forms of a formula: a beam search over rewrite
 * applications (rewrite.ts), each form scored by the planner's size estimate of its graph
 * (rewritecost.ts: budget.ts's cost model at its optimal tolerance split, plus the exact
 * ReLU nodes; `build` makes the graph as compile will), products scale-balanced first
 * (rewritescale.ts). Level by level, every
 * one-step rewrite of the `BEAM` best forms is scored and the `BEAM` best kept, up to
 * `DEPTH` levels, `MAX_SCORED` scored forms and `MAX_WORK` formula nodes in them all (the
 * cost is bounded before work starts). The best form found is kept only when its estimate is below `GAIN` times the
 * original's, so formulas the rules do not help are built as written. A written form undefined on
 * part of the box is refused first (rewritecost.ts checkDefined), whatever a rewrite would remove.
 */
export interface SizeRewrite {
  /** The form given. */
  original: Expr;
  /** The form to build (the original when no rewrite helps). */
  expr: Expr;
  /** The rules applied, in order (empty when `expr` is the original, products rebalanced or not). */
  applied: string[];
  /**
   * The planner's estimate (ReLUs) of the original and of `expr`; Infinity where a graph cannot be
   * built; NaN when no rewrite was searched (the form has `MAX_WORK` nodes or more).
   */
  originalEstimate: number;
  estimate: number;
}

const BEAM = 4;
const DEPTH = 5;
export const MAX_SCORED = 400;
/** Most formula nodes in all scored forms (building a fused graph costs about a millisecond per node). */
export const MAX_WORK = 1200;
const GAIN = 0.9;

interface Candidate { expr: Expr; score: number; applied: string[] }

export function rewriteForSize(
  e: Expr, box: Box, inputs: string[], maxError: number, build: GraphBuilder = plainGraph(inputs),
): SizeRewrite {
  // A form past the work bound has no rewrite to score: built as written, unestimated (as with --range).
  if (treeSize(e).nodes >= MAX_WORK) return { original: e, expr: e, applied: [], originalEstimate: NaN, estimate: NaN };
  const score = (x: Expr) => estimateRelus(balanceProducts(x, box), box, maxError, build);
  const originalEstimate = estimateRelus(e, box, maxError, build);
  if (originalEstimate === Infinity) checkDefined(e, box, build);
  // The written form scored once when balancing leaves it as it is (a long sum: one fused graph, not two).
  const balanced = balanceProducts(e, box);
  const first = exprKey(balanced) === exprKey(e) ? originalEstimate : estimateRelus(balanced, box, maxError, build);
  let beam: Candidate[] = [{ expr: e, score: first, applied: [] }];
  let best = beam[0]!;
  const seen = new Set([exprKey(e)]);
  let scored = 1;
  let work = treeSize(e).nodes;
  const spent = () => scored >= MAX_SCORED || work >= MAX_WORK;
  for (let level = 0; level < DEPTH && !spent(); level++) {
    const next: Candidate[] = [];
    for (const c of beam) {
      for (const r of oneStepRewrites(c.expr, box)) {
        const key = exprKey(r.expr);
        if (seen.has(key) || spent()) continue;
        seen.add(key);
        scored++;
        work += treeSize(r.expr).nodes;
        next.push({ expr: r.expr, score: score(r.expr), applied: [...c.applied, r.rule] });
      }
    }
    if (!next.length) break;
    beam = next.sort((p, q) => p.score - q.score).slice(0, BEAM);
    if (beam[0]!.score < best.score) best = beam[0]!;
  }
  const kept = best.score < GAIN * originalEstimate;
  return {
    original: e, expr: kept ? balanceProducts(best.expr, box) : e, applied: kept ? best.applied : [],
    originalEstimate, estimate: kept ? best.score : originalEstimate,
  };
}

/** The rewritten text, for reports: null when the form built is the one written. */
export function rewrittenText(r: SizeRewrite): string | null {
  return exprKey(r.expr) === exprKey(r.original) ? null : exprToString(r.expr);
}
