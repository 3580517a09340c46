import { WorkError } from '../errors.ts';
import type { Certificate, WorkBudget } from './certify.ts';
import { scoped } from './scoped.ts';

/**
 * Formula-node visits (pieces × nodes of f) that the certificates of one approx request may
 * spend refining, in all: five certificates at their own cap (certify.ts). A formula whose
 * derivatives enclose wide however narrow the pieces (a proof that cannot follow the sampled
 * error) made the sizing loop certify ever more segments for minutes (issue 30).
 */
export const REQUEST_REFINE_NODES = 1e8;

/**
 * The work budget of a whole request that builds several pieces (compile: every piece it
 * certifies and places): one pool its certificates and placements spend from, and the
 * one-sentence WorkError the request ends with once it is spent and a proof falls short.
 */
export class RequestWork implements WorkBudget {
  left: number;

  /** `refusal` words the WorkError from what fell short (a clause). */
  constructor(readonly limit: number, private readonly refusal: (shortfall: string) => WorkError) {
    this.left = limit;
  }

  /** The WorkError naming the limit and what fell short. */
  refuse(shortfall: string): WorkError { return this.refusal(shortfall); }
}

const pool = scoped<RequestWork>();

/** Runs `run` with `w` as the request's pool (the previous one restored after); approx requests have none. */
export function withWork<T>(w: RequestWork | undefined, run: () => T): T {
  return pool.run(w, run);
}

/** The pool of the request in progress, if any. */
export function requestWork(): RequestWork | undefined {
  return pool.current;
}

/** Charges `visits` of work done outside certificates (knot placement) to the request's pool, if any. */
export function spendWork(visits: number): void {
  const p = pool.current;
  if (p) p.left -= visits;
}

/** The work left in the request's pool (Infinity without one): the `before` of roomForAgain. */
export function workLeft(): number {
  return pool.current?.left ?? Infinity;
}

/**
 * True when the request's pool holds the work of one more step like the one begun when
 * `before` was left (always without a pool): a step that only improves a result (a second fit,
 * a rescaled plan) is not taken when it could not finish.
 */
export function roomForAgain(before: number): boolean {
  const p = pool.current;
  return !p || p.left >= before - p.left;
}

/** True when the request's pool is spent (never without one). */
export function workSpent(): boolean {
  const p = pool.current;
  return p !== undefined && p.left <= 0;
}

/**
 * The refinement work left to a request's sizing, and the best certificate it reached: its own
 * budget of `limit`, or the request's pool (`shared`) when a compile request builds this piece.
 */
export class SizingWork implements WorkBudget {
  private own: number;
  private best = Infinity;
  private bestSegments = 0;
  private measured = 0;

  constructor(private readonly ownLimit: number = REQUEST_REFINE_NODES, private readonly shared?: RequestWork) {
    this.own = ownLimit;
  }

  get limit(): number { return this.shared ? this.shared.limit : this.ownLimit; }
  get left(): number { return this.shared ? this.shared.left : this.own; }
  set left(v: number) { if (this.shared) this.shared.left = v; else this.own = v; }

  /**
   * Records a certificate (`bound`: its maxError with the network's rounding) of a PWL with
   * `segments`; when the work is spent and the bound is over `tol`, throws a WorkError naming
   * the flag `arg`, the limit, the best proven bound and the measured error (a shared pool's
   * own sentence, for a piece of a compiled formula).
   */
  charge(c: Certificate, bound: number, segments: number, tol: number, arg: string): void {
    if (bound < this.best) { this.best = bound; this.bestSegments = segments; }
    this.measured = Math.max(this.measured, c.observedMax);
    if (this.left > 0 || bound <= tol) return;
    const reached = `the best proven bound was ${this.best.toPrecision(4)} with ${this.bestSegments} segments ` +
      `(largest error measured: ${this.measured.toPrecision(3)})`;
    if (this.shared) {
      throw this.shared.refuse(`a piece's share of the tolerance, ${tol.toPrecision(3)}, was not proven: ${reached}`);
    }
    throw new WorkError(
      `${arg} ${tol} could not be proven within the work limit of ${this.limit.toPrecision(3)} formula-node visits ` +
      `of the certificates' interval enclosures: ${reached}; raise the ` +
      'tolerance, or write the formula so that its derivatives enclose tighter.', 'work-limit');
  }
}
