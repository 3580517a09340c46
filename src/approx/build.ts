import { InputError, WorkError } from '../errors.ts';
import { roundingErrorBound } from '../net/rounding.ts';
import type { SizeBy } from './approximate.ts';
import { certifyMaxError } from './certify.ts';
import { fit, type FitKind } from './fit.ts';
import { measureErrors, samplesPerSegment } from './measure.ts';
import { minimalPwl, minimaxForCount } from './minimal.ts';
import { placeBySpacing, placeOptimalMax, placeOptimalRms, placeUniform, type Placement } from './placement.ts';
import { networkDriftBound, pwlToNetwork, segmentCount, type Pwl } from './pwl.ts';
import { inaccurate, refuseUnenclosable } from './refusals.ts';
import { sizeBySearch, type Trial } from './sizing.ts';
import { REQUEST_REFINE_NODES, requestWork, SizingWork } from './budget.ts';
import type { Target } from './target.ts';

/**
 * Building the PWL of a target at the size asked: a count, a spacing, or the fewest segments
 * meeting a tolerance (by the minimum-link construction or by search).
 */

interface Built {
  pwl: Pwl;
  /** A certificate of the PWL already proven (the smaller of two proven bounds is kept). */
  certified?: number | undefined;
  bounds: { segmentsLowerBound?: number; errorLowerBound?: number };
}

/**
 * The PWL-only certificate with a given rtol, plus the network's rounding; pieces whose bound is
 * within `enough` are not refined further (a quarter of the tolerance asked, when there is one).
 */
function certifyWithRounding(t: Target, p: Pwl, rtol: number, enough = 0): number {
  return certifyMaxError(t, p, { rtol, enough }).maxError + roundingOf(p);
}

/** certifyWithRounding at a tolerance, charged to the request's work (a WorkError once spent). */
function certifyCharged(t: Target, p: Pwl, rtol: number, tol: number, work: SizingWork, arg: string): number {
  const c = certifyMaxError(t, p, { rtol, enough: tol / 4, budget: work });
  keepCertified(p, c.maxError);
  const e = c.maxError + roundingOf(p);
  work.charge(c, e, segmentCount(p), tol, arg);
  return e;
}

/**
 * The PWL for a target sized as asked: a given count or spacing, or the fewest segments
 * meeting a tolerance (certified max error incl. float64 network rounding, or measured RMS).
 */
export function buildPwl(
  target: Target, size: SizeBy, placement: Placement, fitKind: FitKind, limit: number, relative: boolean,
  trials: Trial[] = [],
  onTrial?: (t: Trial) => void,
): Pwl {
  return buildPwlBounded(target, size, placement, fitKind, limit, relative, trials, onTrial).pwl;
}

/**
 * buildPwl with what the minimum-link placement proves besides: with `placement: 'optimal'`,
 * a max-error tolerance is met by the minimum-link construction (approx/minimal.ts) and
 * `--knots N` with the minimax fit by the least max error over N segments; the other
 * placements (and RMS sizing) size by search as before.
 */
export function buildPwlBounded(
  target: Target, size: SizeBy, placement: Placement, fitKind: FitKind, limit: number, relative: boolean,
  trials: Trial[] = [],
  onTrial?: (t: Trial) => void,
  maxSeconds?: number,
): Built {
  acceptForSize(target, size, relative);
  // A compile request's pieces spend from its one pool (budget.ts withWork); approx has its own.
  const work = new SizingWork(REQUEST_REFINE_NODES, requestWork());
  if (placement === 'optimal' && size.kind === 'maxError' && size.error > 0 && Number.isFinite(size.error)) {
    const tol = relative ? size.error * target.scale : size.error;
    const built = fewestForTolerance(target, tol, limit, trials, onTrial, maxSeconds, work);
    if (built) return built;
  }
  if (placement === 'optimal' && size.kind === 'knots' && fitKind === 'minimax') {
    return leastErrorForCount(target, size, fitKind, limit);
  }
  const pwl = buildPwlSearched(target, size, placement, fitKind, limit, relative, trials, onTrial, work);
  return { pwl, certified: searchCertified.get(pwl), bounds: {} };
}

/**
 * The PWL-only certificate each searched or constructed PWL got at its tolerance (pieces under a
 * quarter of it final; the least, if proven twice): the result keeps it, as a certificate refined
 * afresh without that target may stop at the work caps with a looser bound (log(exp(x)) at 1e-9:
 * 0.14 where the search proved 1.2e-10), and costs as much again (compile's pieces).
 */
const searchCertified = new WeakMap<Pwl, number>();

function keepCertified(p: Pwl, bound: number): void {
  searchCertified.set(p, Math.min(bound, searchCertified.get(p) ?? Infinity));
}

/**
 * The error of f's values a build at a tolerance accepts without more precise arithmetic:
 * 2^−17 of it, under the tube's first margin (10^−4 of it) and the certificate's rtol (5·10^−5),
 * so the construction's slack absorbs it (a 500-term sum of sines: float64 within 3e-11 at
 * ~20 µs a point, where 2^−44 of max |f| sent every point to decimal arithmetic, ~10 ms each).
 */
const ACCEPTED_PART = 2 ** -17;

/** Sets the target's accepted value error from the tolerance of `size` (none for a count or spacing). */
function acceptForSize(target: Target, size: SizeBy, relative: boolean): void {
  if (size.kind !== 'maxError' && size.kind !== 'rmsError') { target.acceptError(0); return; }
  const tol = relative ? size.error * target.scale : size.error;
  target.acceptError(ACCEPTED_PART * tol);
}

/** The minimum-link construction for a max-error tolerance, with its proven lower bound on the count (or null). */
function fewestForTolerance(
  target: Target, tol: number, limit: number, trials: Trial[], onTrial: ((t: Trial) => void) | undefined,
  maxSeconds: number | undefined, work: SizingWork,
): Built | null {
  const certify = (p: Pwl, rtol: number) => certifyCharged(target, p, rtol, tol, work, '--max-error');
  const r = minimalPwl(target, tol, limit, certify, roundingOf, maxSeconds);
  if (!r) return null;
  trials.push({ segments: segmentCount(r.pwl), error: r.certified });
  onTrial?.({ segments: segmentCount(r.pwl), error: r.certified });
  return { pwl: r.pwl, certified: searchCertified.get(r.pwl), bounds: { segmentsLowerBound: r.lowerBound } };
}

/**
 * N segments with the least max error the min-link search finds (and its proven lower bound),
 * else the equidistributed minimax fit. At float rounding level (an exact PWL target) there is
 * nothing to gain and the narrowed tube cannot be certified; past MINIMAX_COUNT_LIMIT segments
 * the search (tens of min-link passes over ~8 samples per segment) costs minutes for a gain
 * that vanishes as 1/n (equidistribution is asymptotically optimal): the equidistributed fit stands.
 */
function leastErrorForCount(
  target: Target, size: { kind: 'knots'; segments: number }, fitKind: FitKind, limit: number,
): Built {
  checkSegments(size.segments, '--knots', limit);
  const start = buildWith(target, knotsFor(target, 'equidistribute', fitKind, size, size.segments), fitKind);
  if (size.segments > MINIMAX_COUNT_LIMIT) return { pwl: start, bounds: {} };
  const e0 = certifyWithRounding(target, start, 1e-3);
  if (e0 <= 2 ** -36 * target.scale) return { pwl: start, bounds: {} };
  let r: ReturnType<typeof minimaxForCount> | null = null;
  try {
    r = minimaxForCount(target, size.segments, e0, (p, rtol) => certifyWithRounding(target, p, rtol));
  } catch (e) {
    if (!(e instanceof WorkError)) throw e;
  }
  if (!r || r.certified > e0) return { pwl: start, bounds: {} };
  return { pwl: r.pwl, certified: r.certified - roundingOf(r.pwl), bounds: { errorLowerBound: r.errorLowerBound } };
}

/** Largest `--knots` count given the min-link least-error search (larger: equidistribution). */
export const MINIMAX_COUNT_LIMIT = 20_000;

/** A count or spacing as given, or the fewest segments meeting the tolerance by search (sizing.ts). */
function buildPwlSearched(
  target: Target, size: SizeBy, placement: Placement, fitKind: FitKind, limit: number, relative: boolean,
  trials: Trial[],
  onTrial: ((t: Trial) => void) | undefined,
  work: SizingWork,
): Pwl {
  const build = (n: number) => buildWith(target, knotsFor(target, placement, fitKind, size, n), fitKind);
  if (size.kind === 'knots') {
    checkSegments(size.segments, '--knots', limit);
    return build(size.segments);
  }
  if (size.kind === 'spacing') {
    if (!(size.h > 0) || !Number.isFinite(size.h)) {
      throw new InputError('--spacing', 'be a positive number', size.h, { field: 'spacing', code: 'not-positive' });
    }
    const x = placeBySpacing(target.a, target.b, size.h);
    checkSegments(x.length - 1, '--spacing (segments it makes)', limit);
    return buildWith(target, x, fitKind);
  }
  const arg = size.kind === 'maxError' ? '--max-error' : '--rms-error';
  if (!(size.error > 0) || !Number.isFinite(size.error)) {
    throw new InputError(arg, 'be a positive number', size.error, { field: size.kind, code: 'not-positive' });
  }
  const tol = relative ? size.error * target.scale : size.error;
  const errorOf = (p: Pwl) => {
    if (size.kind !== 'maxError') return measureErrors(target.f, p, samplesPerSegment(segmentCount(p), 2e6)).rmsError;
    const c = certifyMaxError(target, p, { enough: tol / 4, budget: work });
    if (!(c.valueRadius <= tol / 4)) throw inaccurate(target, c.valueRadiusAt, c.valueRadius, `${arg} ${size.error}`);
    keepCertified(p, c.maxError);
    const e = c.maxError + roundingOf(p);
    work.charge(c, e, segmentCount(p), tol, arg);
    if (!(e < 1e308) && segmentCount(p) >= 16) refuseUnenclosable(target, p, arg, size.error);
    return e;
  };
  return sizeBySearch(build, errorOf, tol, limit, trials, arg, size.error, onTrial);
}

const roundingByPwl = new WeakMap<Pwl, number>();

/** The float64 rounding of p's network plus the drift of its weights from p (pwl.ts), proven. */
export function roundingOf(p: Pwl): number {
  // Remembered per PWL: the search, the certificate and the result each ask for it.
  const known = roundingByPwl.get(p);
  if (known !== undefined) return known;
  const ends = [p.x[0]!, p.x[p.x.length - 1]!] as const;
  const r = networkDriftBound(p) + roundingErrorBound(pwlToNetwork(p), [ends[0]], [ends[1]], 'float64')[0]!;
  roundingByPwl.set(p, r);
  return r;
}

function checkSegments(n: number, arg: string, limit: number): void {
  const field = arg === '--knots' ? 'knots' : 'spacing';
  if (!Number.isInteger(n) || n < 1 || n > limit) {
    throw new InputError(arg, `be a whole number of segments from 1 to ${limit}`, n, { field, code: 'out-of-range' });
  }
}

function knotsFor(t: Target, placement: Placement, fitKind: FitKind, size: SizeBy, n: number): Float64Array {
  if (placement === 'uniform') return placeUniform(t.a, t.b, n);
  const forRms = size.kind === 'rmsError' || (size.kind !== 'maxError' && fitKind === 'lsq');
  return forRms ? placeOptimalRms(t, n) : placeOptimalMax(t, n);
}

function buildWith(t: Target, x: Float64Array, fitKind: FitKind): Pwl {
  return fit(fitKind, t, x);
}

