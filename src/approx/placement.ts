import type { Target } from './target.ts';
import { fitLeastSquares } from './fit.ts';
import { measureErrors } from './measure.ts';
import { reportEvery } from './progress.ts';
import { spendWork, workSpent } from './budget.ts';
import { treeSize } from '../expr/parse.ts';

/**
 * uniform; equidistribute (|f''|^½ then equalized segment errors); optimal (minimum-link for a max
 * error, else equidistribute).
 */
export type Placement = 'uniform' | 'optimal' | 'equidistribute';

/** n equal segments covering [a, b] exactly (the last knot is b itself). */
export function placeUniform(a: number, b: number, n: number): Float64Array {
  const x = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) x[i] = a + ((b - a) * i) / n;
  x[n] = b;
  return x;
}

/**
 * Knots every h from a; a spacing that does not divide the domain still covers it: the last
 * segment ends at b and is shorter (a remainder below 1e-9·h is merged into the previous one).
 */
export function placeBySpacing(a: number, b: number, h: number): Float64Array {
  const full = Math.floor((b - a) / h + 1e-9);
  const xs: number[] = [];
  for (let i = 0; i <= full; i++) xs.push(a + i * h);
  if (b - xs[xs.length - 1]! > 1e-9 * h) xs.push(b);
  else xs[xs.length - 1] = b;
  return Float64Array.from(xs);
}

/** Interpolation error of the chord on [c, d], sampled (a placement heuristic, not a bound). */
export function chordError(f: (x: number) => number, c: number, d: number, fc = f(c), fd = f(d)): number {
  let e = 0;
  const K = 16;
  for (let j = 1; j < K; j++) {
    const s = j / K;
    e = Math.max(e, Math.abs(fc + (fd - fc) * s - f(c + (d - c) * s)));
  }
  // Near an end where f'' blows up (sqrt at 0) the peak hugs the end: look there too.
  for (const s of [1 / 256, 1 / 64, 63 / 64, 255 / 256]) e = Math.max(e, Math.abs(fc + (fd - fc) * s - f(c
    + (d - c) * s)));
  return e;
}

/** Grid for integrating the knot density: uniform plus geometric clusters at ends and kinks. */
function densityGrid(t: Target): Float64Array {
  let grid = GRIDS.get(t);
  if (!grid) {
    grid = gradedGrid(t);
    GRIDS.set(t, grid);
  }
  return grid;
}

/** Each target's grid, built once: sizing and placement ask for it many times. */
const GRIDS = new WeakMap<Target, Float64Array>();

function gradedGrid(t: Target): Float64Array {
  const pts: number[] = [];
  const N = 8192;
  for (let i = 0; i <= N; i++) pts.push(t.a + ((t.b - t.a) * i) / N);
  const w = t.b - t.a;
  for (const c of [t.a, t.b, ...t.kinks]) {
    for (let k = 14; k <= 60; k++) {
      const d = w * 2 ** -k;
      if (c - d > t.a) pts.push(c - d);
      if (c + d < t.b) pts.push(c + d);
    }
  }
  pts.push(...t.kinks);
  // Sorted, each value once (a zero as +0).
  const sorted = Float64Array.from(pts, (v) => v + 0).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
  return sorted.subarray(0, k);
}

/**
 * Equidistributes the density |f''|^alpha (alpha = 1/2 for max error, 2/5 for RMS error;
 * de Boor, A Practical Guide to Splines, ch. III): knots at equal steps of its integral.
 * Kinks always get a knot; the segments are shared among the smooth pieces between kinks
 * in proportion to their integral (at least one each).
 */
export function placeEquidistributed(t: Target, n: number, alpha: number): Float64Array {
  const grid = densityGrid(t);
  const cum = new Float64Array(grid.length);
  let floor = 0;
  const dens = new Float64Array(grid.length - 1);
  for (let i = 0; i < grid.length - 1; i++) {
    const m = (grid[i]! + grid[i + 1]!) / 2;
    const v = Math.abs(t.f2(m));
    dens[i] = Number.isFinite(v) ? Math.pow(v, alpha) : 0;
  }
  // A small floor keeps knots from leaving regions of zero curvature entirely empty.
  let total0 = 0;
  for (let i = 0; i < dens.length; i++) total0 += dens[i]! * (grid[i + 1]! - grid[i]!);
  floor = total0 > 0 ? (1e-3 * total0) / (t.b - t.a) : 1;
  for (let i = 0; i < dens.length; i++) cum[i + 1] = cum[i]! + (dens[i]! + floor) * (grid[i + 1]! - grid[i]!);

  const breaks = [t.a, ...t.kinks, t.b];
  const at = (v: number) => interpCum(grid, cum, v);
  const pieceMass = breaks.slice(1).map((v, i) => at(v) - at(breaks[i]!));
  const total = pieceMass.reduce((s, v) => s + v, 0);
  const pieces = breaks.length - 1;
  if (n < pieces) n = pieces;
  // Largest-remainder allocation with at least one segment per piece.
  const raw = pieceMass.map((m) => 1 + ((n - pieces) * m) / total);
  const alloc = raw.map(Math.floor);
  let left = n - alloc.reduce((s, v) => s + v, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((p, q) => q[0] - p[0]);
  for (let k = 0; k < left; k++) alloc[order[k % pieces]![1]]!++;
  left = 0;

  const xs: number[] = [t.a];
  for (let p = 0; p < pieces; p++) {
    const c0 = at(breaks[p]!);
    const c1 = at(breaks[p + 1]!);
    const k = alloc[p]!;
    for (let j = 1; j < k; j++) xs.push(invertCum(grid, cum, c0 + ((c1 - c0) * j) / k));
    xs.push(breaks[p + 1]!);
  }
  return strictlyIncreasing(Float64Array.from(xs));
}

function interpCum(grid: Float64Array, cum: Float64Array, v: number): number {
  let lo = 0;
  let hi = grid.length - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (grid[m]! <= v) lo = m; else hi = m; }
  const s = (v - grid[lo]!) / (grid[hi]! - grid[lo]!);
  return cum[lo]! + s * (cum[hi]! - cum[lo]!);
}

function invertCum(grid: Float64Array, cum: Float64Array, c: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (cum[m]! <= c) lo = m; else hi = m; }
  const s = (c - cum[lo]!) / (cum[hi]! - cum[lo]! || 1);
  return grid[lo]! + s * (grid[hi]! - grid[lo]!);
}

function strictlyIncreasing(x: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(1, x.length));
  out[0] = x[0] ?? NaN;
  let k = 1;
  for (let i = 1; i < x.length; i++) if (x[i]! > out[k - 1]!) out[k++] = x[i]!;
  return k === out.length ? out : out.slice(0, k);
}

/**
 * Greedy sweep: from the left, each segment as long as its chord error stays ≤ e (kinks are
 * forced knots). For segment errors that grow with the segment — as the chord error of a
 * convex or concave piece does — this gives the fewest segments reaching e. Returns null
 * as soon as more than `limit` segments would be needed.
 */
export function placeGreedy(t: Target, e: number, limit: number): Float64Array | null {
  const stops = [...t.kinks, t.b];
  const xs: number[] = [t.a];
  let c = t.a;
  let fc = t.f(c);
  for (const stop of stops) {
    while (c < stop) {
      if (xs.length > limit) return null;
      const fs = t.f(stop);
      if (chordError(t.f, c, stop, fc, fs) <= e) { xs.push(stop); c = stop; fc = fs; break; }
      let lo = c;
      let hi = stop;
      for (let k = 0; k < 60; k++) {
        const m = lo + (hi - lo) / 2;
        if (m <= lo || m >= hi) break;
        if (chordError(t.f, c, m, fc) <= e) lo = m;
        else hi = m;
      }
      const next = lo > c ? lo : hi;
      xs.push(next);
      c = next;
      fc = t.f(c);
    }
  }
  return xs.length - 1 > limit ? null : Float64Array.from(xs);
}

/** Largest chord error of the segments (sampled). */
export function maxChordError(t: Target, x: Float64Array): number {
  let e = 0;
  for (let i = 0; i + 1 < x.length; i++) e = Math.max(e, chordError(t.f, x[i]!, x[i + 1]!));
  return e;
}

/** Above this many segments equalization is skipped (equidistribution alone is used). */
export const EQUALIZE_LIMIT = 4000;

/**
 * Optimal knots for max error with n segments: equidistribute |f''|^½, then equalize the
 * segment errors — the smallest e for which the greedy sweep needs ≤ n segments (bisection
 * on e), which minimizes the largest segment error among all placements.
 */
export function placeOptimalMax(t: Target, n: number): Float64Array {
  const seed = placeEquidistributed(t, n, 0.5);
  if (n > EQUALIZE_LIMIT) return seed;
  let eHi = maxChordError(t, seed);
  let best = seed;
  let eLo = 0;
  const counted = countingTarget(t);
  for (let iter = 0; iter < 40; iter++) {
    // A compile request's pool (budget.ts) pays for the sweeps; once it is spent, the knots so far stand.
    if (workSpent()) break;
    const e = iter === 0 ? eHi / 4 : (eLo + eHi) / 2;
    const x = placeGreedy(counted.t, e, n);
    counted.charge();
    if (x) { eHi = e; best = x; } else eLo = e;
    if (eHi - eLo <= 1e-4 * eHi) break;
  }
  return padToCount(best, n);
}

/**
 * Values of f a greedy sweep takes, in the work unit of the request's pool: formula-node visits
 * of interval enclosures, which cost about 8 times a node of a point value (ball arithmetic:
 * ~170 ns a node against ~1.3 µs, measured on a 500-term sum of sines).
 */
const VALUE_VISITS = 1 / 8;

/** `t` with its point values counted; `charge` spends them from the request's pool. */
function countingTarget(t: Target): { t: Target; charge: () => void } {
  let values = 0;
  const nodes = treeSize(t.expr).nodes;
  const f = (x: number, out?: Float64Array, absTol?: number) => { values++; return t.f(x, out, absTol); };
  return {
    t: { ...t, f },
    charge: () => { spendWork(values * nodes * VALUE_VISITS); values = 0; },
  };
}

/** Splits the widest segments until there are exactly n (the greedy may use fewer). */
function padToCount(x: Float64Array, n: number): Float64Array {
  const xs = Array.from(x);
  while (xs.length - 1 < n) {
    let w = -1;
    let k = 0;
    for (let i = 0; i + 1 < xs.length; i++) if (xs[i + 1]! - xs[i]! > w) { w = xs[i + 1]! - xs[i]!; k = i; }
    xs.splice(k + 1, 0, xs[k]! + w / 2);
  }
  return Float64Array.from(xs);
}

/** Optimal knots for RMS error: equidistribute |f''|^(2/5). */
export function placeOptimalRms(t: Target, n: number): Float64Array {
  const seed = placeEquidistributed(t, n, 0.4);
  if (t.kinks.length > 0 || n > 100_000 || n < 2) return seed;
  // Refine (de Boor's iteration): estimate |f''|^(2/5) on each segment from its actual
  // interpolation error, (mean square / h^4)^(1/5) ∝ |f''|^(2/5), and equidistribute that
  // piecewise-constant density again. Keep whichever placement has the lower RMS.
  let best = seed;
  let bestRms = rmsOfLeastSquares(t, seed);
  let x = seed;
  for (let iter = 0; iter < 3; iter++) {
    const m = x.length - 1;
    const mass = new Float64Array(m + 1);
    for (let i = 0; i < m; i++) {
      const c = x[i]!;
      const h = x[i + 1]! - c;
      const fc = t.f(c);
      const fd = t.f(x[i + 1]!);
      let sq = 0;
      for (let j = 1; j < 8; j++) {
        const e = fc + ((fd - fc) * j) / 8 - t.f(c + (h * j) / 8);
        sq += e * e;
      }
      const density = Math.pow(sq / 7 / (h * h * h * h), 0.2);
      mass[i + 1] = mass[i]! + (density + 1e-300) * h;
    }
    const next = new Float64Array(n + 1);
    next[0] = t.a;
    next[n] = t.b;
    let seg = 0;
    for (let k = 1; k < n; k++) {
      const target = (mass[m]! * k) / n;
      while (seg < m - 1 && mass[seg + 1]! < target) seg++;
      const w = (target - mass[seg]!) / (mass[seg + 1]! - mass[seg]! || 1);
      next[k] = x[seg]! + w * (x[seg + 1]! - x[seg]!);
    }
    x = strictlyIncreasing(next);
    if (x.length !== n + 1) break;
    const rms = rmsOfLeastSquares(t, x);
    if (rms < bestRms) { bestRms = rms; best = x; }
  }
  return best;
}

function rmsOfLeastSquares(t: Target, x: Float64Array): number {
  return measureErrors(t.f, fitLeastSquares(t, x), 10).rmsError;
}

/**
 * ∫_a^b |f''|^alpha dx on the graded grid (geometric toward ends and kinks, so integrable
 * singularities like sqrt's at 0 are captured). With alpha = 1/2 this gives the asymptotic
 * optimum of docs/DESIGN.md §1: n* ≈ ∫ sqrt|f''| / (4·sqrt(E)) segments for a best fit.
 */
export function curvatureIntegral(t: Target, alpha = 0.5): number {
  let known = INTEGRALS.get(t);
  if (!known) { known = new Map(); INTEGRALS.set(t, known); }
  let s = known.get(alpha);
  if (s === undefined) { s = integralOf(t, alpha); known.set(alpha, s); }
  return s;
}

/** Each target's curvature integrals by alpha (compile's planner asks for the same one many times). */
const INTEGRALS = new WeakMap<Target, Map<number, number>>();

function integralOf(t: Target, alpha: number): number {
  const grid = densityGrid(t);
  let s = 0;
  for (let i = 0; i + 1 < grid.length; i++) {
    reportEvery(i, 'placing', "f'' at point", grid.length - 1);
    const m = (grid[i]! + grid[i + 1]!) / 2;
    const v = Math.abs(t.f2(m));
    if (Number.isFinite(v)) s += Math.pow(v, alpha) * (grid[i + 1]! - grid[i]!);
  }
  return s;
}

/** Asymptotic optimum segments for max error E (minimax fit, optimal knots). */
export function asymptoticSegments(t: Target, maxError: number): number {
  return curvatureIntegral(t, 0.5) / (4 * Math.sqrt(maxError));
}
