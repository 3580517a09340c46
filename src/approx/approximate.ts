import { assertMeasuredWithinCertified, InputError, WorkError } from '../errors.ts';
import { evaluate } from '../net/evaluate.ts';
import { nonFiniteParameter, type Network } from '../net/network.ts';
import { parseFormula } from '../expr/parse.ts';
import { buildPwlBounded, roundingOf } from './build.ts';
import { certifyMaxError } from './certify.ts';
import type { FitKind } from './fit.ts';
import { measureErrors, samplesPerSegment } from './measure.ts';
import type { Placement } from './placement.ts';
import { pwlToNetwork, segmentCount, type Pwl } from './pwl.ts';
import { inaccurate } from './refusals.ts';
import type { Trial } from './sizing.ts';
import { makeTarget, type Target } from './target.ts';
import { checkApproxOptions } from './options.ts';
import { preflight } from './preflight.ts';
import { withProgress, type ProgressSink } from './progress.ts';

export { ToleranceError } from './tolerance.ts';
/** Kept here for compile/oned.ts, which imports it from this module. */
export { buildPwl } from './build.ts';

export const MAX_SEGMENTS_LIMIT = 10_000_000;

/** Segments a build may use when the caller sets no limit (`maxSegments`, --max-segments). */
export const DEFAULT_MAX_SEGMENTS = 1_000_000;

/** Seconds of estimated work a max-error build may take when the caller sets no limit (`maxSeconds`). */
export const DEFAULT_MAX_SECONDS = 60;

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
  /** Called during the long stages (checking f, tube, construction, certifying, measuring) with how far each got. */
  onProgress?: ProgressSink;
  /**
   * A max-error build whose estimated time (from n*, the segments ∫√|f''| dx / (4√E) predicts,
   * approx/minimal.ts estimatedSeconds) is over this many seconds is refused at once (default 60).
   */
  maxSeconds?: number;
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
  /** Bands cut out of the domain (approx --exclude, compile/approxbands.ts): the certificate covers the rest. */
  exclude?: string[];
}

/** The library's domain [a, b] (the CLI checks its --domain a:b before, in its own notation). */
export function validateDomain(domain: [number, number], argument = 'domain'): void {
  const [a, b] = domain;
  const got = `[${a}, ${b}]`;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new InputError(argument, 'have finite ends', got, { field: 'domain', code: 'not-finite' });
  }
  const rule = 'be a non-empty interval [a, b] with a < b';
  if (!(a < b)) throw new InputError(argument, rule, got, { field: 'domain', code: 'empty-interval' });
  // Placement, sampling and certification divide b − a: past float64's range it is Infinity.
  if (!(b - a < Infinity)) {
    throw new InputError(argument, 'have a width b − a that float64 holds (at most 1.8e308)', got,
      { field: 'domain', code: 'too-wide' });
  }
}

/**
 * A one-hidden-layer ReLU network for a formula in one variable on [a, b]: knots placed
 * (uniform or equidistributing |f''|^(1/2), de Boor 1973), values fitted, one ReLU per
 * segment. `certifiedMax` is a proven bound of max |f − network| over the whole domain,
 * float64 evaluation of the network included (approx/certify.ts); `measuredMax` is sampled.
 * Throws InputError for bad options, WorkError when a tolerance needs more than maxSegments.
 */
export function approximate(opts: ApproxOptions): ApproxResult {
  checkApproxOptions(opts, MAX_SEGMENTS_LIMIT);
  return withProgress(opts.onProgress, opts.maxSeconds ?? DEFAULT_MAX_SECONDS, () => approximateChecked(opts));
}

function approximateChecked(opts: ApproxOptions): ApproxResult {
  const formula = parseFormula(opts.expr);
  if (formula.variables.length > 1) {
    const rule = 'have at most one variable for approx (use compile for several)';
    const got = formula.variables.join(', ');
    throw new InputError('expression', rule, got, { field: 'expr', code: 'too-many-variables' });
  }
  validateDomain(opts.domain);
  const variable = formula.variables[0] ?? 'x';
  const target = makeTarget(formula.expr, variable, opts.domain[0], opts.domain[1]);
  const placement = opts.placement ?? 'optimal';
  const fitKind = opts.fit ?? (opts.size.kind === 'rmsError' ? 'lsq' : 'minimax');
  const limit = opts.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  const relative = opts.relative ?? false;
  preflight(target, opts.size, limit, relative);
  const trials: Trial[] = [];
  const built = buildPwlBounded(target, opts.size, placement, fitKind, limit, relative, trials, opts.onTrial,
    opts.maxSeconds ?? DEFAULT_MAX_SECONDS);
  return { ...finish(opts.expr, target, built.pwl, placement, fitKind, trials, built.certified), ...built.bounds };
}

function finish(
  text: string, t: Target, pwl: Pwl, placement: Placement, fitKind: FitKind, trials: Trial[], known?: number,
): ApproxResult {
  return finishPieces(text, [{ t, pwl, known }], pwl, placement, fitKind, trials);
}

/** One piece of a network's domain: the target there, the PWL built for it, and a certificate already proven. */
export interface BuiltPiece { t: Target; pwl: Pwl; known?: number | undefined }

/**
 * The network of `pwl`, which equals each piece's PWL on the piece (one piece: the whole
 * domain; several: approx --exclude, bridged by a line across each band), certified and
 * measured piece by piece: the certificate is the largest piece's (certifyMaxError, or the
 * finer one `known` from the construction) plus the float64 rounding of the whole network.
 */
export function finishPieces(
  text: string, parts: BuiltPiece[], pwl: Pwl, placement: Placement, fitKind: FitKind, trials: Trial[],
): ApproxResult {
  const network = pwlToNetwork(pwl, parts[0]!.t.variable, 'y');
  const bad = nonFiniteParameter(network);
  if (bad) {
    throw new WorkError(
      `the network cannot be built in float64: it would carry a weight that is not finite (${bad}); the ` +
      `function's values or slopes on the domain are beyond what float64 can hold here.`);
  }
  const rounding = roundingOf(pwl);
  const n = segmentCount(pwl);
  let certifiedPwl = 0, measuredMax = 0, maxAt = NaN, sq = 0, width = 0, scale = 0, rms = NaN;
  for (const { t, pwl: own, known } of parts) {
    // Pieces under `known` cannot raise the result: not refined further (the work caps stay for the rest).
    const c = certifyMaxError(t, own, { enough: known ?? 0 });
    if (!(c.valueRadius < Infinity)) throw inaccurate(t, c.valueRadiusAt, c.valueRadius, 'a certified error');
    // `known`: a certificate of the same PWL by the same proof at a finer refinement (minlink).
    certifiedPwl = Math.max(certifiedPwl, known !== undefined && known < c.maxError ? Math.max(known, c.observedMax)
      : c.maxError);
    const measured = measureErrors(t.f, own, samplesPerSegment(segmentCount(own)));
    const netMax = Math.max(measured.maxError, probeNetwork(network, t, n), c.observedMax);
    if (netMax >= measuredMax) [measuredMax, maxAt] = [netMax, measured.maxAt];
    rms = parts.length === 1 ? measured.rmsError : rms;
    sq += measured.rmsError ** 2 * (t.b - t.a);
    width += t.b - t.a;
    scale = Math.max(scale, t.scale);
  }
  assertMeasuredWithinCertified(`approx ${text}`, measuredMax, certifiedPwl + rounding, scale);
  const first = parts[0]!.t, last = parts[parts.length - 1]!.t;
  return {
    expr: text, variable: first.variable, domain: [first.a, last.b], placement, fit: fitKind, pwl, network, segments: n,
    certifiedMax: certifiedPwl + rounding, certifiedPwl, roundingBound: rounding,
    measuredMax, measuredMaxAt: maxAt, measuredRms: parts.length === 1 ? rms : Math.sqrt(sq / width), scale, trials,
  };
}

/**
 * The network itself checked against f on the target's interval at a sample of points (about
 * 2e7 unit evaluations; 5e6 past 20,000 segments, where each point costs a pass over every unit):
 * the largest proven lower bound of |f − network| seen.
 */
function probeNetwork(network: Network, t: Target, n: number): number {
  const m = Math.max(2, Math.min(2001, 4 * n + 1, Math.floor((n > 20_000 ? 5e6 : 2e7) / n)));
  const probe = Float64Array.from({ length: m }, (_, i) => t.a + ((t.b - t.a) * i) / (m - 1));
  const netY = evaluate(network, probe);
  let netMax = 0;
  const out = new Float64Array(1);
  probe.forEach((v, i) => { netMax = Math.max(netMax, Math.abs(t.f(v, out) - netY[i]!) - out[0]!); });
  return netMax;
}
