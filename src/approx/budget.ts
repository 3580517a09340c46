import { WorkError } from '../errors.ts';
import type { Certificate, WorkBudget } from './certify.ts';

/**
 * Formula-node visits (pieces × nodes of f) that the certificates of one approx request may
 * spend refining, in all: five certificates at their own cap (certify.ts). A formula whose
 * derivatives enclose wide however narrow the pieces (a proof that cannot follow the sampled
 * error) made the sizing loop certify ever more segments for minutes (issue 30).
 */
export const REQUEST_REFINE_NODES = 1e8;

/** The refinement work left to a request's sizing, and the best certificate it reached. */
export class SizingWork implements WorkBudget {
  left: number;
  private best = Infinity;
  private bestSegments = 0;
  private measured = 0;

  constructor(readonly limit: number = REQUEST_REFINE_NODES) { this.left = limit; }

  /**
   * Records a certificate (`bound`: its maxError with the network's rounding) of a PWL with
   * `segments`; when the work is spent and the bound is over `tol`, throws a WorkError naming
   * the flag `arg`, the limit, the best proven bound and the measured error.
   */
  charge(c: Certificate, bound: number, segments: number, tol: number, arg: string): void {
    if (bound < this.best) { this.best = bound; this.bestSegments = segments; }
    this.measured = Math.max(this.measured, c.observedMax);
    if (this.left > 0 || bound <= tol) return;
    throw new WorkError(
      `${arg} ${tol} could not be proven within the work limit of ${this.limit.toPrecision(3)} formula-node visits ` +
      `of the certificates' interval enclosures: the best proven bound was ${this.best.toPrecision(4)} with ` +
      `${this.bestSegments} segments (largest error measured: ${this.measured.toPrecision(3)}); raise the ` +
      'tolerance, or write the formula so that its derivatives enclose tighter.', 'work-limit');
  }
}
