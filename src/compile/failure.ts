/**
 * Why compile could not meet --max-error, in the user's terms: the user's tolerance, the node
 * that failed in the formula's own text with the range it was built on, what it reached, and
 * only the ways out that apply to the request. A node's tolerance is an internal share of the
 * user's (the error budget), so it is never quoted.
 */
import { WorkError } from '../errors.ts';
import { ToleranceError } from '../approx/approximate.ts';
import { RoundingOverTolerance, SegmentsBeyondLimit, TubeBeyondLimit } from '../approx/minimal.ts';
import { nonFiniteParameter } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/rounding.ts';
import type { Assembled } from './assemble.ts';
import type { Range } from './ranges.ts';

/** A node's 1-D approximation failed (a ToleranceError from approx), with the node attached. */
export class NodeToleranceError extends WorkError {
  constructor(
    readonly node: string, readonly builtOn: Range, readonly inner: ToleranceError, readonly square: boolean,
  ) {
    super(`${node} on [${builtOn[0]}, ${builtOn[1]}]: ${inner.message}`);
  }
}

/**
 * Runs a node's approximation; its ToleranceError comes back naming the node (`square`: a
 * square node, which --deep always can build instead).
 */
export function forNode<T>(node: string, builtOn: Range, build: () => T, square = false): T {
  try {
    return build();
  } catch (e) {
    throw e instanceof ToleranceError ? new NodeToleranceError(node, builtOn, e, square) : e;
  }
}

const p = (v: number) => v.toPrecision(3);

/** "the node … could not be …": what the failed node reached, without its budget. */
export function nodeFailureText(e: NodeToleranceError): string {
  const on = `the node ${e.node} (on its range [${p(e.builtOn[0])}, ${p(e.builtOn[1])}])`;
  const best = e.inner.best;
  switch (e.inner.why) {
    case 'rounding':
      if (e.inner instanceof RoundingOverTolerance) {
        return `${on} could not be approximated finely enough by one hidden layer: it needs about `
          + `${e.inner.segments} segments, whose float64 rounding alone is already ${p(e.inner.rounding)}`;
      }
      return `${on} could not be approximated finely enough by one hidden layer: its own error came down to `
        + `${p(best!.error)} with ${best!.segments} segments, and more segments only add float64 rounding of their `
        + 'large, cancelling slope terms';
    case 'segments':
      if (e.inner instanceof SegmentsBeyondLimit) {
        return `${on} needs at least ${e.inner.lowerBound} segments (a proven lower bound), more than the limit of `
          + `${e.inner.limit}`;
      }
      return best
        ? `${on} needed more segments than the limit: its own error came down to ${p(best.error)} `
          + `with ${best.segments} segments`
        : `${on} needs more than 4 times the segment limit (its asymptotic count ∫√|g''| / (4√e)), so it was not tried`;
    case 'enclosure':
      if (e.inner instanceof TubeBeyondLimit) {
        return `${on} could not be certified within the work limit: the interval enclosures of its second derivative `
          + `stay too wide (its proven distance from its chords reaches ${p(e.inner.slack)} near ${p(e.inner.at)})`;
      }
      return `${on} has no finite interval enclosure on part of that range (undefined there for interval arithmetic), `
        + 'so no certificate can be built';
  }
}

/** What stopped the build: a node's approximation, float32 rounding, or the depth limit. */
export type FailureKind = 'construction' | 'float32' | 'depth';

export interface RemedyContext {
  kind: FailureKind;
  dtype: 'float64' | 'float32';
  deep: 'auto' | 'never' | 'always';
  /** The failure is about squares (x^2, products) that sawtooth constructions can build. */
  hasSquares: boolean;
}

/** The ways out that apply to this failure and request, cheapest first. */
export function compileRemedies(c: RemedyContext): string {
  const ways = ['raise --max-error'];
  if (c.kind === 'depth') ways.push('raise --max-depth');
  if (c.kind === 'construction') {
    ways.push('narrow the --var ranges (or state a --range for the failing node\'s input)');
  }
  if (c.kind === 'construction' && c.hasSquares && c.deep !== 'always') {
    ways.push('try --deep always (sawtooth squares: error 4^-m with O(m) units)');
  }
  if (c.dtype === 'float32' && c.kind !== 'depth') ways.push('use --dtype float64');
  return `${ways.slice(0, -1).join(', ')}${ways.length > 1 ? ' or ' : ''}${ways[ways.length - 1]}`;
}

/** The WorkError of a request no plan could meet: the tolerance(s), the closest failure, the ways out. */
export function compileFailure(tolerances: string, why: string, c: RemedyContext, closest = Infinity): CompileFailure {
  return new CompileFailure(`--max-error ${tolerances} could not be met: ${why}; ${compileRemedies(c)}.`, closest);
}

/**
 * A plan search that ended without a network, and the closest its attempts came (the bound it
 * reached; Infinity when none reached one): `--norm auto` reports the layout that came closest.
 */
export class CompileFailure extends WorkError {
  constructor(message: string, readonly closest: number) { super(message); }
}

/** A plan whose budgets are not positive numbers (an infinite or NaN error upstream). */
export function badBudgetText(node: string, budget: number): string {
  return `the error budget of ${node} came out as ${budget}`;
}

export function depthText(layers: number, maxDepth: number): string {
  return `it needs ${layers} hidden layers, more than --max-depth ${maxDepth}`;
}

/** Most parameters of a network made of a plan's layers (dense float64 weights: 160 MB). */
export const MAX_PLAN_PARAMS = 20_000_000;

/**
 * A plan whose layers, before they are made into a network, are deeper than --max-depth or
 * hold more dense parameters than MAX_PLAN_PARAMS: the plan ends with this reason (a product of
 * 200 variables laid out 12,139 layers and 1.75e8 parameters, and grew past 2 GB making them).
 */
export class PlanTooLarge extends WorkError {
  constructor(readonly text: string, readonly kind: FailureKind) { super(text); }
}

/** Throws PlanTooLarge for layers of these widths (after `inputs` inputs) past the depth or size limit. */
export function checkPlanSize(widths: number[], inputs: number, maxDepth: number): void {
  if (widths.length > maxDepth + 1) throw new PlanTooLarge(depthText(widths.length, maxDepth), 'depth');
  let params = 0;
  widths.forEach((w, l) => { params += ((l === 0 ? inputs : widths[l - 1]!) + 1) * w; });
  if (params > MAX_PLAN_PARAMS) {
    throw new PlanTooLarge(`its network would hold about ${params.toPrecision(3)} parameters, more than the limit of `
      + `${MAX_PLAN_PARAMS}`, 'construction');
  }
}

/** Several outputs: the composed bounds an attempt reached, for their tolerances. */
export function composedBoundsText(totals: number[], tolerances: number[]): string {
  const reached = totals.map((t) => t.toPrecision(4)).join(', ');
  return `the composed bounds came down to ${reached} for ${tolerances.join(', ')}`;
}

/**
 * One output: the bound an attempt reached; for float32, the part that is rounding and the
 * resolution of float32 at the output's magnitude (|f| reaching `magnitude`).
 */
export function composedBoundText(
  target: number, roundingPart: number, magnitude: number, dtype: 'float64' | 'float32',
): string {
  if (dtype !== 'float32') return `the composed bound came down to ${target.toPrecision(4)}`;
  const resolves = (magnitude * UNIT_ROUNDOFF.float32).toPrecision(3);
  return `the certified float32 bound came down to ${target.toPrecision(4)}, `
    + `of which ${roundingPart.toPrecision(4)} is float32 rounding `
    + `(|f| reaches ${magnitude.toPrecision(3)}, where float32 resolves about ${resolves})`;
}

/**
 * Why a built plan cannot be used — a weight that is not finite, or an error bound that is
 * infinite or NaN (naming the piece it comes from) — or null when it can.
 */
export function unfitPlan(built: Assembled, rounding: number): string | null {
  const piece = built.reports.find((r) => !(r.errorIn < Infinity));
  if (piece) {
    const on = piece.builtOn ? ` on [${piece.builtOn[0]}, ${piece.builtOn[1]}]` : '';
    return `the composed bound is not finite: ${piece.text}${on} `
      + `could not be certified within ${piece.budget ?? 'its budget'} `
      + `(its error came out as ${piece.errorIn}; float64 resolves too little of that range at this tolerance)`;
  }
  const bad = nonFiniteParameter(built.network);
  if (bad) return `the network would carry a weight that is not finite (${bad})`;
  if (!(built.errorOut < Infinity && rounding < Infinity)) {
    return `the composed bound is not finite (construction ${built.errorOut}, float64 rounding ${rounding})`;
  }
  return null;
}
