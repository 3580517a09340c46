import { RequestWork } from '../approx/budget.ts';
import { estimatedSeconds } from '../approx/minimal.ts';
import { InputError, WorkError } from '../errors.ts';
import { treeSize } from '../expr/parse.ts';
import { candidatePlans, CONSTRUCTION_SHARE } from './plansearch.ts';
import { planSplit, splitBudgets, type SplitModel } from './budget.ts';
import { fnOf } from './piece.ts';

/**
 * The cost of a compile request, bounded before and during the work (issue 30): an estimate of
 * its seconds from the plan, refused at once above `maxSeconds`, and one work pool for all that
 * its pieces certify and place (approx/budget.ts), in proportion to `maxSeconds`, so that a
 * request the estimate misjudged still ends with a WorkError naming the limit.
 */

/**
 * Work units (formula-node visits of the certificates' interval enclosures; a node of a point
 * value counts 1/8, approx/placement.ts) a compile request may spend per second of `maxSeconds`.
 * A visit costs 1.3–2 µs on a 500-term sum of sin(kx) (its 201 segments refined 6,000 pieces ×
 * 2,500 nodes in 20–30 s), less on formulas of cheaper operations: 4e5 a second keeps the
 * certificates of the dearest kind within about 30–45 s of the default 60, the rest of the work
 * (sampling, rewriting, measuring) within the other 15–30. The compile tests spend at most 2e6.
 */
export const VISITS_PER_SECOND = 4e5;

/** The work pool of a compile request allowed `maxSeconds`, whose refusal names the limit and what fell short. */
export function compileWork(maxSeconds: number): RequestWork {
  const limit = maxSeconds * VISITS_PER_SECOND;
  return new RequestWork(limit, (shortfall) => new WorkError(
    `compile could not finish within its work limit of ${limit.toPrecision(3)} formula-node visits of the ` +
    `certificates' interval enclosures (${VISITS_PER_SECOND.toPrecision(2)} a second of --max-seconds ` +
    `${maxSeconds}): ${shortfall}; raise the tolerance or --max-seconds.`, 'work-limit'));
}

/**
 * Seconds of certification per segment and formula node of a piece, beyond approx's estimate of
 * its construction (approx/minimal.ts estimatedSeconds: the tube, the walk, the fixed work): the
 * construction's certificates refine wide enclosures of f'' (a 500-term sum of sin(kx) at 1,
 * 201 segments of a 2,499-node curve: 45 pieces a segment, 29 s).
 */
const CERTIFY_SECONDS = 6e-5;

/**
 * Seconds to measure one sample per node of the formula (its value proven by ball arithmetic,
 * and the network's): 100,000 samples of a 1,900-term sum of sin(x + k) (9,497 nodes) took 25 s.
 */
const MEASURE_SECONDS = 2.6e-8;

/**
 * Seconds per formula node to prepare a request before its pieces are built: the fused graphs
 * the planner weighs and the charges of its constants (a 1,900-term sum of sin(x + k), 9,497
 * nodes, reached its estimate after 13 s of CPU).
 */
const PREPARE_SECONDS = 1.4e-3;

/**
 * The estimate of a request: its seconds, the part of them measuring, and the piece that costs
 * most (its segments and formula size).
 */
export interface CostEstimate { seconds: number; measuring: number; segments: number; nodes: number }

/** What the request measures: how many samples, of formulas of how many nodes in all. */
export interface Measured { samples: number; nodes: number }

/** The seconds of preparing the request, of the cheapest plan's pieces (estimatePieces) and of the measurement. */
export function estimateCost(
  model: SplitModel, maxError: number, deep: 'auto' | 'never' | 'always', limit: number, measured: Measured,
): CostEstimate {
  const measuring = MEASURE_SECONDS * measured.samples * measured.nodes;
  const pieces = estimatePieces(model, maxError, deep, limit);
  return { ...pieces, seconds: PREPARE_SECONDS * measured.nodes + pieces.seconds + measuring, measuring };
}

/**
 * Seconds to build the cheapest candidate plan (deep squares cost next to nothing to build):
 * per shallow piece, approx's estimate of its construction from its segments c/√e and its
 * formula's size, plus its certificates. A piece past the quick refusal of minimalPwl (more
 * than 4× `limit` and 1e5 segments) costs nothing: it is refused before any sampling.
 */
function estimatePieces(
  model: SplitModel, maxError: number, deep: 'auto' | 'never' | 'always', limit: number,
): Omit<CostEstimate, 'measuring'> {
  const squares = model.nodes.filter((n) => n.kind === 'square').length;
  let cheapest = { seconds: Infinity, segments: 0, nodes: 0 };
  for (const plan of candidatePlans(deep, squares)) {
    const split = planSplit(model, plan.deepShare);
    const budgets = splitBudgets(model, split, maxError, CONSTRUCTION_SHARE, new Map());
    const cost = { seconds: 0, segments: 0, nodes: 0 };
    let dearest = 0;
    for (const n of split.shallow) {
      if (n.kind === 'norm') continue;
      const segments = model.cost.get(n.id)! / Math.sqrt(budgets.get(n.id)!);
      if (!(segments <= Math.max(4 * limit, 1e5))) continue;
      const nodes = treeSize(fnOf(n)).nodes;
      const seconds = estimatedSeconds(segments, nodes) + CERTIFY_SECONDS * segments * nodes;
      if (seconds > dearest) [dearest, cost.segments, cost.nodes] = [seconds, Math.ceil(segments), nodes];
      cost.seconds += seconds;
    }
    if (cost.seconds < cheapest.seconds) cheapest = cost;
  }
  return cheapest;
}

/** An InputError on the tolerance when the estimate is over `maxSeconds` (compile's --max-seconds). */
/** The refusal of refuseLongCompile: `--norm auto` tries its other layout when one layout's estimate is too long. */
export class LongRequestError extends InputError {}

export function refuseLongCompile(cost: CostEstimate, maxError: number, maxSeconds: number): void {
  if (!(cost.seconds > maxSeconds)) return;
  const largest = cost.segments > 0 ? `, the largest piece about ${cost.segments} segments of a ${cost.nodes}-node ` +
    'formula (c/√e on optimal knots)' : '';
  throw new LongRequestError('--max-error', `need at most ${maxSeconds} s of work (--max-seconds): an estimated ` +
    `${Math.ceil(cost.seconds)} s, ${Math.round(cost.measuring)} s of it measuring${largest}; raise the tolerance ` +
    'or --max-seconds, or measure fewer samples', maxError, { field: 'maxError', code: 'out-of-range' });
}
