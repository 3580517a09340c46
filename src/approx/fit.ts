import type { Pwl } from './pwl.ts';
import type { Target } from './target.ts';

export type FitKind = 'interpolate' | 'minimax' | 'lsq';

/** Interpolation: the PWL through (x_i, f(x_i)). */
export function fitInterpolate(t: Target, x: Float64Array): Pwl {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = t.f(x[i]!);
  return { x, y };
}

// Gauss–Legendre, 5 points on [0, 1]: exact for polynomials of degree ≤ 9 and never
// evaluates at segment ends (so integrable singularities such as sqrt at 0 are fine).
const GL_S = [0.04691007703066800, 0.23076534494715845, 0.5, 0.76923465505284155, 0.95308992296933200];
const GL_W = [0.11846344252809454, 0.23931433524968324, 0.28444444444444444, 0.23931433524968324, 0.11846344252809454];

/**
 * Least squares: the continuous PWL on the given knots minimizing ∫(f − p)² over the domain.
 * Hat-function basis: the Gram matrix is tridiagonal (h_{i−1}/6, (h_{i−1}+h_i)/3, h_i/6),
 * the right side ∫ f·φ_i by 5-point Gauss–Legendre per segment; solved by the Thomas
 * algorithm (the matrix is symmetric positive definite and diagonally dominant).
 */
export function fitLeastSquares(t: Target, x: Float64Array): Pwl {
  const n = x.length - 1;
  const diag = new Float64Array(n + 1);
  const off = new Float64Array(n);
  const rhs = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const h = x[i + 1]! - x[i]!;
    diag[i]! += h / 3;
    diag[i + 1]! += h / 3;
    off[i] = h / 6;
    for (let q = 0; q < 5; q++) {
      const s = GL_S[q]!;
      const fv = t.f(x[i]! + s * h) * GL_W[q]! * h;
      rhs[i]! += fv * (1 - s);
      rhs[i + 1]! += fv * s;
    }
  }
  // Thomas algorithm.
  const c = new Float64Array(n + 1);
  const d = new Float64Array(n + 1);
  c[0] = (off[0] ?? 0) / diag[0]!;
  d[0] = rhs[0]! / diag[0]!;
  for (let i = 1; i <= n; i++) {
    const m = diag[i]! - off[i - 1]! * c[i - 1]!;
    c[i] = i < n ? off[i]! / m : 0;
    d[i] = (rhs[i]! - off[i - 1]! * d[i - 1]!) / m;
  }
  const y = new Float64Array(n + 1);
  y[n] = d[n]!;
  for (let i = n - 1; i >= 0; i--) y[i] = d[i]! - c[i]! * y[i + 1]!;
  return { x, y };
}

/** Samples per segment for the minimax program (s in (0, 1], the left end is the knot). */
const MINIMAX_SAMPLES = 23; // odd: s = 1/2 is among the samples
/**
 * Past this many segments each segment is short enough that f is nearly quadratic on it, and
 * the O(n·m²) feasibility passes would take minutes: 5 samples per segment (s = 1/2 among
 * them) and t to a relative 1e-3 instead of 1e-9 (the certificate is computed afterwards either way;
 * only optimality moves).
 */
const MANY_SEGMENTS = 20_000;

/**
 * Minimax: the continuous PWL on the given knots with the least max error, as the linear
 * program min t s.t. |p(x_j) − f(x_j)| ≤ t on MINIMAX_SAMPLES points per segment (plus the
 * knots). Solved by bisection on t with an exact feasibility test: the feasible values of
 * y_{i+1} given y_i ∈ I_i form an interval (the projection of a convex polygon), found in
 * O(samples²) per segment; a backward pass then picks values. The certified error is
 * computed afterwards over the whole continuum, so the sampling only affects optimality.
 */
export function fitMinimax(t: Target, x: Float64Array, interpolated?: Pwl): Pwl {
  const n = x.length - 1;
  const fk = Float64Array.from(x, (v) => t.f(v));
  const m = n > MANY_SEGMENTS ? 5 : MINIMAX_SAMPLES;
  const precision = n > MANY_SEGMENTS ? 1e-3 : 1e-9;
  const S = Float64Array.from({ length: m }, (_, j) => (j + 1) / (m + 1));
  const fs = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const h = x[i + 1]! - x[i]!;
    for (let j = 0; j < m; j++) fs[i * m + j] = t.f(x[i]! + S[j]! * h);
  }
  // Feasible t: interpolation error on the samples is an upper bound.
  let tHi = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const s = S[j]!;
      tHi = Math.max(tHi, Math.abs(fk[i]! * (1 - s) + fk[i + 1]! * s - fs[i * m + j]!));
    }
  }
  if (tHi === 0) return interpolated ?? { x, y: fk };
  let tLo = 0;
  let best: Float64Array | null = null;
  const lo = new Float64Array(n + 1);
  const hi = new Float64Array(n + 1);
  const P = positions(S);
  for (let iter = 0; iter < 48 && tHi - tLo > precision * tHi; iter++) {
    const tm = (tLo + tHi) / 2;
    const y = feasible(tm, fk, fs, P, n, lo, hi);
    if (y) {
      tHi = tm;
      best = y;
    } else tLo = tm;
  }
  if (!best) best = feasible(tHi, fk, fs, P, n, lo, hi) ?? fk;
  return { x, y: best };
}

/** The constants of the sample positions s_j that every feasibility pass reuses. */
interface Positions {
  m: number;
  s: Float64Array;
  /** 1 − s_j. */
  rest: Float64Array;
  /** b_j = (1 − s_j)/s_j ≥ 0, the slope of v's bounds in u. */
  b: Float64Array;
  /** b_k − b_j at [j·m + k]. */
  coef: Float64Array;
}

function positions(S: Float64Array): Positions {
  const m = S.length;
  const rest = Float64Array.from(S, (s) => 1 - s);
  const b = Float64Array.from(S, (s) => (1 - s) / s);
  const coef = new Float64Array(m * m);
  for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) coef[j * m + k] = b[k]! - b[j]!;
  return { m, s: S, rest, b, coef };
}

/** Scratch arrays of one pass: a_j = (f_j − t)/s_j and c_j = (f_j + t)/s_j of one segment. */
interface Scratch { a: Float64Array; c: Float64Array }

/**
 * The feasible interval of u = y_i given u ∈ [lo, hi] (the forward projection's first half):
 * for all j, k: (b_k − b_j)·u ≤ c_k − a_j (else v's lower bound passes its upper bound), and
 * v within t of f_{i+1}. Returns false when empty; the bounds are left in `u`.
 */
function feasibleU(P: Positions, w: Scratch, vMin: number, vMax: number, u: [number, number]): boolean {
  const { m, b, coef } = P;
  const { a, c } = w;
  let uLo = u[0];
  let uHi = u[1];
  for (let j = 0; j < m; j++) {
    const aj = a[j]!;
    const row = j * m;
    for (let k = 0; k < m; k++) {
      const cf = coef[row + k]!;
      const rhs = c[k]! - aj;
      if (cf > 0) uHi = Math.min(uHi, rhs / cf);
      else if (cf < 0) uLo = Math.max(uLo, rhs / cf);
      else if (rhs < 0) return false;
    }
    // With the knot bound on v: a_j − b_j u ≤ f_{i+1} + t and f_{i+1} − t ≤ c_j − b_j u.
    const bj = b[j]!;
    if (bj > 0) {
      uLo = Math.max(uLo, (aj - vMax) / bj);
      uHi = Math.min(uHi, (c[j]! - vMin) / bj);
    }
  }
  u[0] = uLo;
  u[1] = uHi;
  return uLo <= uHi;
}

/** Forward projection of feasible intervals, then a backward choice; null if infeasible. */
function feasible(
  t: number, fk: Float64Array, fs: Float64Array, P: Positions, n: number,
  lo: Float64Array, hi: Float64Array,
): Float64Array | null {
  const { m, s, b } = P;
  const w: Scratch = { a: new Float64Array(m), c: new Float64Array(m) };
  const { a, c } = w;
  const u: [number, number] = [0, 0];
  lo[0] = fk[0]! - t;
  hi[0] = fk[0]! + t;
  for (let i = 0; i < n; i++) {
    // Constraints on (u, v) = (y_i, y_{i+1}): f_j − t ≤ u(1−s_j) + v s_j ≤ f_j + t.
    // As bounds on v: a_j − b_j u ≤ v ≤ c_j − b_j u, plus the knot: f_{i+1} − t ≤ v ≤ f_{i+1} + t.
    const base = i * m;
    for (let j = 0; j < m; j++) {
      a[j] = (fs[base + j]! - t) / s[j]!;
      c[j] = (fs[base + j]! + t) / s[j]!;
    }
    let vLo = fk[i + 1]! - t;
    let vHi = fk[i + 1]! + t;
    u[0] = lo[i]!;
    u[1] = hi[i]!;
    if (!feasibleU(P, w, vLo, vHi, u)) return null;
    // L and U are non-increasing in u: min v = L(uHi), max v = U(uLo).
    for (let j = 0; j < m; j++) {
      vLo = Math.max(vLo, a[j]! - b[j]! * u[1]);
      vHi = Math.min(vHi, c[j]! - b[j]! * u[0]);
    }
    if (vLo > vHi) return null;
    lo[i + 1] = vLo;
    hi[i + 1] = vHi;
  }
  return chooseBackward(t, fs, P, n, lo, hi);
}

/** The backward pass: y_n mid-interval, then each y_i mid-way in what y_{i+1} allows. */
function chooseBackward(
  t: number, fs: Float64Array, P: Positions, n: number, lo: Float64Array, hi: Float64Array,
): Float64Array {
  const { m, s, rest } = P;
  const y = new Float64Array(n + 1);
  y[n] = (lo[n]! + hi[n]!) / 2;
  for (let i = n - 1; i >= 0; i--) {
    const v = y[i + 1]!;
    let uLo = lo[i]!;
    let uHi = hi[i]!;
    for (let j = 0; j < m; j++) {
      const f = fs[i * m + j]!;
      // f − t ≤ u(1−s) + v s ≤ f + t
      uLo = Math.max(uLo, (f - t - v * s[j]!) / rest[j]!);
      uHi = Math.min(uHi, (f + t - v * s[j]!) / rest[j]!);
    }
    y[i] = uLo <= uHi ? (uLo + uHi) / 2 : (lo[i]! + hi[i]!) / 2;
  }
  return y;
}

export function fit(kind: FitKind, t: Target, x: Float64Array): Pwl {
  switch (kind) {
    case 'interpolate': return fitInterpolate(t, x);
    case 'lsq': return fitLeastSquares(t, x);
    case 'minimax': return fitMinimax(t, x);
  }
}
