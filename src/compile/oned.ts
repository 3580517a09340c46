import { buildPwl } from '../approx/approximate.ts';
import { certifyMaxError } from '../approx/certify.ts';
import { networkDriftBound, type Pwl } from '../approx/pwl.ts';
import { makeTarget, type Target } from '../approx/target.ts';
import { curvatureIntegral } from '../approx/placement.ts';
import { exprKey, type Expr } from '../expr/ast.ts';
import { derivative } from '../expr/derivative.ts';
import { enclose } from '../expr/interval.ts';

/** A one-variable piece of the compiled formula, approximated on its (widened) input range. */
export interface OneD {
  pwl: Pwl;
  /** Certified max |g − pwl| on the range, plus the drift from forming the weights. */
  certified: number;
  /** Proven Lipschitz constant of g on the range (max |g'|). */
  lipschitz: number;
}

const cache = new Map<string, OneD>();

export function targetFor(fn: Expr, range: [number, number]): Target {
  return makeTarget(fn, 'u', range[0], range[1], 'expression');
}

/** Proven max |g'| on the range (interval enclosure of the derivative). */
/** sqrt(u): ½-Hölder on [0, ∞) (|√a − √b| ≤ √|a − b|) where it is not Lipschitz. */
export function isSqrt(fn: Expr): boolean {
  return exprKey(fn) === 'sqrt($u)';
}

export function isCbrt(fn: Expr): boolean {
  return exprKey(fn) === 'cbrt($u)';
}

/** 2^(2/3): cbrt is ⅓-Hölder with this constant, |∛a − ∛b| ≤ 2^(2/3)·|a − b|^(1/3) (worst case a = −b). */
export const CBRT_HOLDER = Math.cbrt(4);

/**
 * The output error a Hölder (not Lipschitz) piece adds for an input error eIn: √eIn for sqrt,
 * 2^(2/3)·∛eIn for cbrt (its derivative is even and decreasing in |u|, so an interval of
 * length d gains most when centred at 0); null for other functions.
 */
export function holderError(fn: Expr, eIn: number): number | null {
  if (isSqrt(fn)) return Math.sqrt(eIn);
  if (isCbrt(fn)) return CBRT_HOLDER * Math.cbrt(eIn);
  return null;
}

export function lipschitzOf(fn: Expr, range: [number, number]): number {
  const d = enclose(derivative(fn, 'u'), { u: range });
  return Math.max(Math.abs(d.lo), Math.abs(d.hi));
}

/** Asymptotic cost constant c with segments ≈ c / sqrt(error) (shared/DESIGN.md §1, minimax). */
export function costConstant(fn: Expr, range: [number, number]): number {
  return curvatureIntegral(targetFor(fn, range), 0.5) / 4;
}

/**
 * Fewest segments with certified error ≤ tol on the range: the minimum-link construction
 * (approx/minimal.ts; for x² it meets the uniform optimum, elsewhere it is at most the
 * equidistributed count).
 */
export function approximateOnRange(fn: Expr, range: [number, number], tol: number, limit: number): OneD {
  // The limit is part of the key: a piece built under a larger limit may have more segments.
  const key = `${exprKey(fn)}|${range[0]}|${range[1]}|${tol}|${limit}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const t = targetFor(fn, range);
  const pwl = buildPwl(t, { kind: 'maxError', error: tol }, 'optimal', 'minimax', limit, false);
  // rtol as tight as the construction's (approx/minimal.ts), so the bound stays within tol.
  const certified = certifyMaxError(t, pwl, { rtol: 5e-5 }).maxError + networkDriftBound(pwl);
  const r = { pwl, certified, lipschitz: lipschitzOf(fn, range) };
  if (cache.size > 200) cache.clear();
  cache.set(key, r);
  return r;
}
