import { WorkError } from '../errors.ts';
import { lsqOnKnots, refineKnots } from './freeknots.ts';
import { minLinkPath, type Tube } from './minlink.ts';
import { binPoints, pointErrors, pointsTube, type Points } from './points.ts';
import { pwlToNetwork, type Pwl } from './pwl.ts';
import type { Network } from '../net/network.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

export type Shape = { monotone?: 'increasing' | 'decreasing'; curvature?: 'convex' | 'concave';
  /** internal: y negated (concave) */ flipped?: boolean;
  /** internal: x negated (decreasing) */ mirrored?: boolean };
export type DataSize = { kind: 'maxError'; error: number } | { kind: 'segments'; segments: number } | {
  kind: 'rmsError'; error: number };

export interface DataFit {
  pwl: Pwl;
  maxError: number;
  maxErrorAt: number;
  rmsError: number;
  /** --max-error: the fewest segments any continuous PWL within E of every point can have. */
  segmentsLowerBound?: number;
}

/** Points for the knot searches on large data (the final fit always uses every point). */
const SEARCH_BINS = 4000;

/**
 * Fits points by a continuous PWL: `maxError` by the minimum-link path through the tube of
 * the points (each ± E; approx/minlink.ts), the fewest segments within E of every point,
 * exactly (the count is the minimum for the points, no slack involved); `segments` by least
 * squares with free knots started from the minimum-link knots of the smallest E reaching that
 * count; `rmsError` by the fewest segments whose free-knot least squares meets it. Shapes are
 * imposed on the values at the knots (imposeShape); shapedNetwork makes them exact on the network.
 */
export function fitPoints(p: Points, size: DataSize, shape: Shape = {}): DataFit {
  // Every shape is fitted as increasing and/or convex: concave by negating y (which turns
  // increasing into decreasing), then decreasing by mirroring x (which keeps convexity).
  if (shape.curvature === 'concave') {
    const opposite = shape.monotone === 'increasing' ? 'decreasing' as const : 'increasing' as const;
    const monotone = shape.monotone && opposite;
    const flipped = fitPoints(negate(p), size, { ...shape, curvature: 'convex', flipped: true,
      ...(monotone ? { monotone } : {}) });
    const pwl = { x: flipped.pwl.x, y: flipped.pwl.y.map((v) => -v) };
    return { ...flipped, pwl, ...errorsOf(p, pwl) };
  }
  if (shape.monotone === 'decreasing') {
    const m = fitPoints(mirror(p), size, { ...shape, monotone: 'increasing', mirrored: true });
    const pwl = { x: m.pwl.x.map((v) => -v).reverse(), y: Float64Array.from(m.pwl.y).reverse() };
    return { ...m, pwl, ...errorsOf(p, pwl) };
  }
  if (size.kind === 'maxError') return fitMaxError(p, size.error, shape);
  if (size.kind === 'segments') return fitSegments(p, size.segments, shape);
  return fitRms(p, size.error, shape);
}

function errorsOf(p: Points, pwl: Pwl) {
  const e = pointErrors(p, pwl);
  return { maxError: e.maxError, maxErrorAt: e.maxAt, rmsError: e.rmsError };
}

function negate(p: Points): Points {
  return { ...p, yMin: p.yMax.map((v) => -v), yMax: p.yMin.map((v) => -v), sy: p.sy.map((v) => -v) };
}

/** The points reflected in x (x → −x, in increasing order again). */
function mirror(p: Points): Points {
  const rev = (a: Float64Array) => Float64Array.from(a).reverse();
  return { ...p, x: p.x.map((v) => -v).reverse(), n: rev(p.n), yMin: rev(p.yMin), yMax: rev(p.yMax), sy: rev(p.sy),
    syy: rev(p.syy), widestSpreadAt: -p.widestSpreadAt };
}

/** The shape the user asked for, from the normalized one a tube was built for (for messages). */
function askedShape(shape: Shape): { monotone: string; curvature: string; x: (v: number) => number } {
  const flipDir = (shape.flipped ? 1 : 0) + (shape.mirrored ? 1 : 0);
  return {
    monotone: flipDir % 2 ? 'decreasing' : 'increasing',
    curvature: shape.flipped ? 'concave' : 'convex',
    x: (v) => (shape.mirrored ? -v : v),
  };
}

function fitMaxError(p: Points, E: number, shape: Shape): DataFit {
  let tube = pointsTube(p, E);
  const lowerBound = minLinkPath(tube).links;
  // The path touches the walls: a relative 1e-9 inside (at most half the width) keeps float64
  // rounding within E.
  const lo = tube.lo.map((v, j) => v + Math.min(1e-9 * E, (tube.hi[j]! - v) / 2));
  tube = { x: tube.x, lo, hi: tube.hi.map((v, j) => v - (lo[j]! - tube.lo[j]!)) };
  if (shape.monotone) tube = monotoneTube(tube, E, shape);
  if (shape.curvature === 'convex') tube = convexTube(tube, E, shape);
  const path = minLinkPath(tube);
  let pwl: Pwl = { x: path.x, y: path.y };
  if (shape.monotone || shape.curvature) {
    pwl = imposeShape(pwl, shape);
    // The projection can leave the tube between knots; then the tube's own wall is the fit.
    if (pointErrors(p, pwl).maxError > E * (1 + 1e-12)) pwl = wallFit(tube, shape);
  }
  return { pwl, ...errorsOf(p, pwl), segmentsLowerBound: lowerBound };
}

/** Increasing: lo' = running max of lo, hi' = running min of hi from the right; empty → WorkError naming x. */
function monotoneTube(t: Tube, E: number, shape: Shape): Tube {
  const n = t.x.length;
  const lo = Float64Array.from(t.lo);
  const hi = Float64Array.from(t.hi);
  for (let j = 1; j < n; j++) lo[j] = Math.max(lo[j]!, lo[j - 1]!);
  for (let j = n - 2; j >= 0; j--) hi[j] = Math.min(hi[j]!, hi[j + 1]!);
  for (let j = 0; j < n; j++) {
    if (lo[j]! > hi[j]!) {
      const asked = askedShape(shape);
      const [least, most] = shape.flipped ? [-hi[j]!, -lo[j]!] : [lo[j]!, hi[j]!];
      throw new WorkError(`no ${asked.monotone} function is within ${E} of every point: at x = ${asked.x(t.x[j]!)} ` +
        `the points on one side need a value of at least ${least} and those on the other at most ${most} (raise ` +
        '--max-error or drop --monotone).');
    }
  }
  return { x: t.x, lo, hi };
}

/** Convex: hi' = the greatest convex minorant of hi (lower hull); below lo → WorkError naming x. */
function convexTube(t: Tube, E: number, shape: Shape): Tube {
  const h = lowerHull(t.x, t.hi);
  const hi = new Float64Array(t.x.length);
  let k = 0;
  for (let j = 0; j < t.x.length; j++) {
    while (k + 2 < h.length && t.x[h[k + 1]!]! <= t.x[j]!) k++;
    const a = h[k]!, b = h[Math.min(k + 1, h.length - 1)]!;
    hi[j] = a === b ? t.hi[a]! : t.hi[a]! + ((t.hi[b]! - t.hi[a]!) * (t.x[j]! - t.x[a]!)) / (t.x[b]! - t.x[a]!);
    if (hi[j]! < t.lo[j]!) {
      const asked = askedShape(shape);
      throw new WorkError(shape.flipped
        ? `no concave function is within ${E} of every point: at x = ${asked.x(t.x[j]!)} the points around it force ` +
          `a value of at least ${-hi[j]!} while it needs at most ${-t.lo[j]!} (raise --max-error or drop --concave).`
        : `no convex function is within ${E} of every point: at x = ${asked.x(t.x[j]!)} the points around it force ` +
          `a value of at most ${hi[j]} while it needs at least ${t.lo[j]} (raise --max-error or drop --convex).`);
    }
  }
  return { x: t.x, lo: t.lo, hi };
}

/** Indices of the lower convex hull of (x_j, y_j), x sorted. */
function lowerHull(x: Float64Array, y: Float64Array): number[] {
  const h: number[] = [];
  for (let j = 0; j < x.length; j++) {
    while (h.length >= 2) {
      const a = h[h.length - 2]!, b = h[h.length - 1]!;
      if ((x[b]! - x[a]!) * (y[j]! - y[a]!) - (y[b]! - y[a]!) * (x[j]! - x[a]!) > 0) break;
      h.pop();
    }
    h.push(j);
  }
  return h;
}

/**
 * Values at the knots made increasing (running max) and/or convex (lower hull of the knots):
 * the PWL is then increasing / convex on its whole domain, as its network.
 */
export function imposeShape(pwl: Pwl, shape: Shape): Pwl {
  let { x, y } = pwl;
  if (shape.curvature === 'convex') {
    const h = lowerHull(x, y);
    x = Float64Array.from(h, (i) => x[i]!);
    y = Float64Array.from(h, (i) => y[i]!);
  }
  if (shape.monotone === 'increasing') {
    y = Float64Array.from(y);
    // Convex and increasing: the lowest point's left part goes flat.
    for (let i = 1; i < y.length; i++) y[i] = Math.max(y[i]!, y[i - 1]!);
  }
  return { x, y };
}

/**
 * The fallback of a shaped --max-error fit: the wall of the shaped tube (lower wall if increasing,
 * upper if convex).
 */
function wallFit(t: Tube, shape: Shape): Pwl {
  return shape.curvature === 'convex' ? { x: t.x, y: Float64Array.from(t.hi) } : { x: t.x, y: Float64Array.from(t.lo) };
}

function fitSegments(p: Points, N: number, shape: Shape): DataFit {
  const b = binPoints(p, SEARCH_BINS);
  // Smallest E whose tube (of the binned points) takes ≤ N links: its knots start the search.
  let lo = b.widestSpread / 2;
  let hi = Math.max(lo, 1e-300);
  let range = 0;
  for (let g = 0; g < b.x.length; g++) range = Math.max(range, Math.abs(b.yMax[g]! - b.yMin[0]!),
    Math.abs(b.yMin[g]! - b.yMax[0]!));
  hi = Math.max(hi, range);
  const links = (E: number) => minLinkPath(pointsTube(b, E)).links;
  for (let it = 0; it < 50 && hi - lo > 1e-4 * hi; it++) { const m = (lo
    + hi) / 2; if (links(m) <= N) hi = m; else lo = m; }
  let knots = minLinkPath(pointsTube(b, hi)).x;
  knots = padKnots(knots, N);
  knots[0] = p.x[0]!;
  knots[knots.length - 1] = p.x[p.x.length - 1]!;
  knots = refineKnots(b, knots);
  let pwl = lsqOnKnots(p, knots).pwl;
  if (shape.monotone || shape.curvature) pwl = imposeShape(pwl, shape);
  return { pwl, ...errorsOf(p, pwl) };
}

/** Splits the widest segments until there are n. */
function padKnots(x: Float64Array, n: number): Float64Array {
  const xs = Array.from(x);
  while (xs.length - 1 < n) {
    let w = -1, k = 0;
    for (let i = 0; i + 1 < xs.length; i++) if (xs[i + 1]! - xs[i]! > w) { w = xs[i + 1]! - xs[i]!; k = i; }
    xs.splice(k + 1, 0, xs[k]! + w / 2);
  }
  return Float64Array.from(xs);
}

function fitRms(p: Points, E: number, shape: Shape): DataFit {
  const cache = new Map<number, DataFit>();
  const at = (n: number) => { let r = cache.get(n); if (!r) { r = fitSegments(p, n, shape); cache.set(n,
    r); } return r; };
  let hiN = 1;
  while (at(hiN).rmsError > E) {
    if (hiN >= p.x.length - 1) {
      throw new WorkError(
        `--rms-error ${E} cannot be met: with a knot at every point the RMS error is ` +
        `${at(hiN).rmsError.toPrecision(4)} (the spread of y at repeated x).`);
    }
    hiN = Math.min(p.x.length - 1, hiN * 2);
  }
  let loN = Math.floor(hiN / 2);
  while (hiN - loN > 1) { const m = (loN + hiN) >> 1; if (at(m).rmsError <= E) hiN = m; else loN = m; }
  return at(hiN);
}

/**
 * The network of pwl (pwlToNetwork's layout) with the shape exact in real arithmetic: the
 * slope on segment i is the sum of the output weights w_0..w_i, convexity is w_i ≥ 0 for
 * i ≥ 1 (a negative rounding residue is set to 0), and increasing is every partial sum ≥ 0:
 * computed in float64 it is within i·u·Σ|w| of the real sum, so a partial sum below that is
 * raised to it (a change far below the fit's error). Returns the network and, for the check,
 * the first segment whose real slope could break the shape (−1: none).
 */
export function shapedNetwork(
  pwl: Pwl, shape: Shape, input: string, output: string,
): { network: Network; violation: number } {
  const network = pwlToNetwork(pwl, input, output);
  const w = network.layers[1]!.weights;
  const n = w.length;
  const sign = shape.monotone === 'decreasing' ? -1 : 1;
  const curv = shape.curvature === 'concave' ? -1 : 1;
  if (shape.curvature) for (let i = 1; i < n; i++) if (curv * w[i]! < 0) w[i] = 0;
  if (shape.monotone) {
    let sum = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      abs += Math.abs(w[i]!);
      const need = (i + 2) * UNIT_ROUNDOFF.float64 * abs * 1.01;
      if (sign * (sum + w[i]!) < need) w[i] = sign * need - sum;
      sum += w[i]!;
    }
  }
  return { network, violation: shapeViolation(network, shape) };
}

/**
 * First segment of a one-layer PWL network whose slope breaks the shape (−1 if none), with the
 * margins of shapedNetwork.
 */
export function shapeViolation(network: Network, shape: Shape): number {
  const w = network.layers[1]!.weights;
  const sign = shape.monotone === 'decreasing' ? -1 : 1;
  const curv = shape.curvature === 'concave' ? -1 : 1;
  let sum = 0;
  let abs = 0;
  for (let i = 0; i < w.length; i++) {
    if (shape.curvature && i > 0 && curv * w[i]! < 0) return i;
    abs += Math.abs(w[i]!);
    sum += w[i]!;
    if (shape.monotone && sign * sum < (i + 1) * UNIT_ROUNDOFF.float64 * abs) return i;
  }
  return -1;
}
