import { buildPwlBounded } from '../approx/build.ts';
import { certifyMaxError } from '../approx/certify.ts';
import { networkDriftBound, type Pwl } from '../approx/pwl.ts';
import { makeTarget, type Target } from '../approx/target.ts';
import { curvatureIntegral } from '../approx/placement.ts';
import { exprKey, type Expr } from '../expr/ast.ts';
import { branchWithSigns, derivative, kinkSites } from '../expr/derivative.ts';
import { enclose } from '../expr/interval.ts';
import type { GNode } from './graph.ts';

/**
 * The one-variable pieces of a compiled formula (its squares and unary functions g(u)): each
 * approximated on the range of its computed input by the fewest-segment PWL with a certified
 * error, with the Lipschitz and Hölder constants that carry an input error through it.
 */

/** A one-variable piece of the compiled formula, approximated on its (widened) input range. */
export interface OneD {
  pwl: Pwl;
  /** Certified max |g − pwl| on the range, plus the drift from forming the weights. */
  certified: number;
  /** Proven Lipschitz constant of g on the range (max |g'|). */
  lipschitz: number;
}

const cache = new Map<string, OneD>();

const SQUARE: Expr = { op: 'pow', a: { op: 'var', name: 'u' }, b: { op: 'const', value: 2 } };

/** The function g(u) of an approximated node: u² for a square, its fn for a unary node. */
export function fnOf(n: GNode): Expr {
  return n.kind === 'unary' ? n.fn : SQUARE;
}

/** Input range of an approximated node as it will be built (squares on the half range |u|). */
export function halfRange(n: GNode, ranges: readonly [number, number][]): [number, number] {
  const [a, b] = ranges[(n as { arg: number }).arg]!;
  if (n.kind === 'square') return a >= 0 ? [a, b] : b <= 0 ? [-b, -a] : [0, Math.max(-a, b)];
  return [a, b];
}

/** The approx/ target of g on a range. */
export function targetFor(fn: Expr, range: [number, number]): Target {
  return makeTarget(fn, 'u', range[0], range[1], 'expression');
}

/** sqrt(u): ½-Hölder on [0, ∞) (|√a − √b| ≤ √|a − b|) where it is not Lipschitz. */
export function isSqrt(fn: Expr): boolean {
  return exprKey(fn) === 'sqrt($u)';
}

export function isCbrt(fn: Expr): boolean {
  return exprKey(fn) === 'cbrt($u)';
}

/** 2^(2/3): cbrt is ⅓-Hölder with this constant, |∛a − ∛b| ≤ 2^(2/3)·|a − b|^(1/3) (worst case a = −b). */
export const CBRT_HOLDER = Math.cbrt(4);

/** asin(u) or acos(u): slope 1/√(1 − u²), infinite at ±1. */
export function isArcSine(fn: Expr): boolean {
  const k = exprKey(fn);
  return k === 'asin($u)' || k === 'acos($u)';
}

/**
 * The output error a Hölder (not Lipschitz) piece adds for an input error eIn: √eIn for sqrt,
 * 2^(2/3)·∛eIn for cbrt (its derivative is even and decreasing in |u|, so an interval of
 * length d gains most when centred at 0); for asin and acos (inputs within [−1, 1]) the
 * modulus acos(1 − d) = 2·asin(√(d/2)) ≈ √(2d): their slope is even and increasing in |u|, so
 * an interval of length d gains most at an end, π/2 − asin(1 − d) (half-angle identity),
 * widened by 1e-12 for the rounding of Math.asin and Math.sqrt; null for other functions.
 */
export function holderError(fn: Expr, eIn: number): number | null {
  if (isSqrt(fn)) return Math.sqrt(eIn);
  if (isCbrt(fn)) return CBRT_HOLDER * Math.cbrt(eIn);
  if (isArcSine(fn)) return eIn >= 2 ? Math.PI * (1 + 1e-12) : 2 * Math.asin(Math.sqrt(eIn / 2)) * (1 + 1e-12);
  return null;
}

/** Most kinks (abs, relu, max, min) whose 2^k smooth branches lipschitzOf encloses. */
const MAX_KINKS = 6;

/**
 * Proven max |g'| on the range (interval enclosure of the derivative). A g with kinks (a
 * fused curve such as max(u, 0) + log(1 + exp(−|u|))) is continuous and, between kinks, one
 * of its smooth branches (expr/derivative.ts branchWithSigns): the largest enclosure of the
 * branches' derivatives over the whole range bounds its slope. Infinity beyond MAX_KINKS.
 */
export function lipschitzOf(fn: Expr, range: [number, number]): number {
  const sites = kinkSites(fn);
  if (sites.length > MAX_KINKS) return Infinity;
  let k = 0;
  for (let pattern = 0; pattern < 2 ** sites.length; pattern++) {
    const signs = sites.map((_, j) => ((pattern >> j) & 1 ? -1 : 1));
    const branch = sites.length ? branchWithSigns(fn, sites, signs) : fn;
    const d = enclose(derivative(branch, 'u'), { u: range });
    k = Math.max(k, Math.abs(d.lo), Math.abs(d.hi));
  }
  return k;
}

/**
 * Cost constants already found, by g and range: the planner asks for each several times (rewrites,
 * fusion, the split), and each costs a target (its scale checked) and ~8,300 values of g''
 * (a 1,900-term sum of sin(kx): 1,900 nodes asked 4 times each, 56 s before any work).
 */
const costs = new Map<string, number>();

/** Asymptotic cost constant c with segments ≈ c / sqrt(error) (docs/DESIGN.md §1, minimax). */
export function costConstant(fn: Expr, range: [number, number]): number {
  const key = `${exprKey(fn)}|${range[0]}|${range[1]}`;
  let c = costs.get(key);
  if (c === undefined) {
    c = curvatureIntegral(targetFor(fn, range), 0.5) / 4;
    if (costs.size >= 4096) costs.clear();
    costs.set(key, c);
  }
  return c;
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
  const built = buildPwlBounded(t, { kind: 'maxError', error: tol }, 'optimal', 'minimax', limit, false);
  const { pwl } = built;
  // The construction's own certificate of this PWL (rtol 5e-5, approx/minimal.ts) when it has one:
  // certifying it again cost as much as building it (a 500-term sum of sin(kx): 24 of 120 s).
  const proven = built.certified ?? certifyMaxError(t, pwl, { rtol: 5e-5 }).maxError;
  const certified = proven + networkDriftBound(pwl);
  const r = { pwl, certified, lipschitz: lipschitzOf(fn, range) };
  if (cache.size > 200) cache.clear();
  cache.set(key, r);
  return r;
}
