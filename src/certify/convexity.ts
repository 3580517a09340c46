import type { Expr } from '../expr/ast.ts';

/**
 * Curvature of a formula by the composition rules of disciplined convex programming (Grant,
 * Boyd & Ye, "Disciplined convex programming", in Global Optimization, Springer 2006; Boyd &
 * Vandenberghe, "Convex Optimization", 2004, §3.2.4): a convex nondecreasing function of a
 * convex argument is convex, a concave nondecreasing one of a concave argument is concave,
 * sums and positive multiples keep the curvature, negation flips it. Atoms: |affine|,
 * (affine)^(2k), sqrt of a sum of squares of affine forms plus a constant ≥ 0 (a Euclidean
 * norm), exp, relu, max, cosh (convex); sqrt, log, log1p, min (concave).
 *
 * The answer holds on every convex set where the formula is defined (sqrt and log then see
 * arguments ≥ 0 and > 0): callers check definedness on the box first. Every kink (abs, relu,
 * max, min) sits under nondecreasing atoms of the same curvature, so the smooth branch that
 * holds at a point (expr/derivative.ts, branchAt) is below f for convex f (above for concave)
 * and equal at that point: its gradient there is a subgradient of f (Rockafellar, "Convex
 * Analysis", 1970, Thm 23.8/25.1), which certify/box-bound.ts uses for tangent planes.
 */
export type Curvature = 'affine' | 'convex' | 'concave' | 'unknown';

const flip = (c: Curvature): Curvature => (c === 'convex' ? 'concave' : c === 'concave' ? 'convex' : c);

/** Curvature of a + b. */
function sum(a: Curvature, b: Curvature): Curvature {
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  if (a === 'affine') return b;
  if (b === 'affine' || a === b) return a;
  return 'unknown';
}

/** c·e for a constant c. */
const scale = (c: number, e: Curvature): Curvature => (c === 0 ? 'affine' : c > 0 ? e : flip(e));

const isAffine = (e: Expr): boolean => curvature(e) === 'affine';
/** The value of a constant subexpression (constants under neg, + − × ÷), else null. */
function constantOf(e: Expr): number | null {
  if (e.op === 'const') return e.value;
  if (e.op === 'neg') { const a = constantOf(e.arg); return a === null ? null : -a; }
  if (e.op !== 'add' && e.op !== 'sub' && e.op !== 'mul' && e.op !== 'div') return null;
  const a = constantOf(e.a), b = constantOf(e.b);
  if (a === null || b === null) return null;
  return e.op === 'add' ? a + b : e.op === 'sub' ? a - b : e.op === 'mul' ? a * b : a / b;
}

/** (affine)^2, c·(affine)^2 with c ≥ 0, or a constant ≥ 0: the terms of a squared norm. */
function isSquareTerm(e: Expr): boolean {
  const k = constantOf(e);
  if (k !== null) return k >= 0;
  if (e.op === 'pow') return constantOf(e.b) === 2 && isAffine(e.a);
  if (e.op === 'mul') return ((constantOf(e.a) ?? -1) >= 0 && isSquareTerm(e.b)) || ((constantOf(e.b) ?? -1) >= 0
    && isSquareTerm(e.a));
  if (e.op === 'add') return isSquareTerm(e.a) && isSquareTerm(e.b);
  return false;
}

function call(fn: string, arg: Expr): Curvature {
  const a = curvature(arg);
  switch (fn) {
    case 'abs': return a === 'affine' ? 'convex' : 'unknown';
    case 'sqrt': return isSquareTerm(arg) && a !== 'affine' ? 'convex' : a === 'affine' || a === 'concave' ? 'concave'
      : 'unknown';
    case 'log': case 'log1p': return a === 'affine' || a === 'concave' ? 'concave' : 'unknown';
    case 'exp': case 'relu': return a === 'affine' || a === 'convex' ? 'convex' : 'unknown';
    case 'cosh': return a === 'affine' ? 'convex' : 'unknown';
    default: return constantOf(arg) !== null ? 'affine' : 'unknown';
  }
}

export function curvature(e: Expr): Curvature {
  if (constantOf(e) !== null) return 'affine';
  switch (e.op) {
    case 'const': case 'var': return 'affine';
    case 'neg': return flip(curvature(e.arg));
    case 'add': return sum(curvature(e.a), curvature(e.b));
    case 'sub': return sum(curvature(e.a), flip(curvature(e.b)));
    case 'mul': {
      const ka = constantOf(e.a), kb = constantOf(e.b);
      if (ka !== null) return scale(ka, curvature(e.b));
      if (kb !== null) return scale(kb, curvature(e.a));
      return 'unknown';
    }
    case 'div': {
      const k = constantOf(e.b);
      return k !== null && k !== 0 && Number.isFinite(1 / k) ? scale(1 / k, curvature(e.a)) : 'unknown';
    }
    case 'pow': {
      const p = constantOf(e.b), a = curvature(e.a);
      if (p === null) return 'unknown';
      if (p === 1) return a;
      if (p === 0) return 'affine';
      return a === 'affine' && p >= 2 && p % 2 === 0 ? 'convex' : 'unknown';
    }
    case 'call': return call(e.fn, e.arg);
    case 'call2': {
      if (e.fn === 'atan2') return 'unknown';
      const a = curvature(e.a), b = curvature(e.b);
      const want = e.fn === 'max' ? 'convex' : 'concave';
      const ok = (c: Curvature) => c === 'affine' || c === want;
      return ok(a) && ok(b) ? want : 'unknown';
    }
  }
}
