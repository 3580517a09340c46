/**
 * Why compile could not meet --max-error, in the user's terms: the user's tolerance, the node
 * that failed in the formula's own text with the range it was built on, what it reached, and
 * only the ways out that apply to the request. A node's tolerance is an internal share of the
 * user's (the error budget), so it is never quoted.
 */
import { WorkError } from '../errors.ts';
import { ToleranceError } from '../approx/approximate.ts';
import type { Range } from './ranges.ts';

/** A node's 1-D approximation failed (a ToleranceError from approx), with the node attached. */
export class NodeToleranceError extends WorkError {
  constructor(readonly node: string, readonly builtOn: Range, readonly inner: ToleranceError, readonly square: boolean) {
    super(`${node} on [${builtOn[0]}, ${builtOn[1]}]: ${inner.message}`);
  }
}

/** Runs a node's approximation; its ToleranceError comes back naming the node (`square`: a square node, which --deep always can build instead). */
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
      return `${on} could not be approximated finely enough by one hidden layer: its own error came down to ${p(best!.error)} with ${best!.segments} segments, and more segments only add float64 rounding of their large, cancelling slope terms`;
    case 'segments':
      return best
        ? `${on} needed more segments than the limit: its own error came down to ${p(best.error)} with ${best.segments} segments`
        : `${on} needs more than 4 times the segment limit (its asymptotic count ∫√|g''| / (4√e)), so it was not tried`;
    case 'enclosure':
      return `${on} has no finite interval enclosure on part of that range (undefined there for interval arithmetic), so no certificate can be built`;
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
  if (c.kind === 'construction') ways.push('narrow the --var ranges (or state a --range for the failing node\'s input)');
  if (c.kind === 'construction' && c.hasSquares && c.deep !== 'always') ways.push('try --deep always (sawtooth squares: error 4^-m with O(m) units)');
  if (c.dtype === 'float32' && c.kind !== 'depth') ways.push('use --dtype float64');
  return `${ways.slice(0, -1).join(', ')}${ways.length > 1 ? ' or ' : ''}${ways[ways.length - 1]}`;
}
