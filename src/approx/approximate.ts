import { assertMeasuredWithinCertified, InputError, WorkError } from '../errors.ts';
import { cancellingSubexpression } from '../expr/accurate.ts';
import { exprToString } from '../expr/ast.ts';
import { evaluate } from '../net/evaluate.ts';
import { nonFiniteParameter, type Network } from '../net/network.ts';
import { roundingErrorBound } from '../net/rounding.ts';
import { parseFormula } from '../expr/parse.ts';
import { certifyMaxError } from './certify.ts';
import { fit, type FitKind } from './fit.ts';
import { measureErrors, samplesPerSegment } from './measure.ts';
import { placeBySpacing, placeOptimalMax, placeOptimalRms, placeUniform, type Placement } from './placement.ts';
import { networkDriftBound, pwlToNetwork, segmentCount, type Pwl } from './pwl.ts';
import { makeTarget, type Target } from './target.ts';
import { minimalPwl, minimaxForCount } from './minimal.ts';
import { preflight } from './preflight.ts';
import { ToleranceError } from './tolerance.ts';

export { ToleranceError } from './tolerance.ts';

export const MAX_SEGMENTS_LIMIT = 10_000_000;

/**
 * How many segments: a given count, a knot spacing from the left end, or the fewest segments
 * whose certified max error (float64 evaluation included) or measured RMS error is <= `error`.
 */
export type SizeBy =
  | { kind: 'knots'; segments: number }
  | { kind: 'spacing'; h: number }
  | { kind: 'maxError'; error: number }
  | { kind: 'rmsError'; error: number };

/** Options of `approximate`: a formula in one variable, its interval, and how to size the network. */
export interface ApproxOptions {
  /** Formula in one variable, e.g. "sqrt(x)" (mathjs syntax; the functions of expr/ast.ts). */
  expr: string;
  /** The interval [a, b] to cover, a < b, both finite. */
  domain: [number, number];
  /** Segment count, spacing, or a tolerance to reach with the fewest segments. */
  size: SizeBy;
  /** Knot placement: 'optimal' (default; equidistributed, then equalized) or 'uniform'. */
  placement?: Placement;
  /** Values at the knots: 'minimax' (default), 'interpolate', or 'lsq' (default for rmsError). */
  fit?: FitKind | undefined;
  /** Tolerances relative to max |f| on the domain. */
  relative?: boolean | undefined;
  /** Most segments sizing may use (default 1,000,000; at most MAX_SEGMENTS_LIMIT). */
  maxSegments?: number;
  /** Called after each sizing trial (for progress reports). */
  onTrial?: (trial: { segments: number; error: number }) => void;
}

/** What `approximate` built: the PWL, its network, and the certified and measured errors. */
export interface ApproxResult {
  expr: string;
  variable: string;
  domain: [number, number];
  placement: Placement;
  fit: FitKind;
  pwl: Pwl;
  network: Network;
  segments: number;
  /** Proven bound of max |f − network| over the domain, float64 evaluation included. */
  certifiedMax: number;
  /** Of which: the PWL's own error, and float64 rounding of the network. */
  certifiedPwl: number;
  roundingBound: number;
  measuredMax: number;
  measuredMaxAt: number;
  measuredRms: number;
  /** max |f| on the domain: relative errors are errors / scale. */
  scale: number;
  /** Sizing trials (segments tried → certified or RMS error). */
  trials: { segments: number; error: number }[];
  /** Fewest segments any continuous PWL within the tolerance can have (minimum-link placement). */
  segmentsLowerBound?: number;
  /** Least max error any continuous PWL with this many segments can have (--knots with minimum-link minimax). */
  errorLowerBound?: number;
}

export function validateDomain(domain: [number, number], argument = '--domain'): void {
  const [a, b] = domain;
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new InputError(argument, 'have finite ends', `${a}:${b}`, { field: 'domain', code: 'not-finite' });
  if (!(a < b)) throw new InputError(argument, 'be a non-empty interval a:b with a < b', `${a}:${b}`, { field: 'domain', code: 'empty-interval' });
}

/**
 * A one-hidden-layer ReLU network for a formula in one variable on [a, b]: knots placed
 * (uniform or equidistributing |f''|^(1/2), de Boor 1973), values fitted, one ReLU per
 * segment. `certifiedMax` is a proven bound of max |f − network| over the whole domain,
 * float64 evaluation of the network included (approx/certify.ts); `measuredMax` is sampled.
 * Throws InputError for bad options, WorkError when a tolerance needs more than maxSegments.
 */
export function approximate(opts: ApproxOptions): ApproxResult {
  const formula = parseFormula(opts.expr);
  if (formula.variables.length > 1) {
    throw new InputError('expression', 'have at most one variable for approx (use compile for several)', formula.variables.join(', '), { field: 'expr', code: 'too-many-variables' });
  }
  validateDomain(opts.domain);
  const variable = formula.variables[0] ?? 'x';
  const target = makeTarget(formula.expr, variable, opts.domain[0], opts.domain[1]);
  const placement = opts.placement ?? 'optimal';
  const fitKind = opts.fit ?? (opts.size.kind === 'rmsError' ? 'lsq' : 'minimax');
  const limit = opts.maxSegments ?? 1_000_000;
  preflight(target, opts.size, limit, opts.relative ?? false);
  const trials: { segments: number; error: number }[] = [];
  const built = buildPwlBounded(target, opts.size, placement, fitKind, limit, opts.relative ?? false, trials, opts.onTrial);
  return { ...finish(opts.expr, target, built.pwl, placement, fitKind, trials, built.certified), ...built.bounds };
}

interface Built {
  pwl: Pwl;
  /** A certificate of the PWL already proven (the smaller of two proven bounds is kept). */
  certified?: number;
  bounds: { segmentsLowerBound?: number; errorLowerBound?: number };
}

/** The PWL-only certificate with a given rtol, plus the network's rounding. */
function certifyWithRounding(t: Target, p: Pwl, rtol: number): number {
  return certifyMaxError(t, p, { rtol }).maxError + roundingOf(p);
}

/**
 * The PWL for a target sized as asked: a given count or spacing, or the fewest segments
 * meeting a tolerance (certified max error incl. float64 network rounding, or measured RMS).
 */
export function buildPwl(
  target: Target, size: SizeBy, placement: Placement, fitKind: FitKind, limit: number, relative: boolean,
  trials: { segments: number; error: number }[] = [],
  onTrial?: (t: { segments: number; error: number }) => void,
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
  trials: { segments: number; error: number }[] = [],
  onTrial?: (t: { segments: number; error: number }) => void,
): Built {
  if (placement === 'optimal' && size.kind === 'maxError' && size.error > 0 && Number.isFinite(size.error)) {
    const tol = relative ? size.error * target.scale : size.error;
    const r = minimalPwl(target, tol, limit, (p, rtol) => certifyWithRounding(target, p, rtol));
    if (r) {
      trials.push({ segments: segmentCount(r.pwl), error: r.certified });
      onTrial?.({ segments: segmentCount(r.pwl), error: r.certified });
      return { pwl: r.pwl, certified: r.certified - roundingOf(r.pwl), bounds: { segmentsLowerBound: r.lowerBound } };
    }
  }
  if (placement === 'optimal' && size.kind === 'knots' && fitKind === 'minimax') {
    checkSegments(size.segments, '--knots', limit);
    const start = buildWith(target, knotsFor(target, 'equidistribute', fitKind, size, size.segments), fitKind);
    if (size.segments > MINIMAX_COUNT_LIMIT) return { pwl: start, bounds: {} };
    const e0 = certifyWithRounding(target, start, 1e-3);
    // At float rounding level (an exact PWL target) there is nothing to gain and the narrowed
    // tube cannot be certified; past MINIMAX_COUNT_LIMIT segments the search (tens of
    // min-link passes over ~8 samples per segment) costs minutes for a gain that vanishes as
    // 1/n (equidistribution is asymptotically optimal): the equidistributed fit stands.
    let r: ReturnType<typeof minimaxForCount> | null = null;
    if (e0 <= 2 ** -36 * target.scale) return { pwl: start, bounds: {} };
    try { r = minimaxForCount(target, size.segments, e0, (p, rtol) => certifyWithRounding(target, p, rtol)); } catch (e) { if (!(e instanceof WorkError)) throw e; }
    if (!r || r.certified > e0) return { pwl: start, bounds: {} };
    return { pwl: r.pwl, certified: r.certified - roundingOf(r.pwl), bounds: { errorLowerBound: r.errorLowerBound } };
  }
  return { pwl: buildPwlSearched(target, size, placement, fitKind, limit, relative, trials, onTrial), bounds: {} };
}

/** Largest `--knots` count given the min-link least-error search (larger: equidistribution). */
export const MINIMAX_COUNT_LIMIT = 20_000;

function buildPwlSearched(
  target: Target, size: SizeBy, placement: Placement, fitKind: FitKind, limit: number, relative: boolean,
  trials: { segments: number; error: number }[],
  onTrial?: (t: { segments: number; error: number }) => void,
): Pwl {
  const build = (n: number) => buildWith(target, knotsFor(target, placement, fitKind, size, n), fitKind);
  if (size.kind === 'knots') {
    checkSegments(size.segments, '--knots', limit);
    return build(size.segments);
  }
  if (size.kind === 'spacing') {
    if (!(size.h > 0) || !Number.isFinite(size.h)) throw new InputError('--spacing', 'be a positive number', size.h, { field: 'spacing', code: 'not-positive' });
    const x = placeBySpacing(target.a, target.b, size.h);
    checkSegments(x.length - 1, '--spacing (segments it makes)', limit);
    return buildWith(target, x, fitKind);
  }
  const arg = size.kind === 'maxError' ? '--max-error' : '--rms-error';
  if (!(size.error > 0) || !Number.isFinite(size.error)) throw new InputError(arg, 'be a positive number', size.error, { field: size.kind, code: 'not-positive' });
  const tol = relative ? size.error * target.scale : size.error;
  const errorOf = (p: Pwl) => {
    if (size.kind !== 'maxError') return measureErrors(target.f, p, samplesPerSegment(segmentCount(p), 2e6)).rmsError;
    const c = certifyMaxError(target, p);
    if (!(c.valueRadius <= tol / 4)) throw inaccurate(target, c.valueRadiusAt, c.valueRadius, `${arg} ${size.error}`);
    const e = c.maxError + roundingOf(p);
    if (!(e < 1e308) && segmentCount(p) >= 16) refuseUnenclosable(target, p, arg, size.error);
    return e;
  };
  return sizeBySearch(build, errorOf, tol, limit, trials, arg, size.error, onTrial);
}

/**
 * f cannot be evaluated accurately enough: even 100-digit decimal arithmetic leaves a proven
 * error bound (radius) above what the tolerance can absorb, or f is undefined there.
 */
export function inaccurate(t: Target, at: number, radius: number, what: string): WorkError {
  const v = Math.abs(t.f(at));
  if (radius <= 2 ** -40 * v) {
    return new WorkError(`${what} is below what float64 resolves of f's values: |f| reaches ${v.toPrecision(4)} at ${t.variable} = ${at}, where float64 numbers are ${(v * 2 ** -52).toPrecision(3)} apart; raise the tolerance or rescale f.`);
  }
  const sub = cancellingSubexpression(t.expr, [t.variable], [at]);
  const where = sub ? `; ${exprToString(sub)} cancels there` : '';
  const how = Number.isFinite(radius) ? `only within ±${radius.toPrecision(3)}` : 'not at all (a pole or the edge of its domain)';
  return new WorkError(`f cannot be evaluated accurately enough on the domain for ${what}: at ${t.variable} = ${at} its value is bounded ${how}, even in 100-digit arithmetic${where}.`);
}

/**
 * More segments never make a bound finite when a segment's enclosure of f is not: refused at
 * once with that segment (x^x at 0, where interval arithmetic meets 0^0), not after a search
 * up to the segment limit.
 */
function refuseUnenclosable(t: Target, p: Pwl, arg: string, given: number): never {
  let at = `[${t.a}, ${t.b}]`;
  for (let i = 0; i + 1 < p.x.length; i++) {
    const e = t.encloseF(p.x[i]!, p.x[i + 1]!);
    if (e.undefinedPart || !Number.isFinite(e.lo) || !Number.isFinite(e.hi)) { at = `[${p.x[i]}, ${p.x[i + 1]}]`; break; }
  }
  throw new ToleranceError(`${arg} ${given} cannot be certified: the formula has no finite interval enclosure on ${t.variable} in ${at}, and more segments cannot change that (the formula is undefined there for interval arithmetic, e.g. 0^0); move the domain's end away from that point.`, 'enclosure', null);
}

const roundingByPwl = new WeakMap<Pwl, number>();

export function roundingOf(p: Pwl): number {
  // Remembered per PWL: the search, the certificate and the result each ask for it.
  const known = roundingByPwl.get(p);
  if (known !== undefined) return known;
  const r = networkDriftBound(p) + roundingErrorBound(pwlToNetwork(p), [p.x[0]!], [p.x[p.x.length - 1]!], 'float64')[0]!;
  roundingByPwl.set(p, r);
  return r;
}

function checkSegments(n: number, arg: string, limit: number): void {
  if (!Number.isInteger(n) || n < 1 || n > limit) throw new InputError(arg, `be a whole number of segments from 1 to ${limit}`, n, { field: arg === '--knots' ? 'knots' : 'spacing', code: 'out-of-range' });
}

function knotsFor(t: Target, placement: Placement, fitKind: FitKind, size: SizeBy, n: number): Float64Array {
  if (placement === 'uniform') return placeUniform(t.a, t.b, n);
  return size.kind === 'rmsError' || (size.kind !== 'maxError' && fitKind === 'lsq') ? placeOptimalRms(t, n) : placeOptimalMax(t, n);
}

function buildWith(t: Target, x: Float64Array, fitKind: FitKind): Pwl {
  return fit(fitKind, t, x);
}

/**
 * Fewest segments whose error is ≤ tol: doubling until one meets it, then bisection on the
 * count. Errors are not always monotone in n; the result is the smallest count found that
 * meets the tolerance among those tried.
 */
function sizeBySearch(
  build: (n: number) => Pwl, errorOf: (p: Pwl) => number, tol: number, limit: number,
  trials: { segments: number; error: number }[], arg: string, given: number,
  onTrial?: (t: { segments: number; error: number }) => void,
): Pwl {
  const memo = new Map<number, { p: Pwl; e: number }>();
  const attempt = (n: number) => {
    let r = memo.get(n);
    if (!r) {
      const p = build(n);
      r = { p, e: errorOf(p) };
      memo.set(n, r);
      trials.push({ segments: n, error: r.e });
      onTrial?.({ segments: n, error: r.e });
    }
    return r;
  };
  let lo = 0; // largest count known to fail
  let loE = Infinity;
  let hi = 1;
  let r = attempt(hi);
  let prev: { n: number; e: number } | null = null;
  let best = r;
  let bestN = hi;
  while (r.e > tol) {
    lo = hi;
    loE = r.e;
    // More segments made it worse twice over: the bound is no longer the fit's error but the
    // network's own rounding (large slope terms that cancel), which grows with n.
    if (prev && r.e > 1.5 * best.e && hi > 4 * bestN) {
      throw new ToleranceError(`${arg} ${given} cannot be met by a one-hidden-layer network here: the best certified error was ${best.e.toPrecision(4)} with ${bestN} segments, and more segments raise it (at ${hi} segments: ${r.e.toPrecision(4)}), because the worst-case float64 rounding of its sums of large, cancelling slope terms grows with their number; raise the tolerance.`, 'rounding', { error: best.e, segments: bestN });
    }
    if (r.e < best.e) { best = r; bestN = hi; }
    if (hi >= limit) {
      throw new ToleranceError(`${arg} ${given} cannot be met within ${limit} segments: the best reached was ${r.e.toPrecision(4)} with ${hi} segments (raise --max-segments or the tolerance).`, 'segments', { error: Math.min(r.e, best.e), segments: r.e <= best.e ? hi : bestN });
    }
    // Error ~ C·n^-p: p from the last two trials (2 for smooth f at first), jump to the
    // predicted count.
    let p = 2;
    if (prev && prev.e > r.e && r.e > 0) p = Math.min(4, Math.max(0.25, Math.log(prev.e / r.e) / Math.log(hi / prev.n)));
    const predicted = Math.ceil(hi * Math.pow(r.e / tol, 1 / p) * 1.02);
    prev = { n: hi, e: r.e };
    hi = Math.min(limit, Math.max(hi + 1, Math.min(hi * 1000, Number.isFinite(predicted) ? predicted : 2 * hi)));
    r = attempt(hi);
  }
  // Interpolation search in log-log space, bisection when it stalls.
  let hiE = r.e;
  let sameSide = 0;
  let lastSide = 0;
  while (hi - lo > 1) {
    let mid = Math.floor((lo + hi) / 2);
    if (lo > 0 && Number.isFinite(loE) && hiE > 0 && loE > hiE && sameSide < 2) {
      const s = Math.log(loE / tol) / Math.log(loE / hiE);
      const guess = Math.round(Math.exp(Math.log(lo) + s * Math.log(hi / lo)));
      mid = Math.min(hi - 1, Math.max(lo + 1, guess));
    }
    const m = attempt(mid);
    const side = m.e <= tol ? 1 : -1;
    sameSide = side === lastSide ? sameSide + 1 : 0;
    lastSide = side;
    if (side > 0) { hi = mid; hiE = m.e; } else { lo = mid; loE = m.e; }
  }
  return attempt(hi).p;
}

function finish(text: string, t: Target, pwl: Pwl, placement: Placement, fitKind: FitKind, trials: { segments: number; error: number }[], known?: number): ApproxResult {
  const network = pwlToNetwork(pwl, t.variable, 'y');
  const bad = nonFiniteParameter(network);
  if (bad) throw new WorkError(`the network cannot be built in float64: it would carry a weight that is not finite (${bad}); the function's values or slopes on the domain are beyond what float64 can hold here.`);
  const c = certifyMaxError(t, pwl);
  if (!(c.valueRadius < Infinity)) throw inaccurate(t, c.valueRadiusAt, c.valueRadius, 'a certified error');
  // `known`: a certificate of the same PWL by the same proof at a finer refinement (minlink).
  const cert = known !== undefined && known < c.maxError ? { ...c, maxError: Math.max(known, c.observedMax) } : c;
  const rounding = roundingOf(pwl);
  const n = segmentCount(pwl);
  const measured = measureErrors(t.f, pwl, samplesPerSegment(n));
  // The network itself, checked against the PWL it encodes on a sample of points.
  const m = Math.max(2, Math.min(2001, 4 * n + 1, Math.floor(2e7 / n)));
  const probe = Float64Array.from({ length: m }, (_, i) => t.a + ((t.b - t.a) * i) / (m - 1));
  const netY = evaluate(network, probe);
  let netMax = measured.maxError;
  const out = new Float64Array(1);
  probe.forEach((v, i) => { netMax = Math.max(netMax, Math.abs(t.f(v, out) - netY[i]!) - out[0]!); });
  assertMeasuredWithinCertified(`approx ${text}`, Math.max(netMax, cert.observedMax), cert.maxError + rounding, t.scale);
  return {
    expr: text,
    variable: t.variable,
    domain: [t.a, t.b],
    placement,
    fit: fitKind,
    pwl,
    network,
    segments: n,
    certifiedMax: cert.maxError + rounding,
    certifiedPwl: cert.maxError,
    roundingBound: rounding,
    measuredMax: Math.max(netMax, cert.observedMax),
    measuredMaxAt: measured.maxAt,
    measuredRms: measured.rmsError,
    scale: t.scale,
    trials,
  };
}
