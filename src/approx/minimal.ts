import { InputError, WorkError } from '../errors.ts';
import { ToleranceError } from './tolerance.ts';
import { fitMinimax } from './fit.ts';
import { minLinkPath, type Tube } from './minlink.ts';
import { asymptoticSegments, placeEquidistributed } from './placement.ts';
import { segmentCount, type Pwl } from './pwl.ts';
import type { Target } from './target.ts';
import { report, reportEvery } from './progress.ts';
import { roomForAgain, workLeft } from './budget.ts';
import { treeSize } from '../expr/parse.ts';

const EPS = 2 ** -52;

/**
 * Samples of f for the tube f ± E, and for each sample a proven bound `slack[j]` on how far f
 * strays from its chord between x_j and either neighbour: on a gap of width h,
 * |f − chord| ≤ h²/8·max|f''| (f'' enclosed on the gap), or, where no smooth branch is
 * known (a kink, f'' unbounded as sqrt's at 0), ≤ the width of an enclosure of f on the gap.
 * Samples equidistribute |f''|^½ (so they follow the optimal knots) and include the kinks.
 */
export interface TubeSamples {
  x: Float64Array;
  fx: Float64Array;
  slack: Float64Array;
  /** Splitting stopped at MAX_SPLIT_ENCLOSURES with slacks still over the target. */
  capped?: boolean;
}

/** Most samples a tube keeps after splitting (memory: ~5 arrays of doubles each). */
const MAX_TUBE_SAMPLES = 16_000_000;

/**
 * Most enclosures the splitting of one tube may spend (each encloses f'' or f on a gap: 2–40 µs
 * by the formula's size). sqrt(x+1) − sqrt(x) on [1e12, 2e12] at 1e-13, whose f'' enclosures stay
 * wide from dependency, asked 950,000 in its first round (32 s) and as many again after.
 */
const MAX_SPLIT_ENCLOSURES = 400_000;

/** Most node visits the splitting's enclosures may spend: fewer enclosures for larger formulas (a 500-term sum). */
const MAX_SPLIT_WORK = 40_000_000;

/** The enclosure limit of a target's tube: MAX_SPLIT_ENCLOSURES, or fewer when each encloses a large formula. */
function enclosureLimit(t: Target): number {
  return Math.min(MAX_SPLIT_ENCLOSURES, Math.floor(MAX_SPLIT_WORK / treeSize(t.expr).nodes));
}

export function sampleTube(t: Target, samples: number, target = 0): TubeSamples {
  let x = placeEquidistributed(t, samples, 0.5);
  let gap = tableSlacks(t, x);
  let enclosures = 0;
  let capped = false;
  // Gaps whose slack exceeds the target are split (slack ∝ h²) and enclosed on their own, while
  // the round's count of samples and enclosures, known before it starts, stays within the limits.
  for (let round = 0; round < 4 && target > 0; round++) {
    const pieces = Uint8Array.from(gap, (g) => (g > target ? Math.min(64, Math.ceil(Math.sqrt(g / target) * 1.2)) : 1));
    const added = pieces.reduce((sum, k) => sum + (k > 1 ? k : 0), 0);
    // Splitting only lowers slacks; past the limits the slacks stay as they are (sound).
    if (added === 0 || x.length + added > MAX_TUBE_SAMPLES) break;
    if (enclosures + added > enclosureLimit(t)) { capped = true; break; }
    enclosures += added;
    const xs: number[] = [];
    const gs: number[] = [];
    for (let j = 0; j + 1 < x.length; j++) {
      reportEvery(j, 'tube', `splitting round ${round + 1}, gap`, x.length - 1);
      const c = x[j]!;
      const k = pieces[j]!;
      if (k === 1) { xs.push(c); gs.push(gap[j]!); continue; }
      const h = (x[j + 1]! - c) / k;
      for (let q = 0; q < k; q++) {
        const lo = c + q * h;
        const hi = q === k - 1 ? x[j + 1]! : c + (q + 1) * h;
        xs.push(lo);
        gs.push(gapSlack(t, lo, hi, null));
      }
    }
    xs.push(x[x.length - 1]!);
    x = Float64Array.from(xs);
    gap = Float64Array.from(gs);
  }
  const M = x.length - 1;
  const radius = new Float64Array(1);
  const fx = new Float64Array(M + 1);
  const slack = new Float64Array(M + 1);
  // A sample's proven error joins its slack: a tenth of the target is room enough, and spares
  // decimal arithmetic where float64 cancels ((1 − cos x)/x² near 0: 35% of points, ~2 ms each).
  const accepted = 0.1 * target;
  for (let j = 0; j <= M; j++) {
    reportEvery(j, 'tube', 'f at sample', M);
    fx[j] = t.f(x[j]!, radius, accepted);
    const g = Math.max(j > 0 ? gap[j - 1]! : 0, j < M ? gap[j]! : 0);
    // The proven error of the sampled value (expr/accurate.ts), and the rounding of the chord
    // and of the tube's arithmetic (32 ulp, as in certify.ts).
    slack[j] = g + radius[0]! + 32 * EPS * Math.abs(fx[j]!) + 1e-300;
  }
  return { x, fx, slack, capped };
}

/** Proven bound of |f − chord| on [c, d], from a bound m2 of |f''| there when known. */
function gapSlack(t: Target, c: number, d: number, m2: number | null): number {
  const h = d - c;
  if (m2 === null || !(m2 < Infinity)) {
    const e = t.encloseF2(c, d);
    m2 = e ? Math.max(Math.abs(e.lo), Math.abs(e.hi)) : Infinity;
  }
  let s = (h * h * m2) / 8;
  if (!(s < Infinity)) {
    const e = t.encloseF(c, d);
    s = e.undefinedPart ? Infinity : e.hi - e.lo;
  }
  return s * (1 + 1e-12);
}

/** Gap slacks from a table of |f''| enclosures on up to 4096 uniform cells (one lookup per gap). */
function tableSlacks(t: Target, x: Float64Array): Float64Array {
  const M = x.length - 1;
  const gap = new Float64Array(M);
  const cells = Math.min(M, 4096);
  const w = (t.b - t.a) / cells;
  const cellBound = new Float64Array(cells).fill(NaN);
  const boundOfCell = (k: number): number => {
    if (Number.isNaN(cellBound[k]!)) {
      const e = t.encloseF2(t.a + k * w, k === cells - 1 ? t.b : t.a + (k + 1) * w);
      cellBound[k] = e ? Math.max(Math.abs(e.lo), Math.abs(e.hi)) : Infinity;
    }
    return cellBound[k]!;
  };
  for (let j = 0; j < M; j++) {
    reportEvery(j, 'tube', "f'' enclosed on gap", M);
    const c = x[j]!;
    const d = x[j + 1]!;
    const k0 = Math.max(0, Math.floor((c - t.a) / w) - 1);
    const k1 = Math.min(cells - 1, Math.floor((d - t.a) / w) + 1);
    let m2 = 0;
    for (let k = k0; k <= k1 && m2 < Infinity; k++) m2 = Math.max(m2, boundOfCell(k));
    gap[j] = gapSlack(t, c, d, m2);
  }
  return gap;
}

/** The tube f_j ± (E + sign·slack_j + sign·extra): sign +1 widens, −1 narrows; null if empty. */
export function tubeAround(s: TubeSamples, E: number, sign: 1 | -1, extra: number): Tube | null {
  const n = s.x.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = E + sign * (s.slack[j]! + extra);
    if (!(r >= 0)) return null;
    lo[j] = s.fx[j]! - r;
    hi[j] = s.fx[j]! + r;
  }
  return { x: s.x, lo, hi };
}

/**
 * Fewest segments any continuous PWL within E of f on [a, b] can have (a proven lower bound,
 * up to float64 rounding of the window method's predicates, covered by a relative 1e-9 of E).
 * Argument: such a p satisfies |p − f| ≤ E everywhere, so between samples
 * |p − chord of f| ≤ E + |f − chord| ≤ E + slack: p is a path through the polygonal tube
 * f_j ± (E + slack_j), and no path through it has fewer links than the minimum-link path.
 */
export function segmentsLowerBound(s: TubeSamples, E: number): number {
  const tube = tubeAround(s, E, 1, 1e-9 * E);
  return tube ? minLinkPath(tube).links : 1;
}

export interface MinimalPwl {
  pwl: Pwl;
  /** Proven lower bound on the segments of any continuous PWL within E. */
  lowerBound: number;
  /** The certificate (PWL + rounding) of pwl, ≤ E. */
  certified: number;
}

/** Samples for the tube at tolerance E: ~48 per expected segment, at least 512. */
export function samplesFor(t: Target, E: number, limit: number, n = asymptoticSegments(t, E)): number {
  const est = Number.isFinite(n) ? n : limit;
  return Math.max(512, Math.min(4_000_000, Math.ceil(48 * (Math.min(est, limit) + 2))));
}

/**
 * The continuous PWL with the fewest segments within E of f, certified: the minimum-link path
 * through the tube f ± E narrowed by the sample slack and a margin m, so that it stays within
 * E − m of f over the whole continuum in exact arithmetic; `certify` (the certificate of
 * certify.ts plus network rounding) then proves it. The minimax fit on the same knots is
 * tried too (it usually lies further inside) and the smaller certificate is kept. If the
 * certificate exceeds E the margin grows by the excess (mostly the network's float64 rounding)
 * and the path is rebuilt (at most 6 times). Returns null when no construction certifies within
 * those attempts (the caller may search by counts). Throws a ToleranceError, so that no search
 * follows, when the proven lower bound is over `limit`, or when `rounding` (the network's
 * rounding, part of the certificate) keeps the certificate over E (outOfReach): a narrower
 * tube cannot make up for it.
 */
export function minimalPwl(
  t: Target, E: number, limit: number, certify: (p: Pwl, rtol: number) => number, rounding?: (p: Pwl) => number,
  maxSeconds?: number,
): MinimalPwl | null {
  // Far past the limit (4× it, and 1e5 segments) trying would only sample a tube until memory
  // runs out (compile's one-variable pieces; approx's preflight refuses these before).
  const nStar = asymptoticSegments(t, E);
  if (nStar > Math.max(4 * limit, 100_000)) {
    throw new ToleranceError(
      `a max error of ${E} needs about ${nStar.toPrecision(3)} segments (∫√|f''| dx / (4√E) on optimal ` +
      `knots), more than the limit of ${limit}; raise the tolerance or the limit.`,
      'segments',
      null,
    );
  }
  if (rounding && nStar >= ROUNDING_PROBE_FROM) probeRounding(t, E, nStar, rounding);
  if (maxSeconds !== undefined) refuseLongBuild(t, E, nStar, maxSeconds);
  const base = samplesFor(t, E, limit, nStar);
  let best: { pwl: Pwl; certified: number } | null = null;
  let lowerBound = 0;
  // Level 2 (4× the samples, slack ≤ 2e-4·E) only when level 1 left a gap to the bound.
  for (const [mult, target] of [[1, 0.01], [4, 2e-4]]) {
    if (best && segmentCount(best.pwl) <= lowerBound) break;
    report('tube', `${Math.min(4_000_000, base * mult!)} samples for about ${Math.ceil(nStar)} segments`);
    const s = sampleTube(t, Math.min(4_000_000, base * mult!), target! * E);
    lowerBound = Math.max(lowerBound, segmentsLowerBound(s, E));
    if (lowerBound > limit) throw beyondLimit(E, lowerBound, limit);
    if (s.capped && !tubeAround(s, E, -1, 1e-4 * E)) throw new TubeBeyondLimit(E, s, enclosureLimit(t));
    // A slack no splitting made finite (f or its enclosure undefined at a sample: acos(1 − x) at
    // 0) stays infinite at level 2: 4× the samples, in decimal arithmetic near it, for nothing.
    if (!s.slack.every((v) => v < Infinity)) break;
    const r = constructIn(t, s, E, limit, certify, rounding);
    if (r instanceof ToleranceError) { if (best) break; throw r; } // a level-1 construction already certified is kept
    if (r && (!best || segmentCount(r.pwl) < segmentCount(best.pwl))) best = r;
  }
  return best ? { ...best, lowerBound } : null;
}

/**
 * The tube f ± E has no room left at some sample once its slack is counted, and splitting its
 * gaps further (finer enclosures of f'') would pass MAX_SPLIT_ENCLOSURES: E cannot be certified
 * within the work limit (a search by counts would certify on the same enclosures, for longer).
 */
export class TubeBeyondLimit extends ToleranceError {
  readonly slack: number;
  readonly at: number;
  constructor(E: number, s: TubeSamples, limit: number) {
    let j = 0;
    for (let i = 1; i < s.slack.length; i++) if (s.slack[i]! > s.slack[j]!) j = i;
    super(`--max-error ${E} cannot be certified within the work limit: the interval enclosures of f'' stay too wide ` +
      `(the proven distance of f from its chords reaches ${s.slack[j]!.toPrecision(3)} near x = ` +
      `${s.x[j]!.toPrecision(6)}), and enclosing it on finer pieces needs more than ${limit} ` +
      'enclosures; raise the tolerance, or write the formula so that fewer terms cancel.', 'enclosure', null);
    [this.slack, this.at] = [s.slack[j]!, s.x[j]!];
  }
}

/**
 * Seconds of work of a max-error build, by its segments and the formula's size: the tube's
 * samples (~48 a segment, at least 512), each ~7.5 µs of sampling, walking and certifying plus
 * ~50 ns per formula node for its values and enclosures, and ~3 ms per node of fixed work (the
 * scale grid, the curvature integrals and tables: thousands of values and enclosures of f and
 * f''). Measured on the development machine (2 cores, shared), CPU time: sin on [0, 100] at
 * 1e-7, n* = 60,000: 22–23 s (estimate 22 s); a 2,000-term sum of sin(x + k) at 1e-3: 29 s
 * (estimate 30 s).
 */
export function estimatedSeconds(nStar: number, nodes: number): number {
  return Math.max(512, 48 * (nStar + 2)) * (7.5e-6 + 5e-8 * nodes) + 3e-3 * nodes;
}

/** An InputError on the tolerance when the estimate of the build's time from n* is over `maxSeconds`. */
function refuseLongBuild(t: Target, E: number, nStar: number, maxSeconds: number): void {
  const seconds = estimatedSeconds(nStar, treeSize(t.expr).nodes);
  if (!(seconds > maxSeconds)) return;
  throw new InputError('--max-error', `need at most ${maxSeconds} s of work (--max-seconds): it needs about ` +
    `${Math.ceil(nStar)} segments (∫√|f''| dx / (4√E) on optimal knots), an estimated ${Math.ceil(seconds)} s; raise ` +
    'the tolerance or --max-seconds', E, { field: 'maxError', code: 'out-of-range' });
}

/** Counts n* from which the rounding is estimated before the tube is sampled (seconds of work from here on). */
const ROUNDING_PROBE_FROM = 20_000;

/**
 * Before a tube of ~48·n* samples is built: the float64 rounding of a network with n* segments
 * on equidistributed knots (f in plain float64 at the knots: only the slopes' sizes matter). The
 * construction's PWL has about as many segments on about the same knots (the count is within
 * a few percent of n*, the first knots at the same scale), so when this rounding alone is over
 * E no construction can be certified (sqrt at 1e-12: 5e5 segments, rounding ~1e-5, and 101 s
 * of sampling before the search refused).
 */
function probeRounding(t: Target, E: number, nStar: number, rounding: (p: Pwl) => number): void {
  const x = placeEquidistributed(t, Math.ceil(nStar), 0.5);
  const r = rounding({ x, y: x.map((v) => t.f64(v)) });
  if (r > E) throw new RoundingOverTolerance(E, Math.ceil(nStar), r);
}

/** A ToleranceError from the rounding estimate: `segments` on optimal knots round by `rounding` > E. */
export class RoundingOverTolerance extends ToleranceError {
  constructor(E: number, readonly segments: number, readonly rounding: number) {
    super(`--max-error ${E} cannot be met by a one-hidden-layer network here: it needs about ${segments} segments ` +
      `(∫√|f''| dx / (4√E)), and the worst-case float64 rounding of their sums of large, cancelling slope terms is ` +
      `already ${rounding.toPrecision(3)} on optimal knots; raise the tolerance.`, 'rounding', null);
  }
}

/**
 * The proven lower bound is past the limit: no continuous PWL within E has `limit` segments or
 * fewer, so no search (approx's sizing by trials) is tried after it: it would certify ever
 * larger PWLs up to the limit for nothing.
 */
function beyondLimit(E: number, lowerBound: number, limit: number): ToleranceError {
  return new SegmentsBeyondLimit(E, lowerBound, limit);
}

/** A ToleranceError whose count is proven out of reach: `lowerBound` segments at least, over `limit`. */
export class SegmentsBeyondLimit extends ToleranceError {
  constructor(E: number, readonly lowerBound: number, readonly limit: number) {
    super(`--max-error ${E} cannot be met within ${limit} segments: at least ${lowerBound} are needed (a proven ` +
      'lower bound: the minimum-link path through the tube f ± E); raise --max-segments or the tolerance.',
    'segments', null);
  }
}

/**
 * constructIn's answer when the network's float64 rounding (part of the certificate) keeps the
 * certificate over E: the rounding alone is over E, or narrowing the tube raised the certificate
 * twice in a row with the rounding over E/2 (each narrowing adds segments, whose rounding grows
 * faster than the fit's error falls). Finer samples do not lower the rounding, and a search over
 * counts (approx's sizing by trials) would certify ever larger PWLs up to the limit for nothing:
 * minimalPwl stops at once.
 */
function outOfReach(E: number, closest: Built, last: Built, rounding: number): ToleranceError {
  const n = segmentCount(closest.pwl);
  return new ToleranceError(
    `--max-error ${E} cannot be met by a one-hidden-layer network here: the best certified error was ` +
    `${closest.certified.toPrecision(4)} with ${n} segments, and more segments raise it: the worst-case float64 ` +
    `rounding of its sums of large, cancelling slope terms (${rounding.toPrecision(4)} at ` +
    `${segmentCount(last.pwl)} segments) grows with their number; raise the tolerance.`,
    'rounding',
    { error: closest.certified, segments: n },
  );
}

/** A PWL built and its certificate. */
interface Built { pwl: Pwl; certified: number }

/** The narrowed-tube construction on given samples, certified ≤ E (see minimalPwl). */
function constructIn(
  t: Target, s: TubeSamples, E: number, limit: number, certify: (p: Pwl, rtol: number) => number,
  rounding?: (p: Pwl) => number,
): { pwl: Pwl; certified: number } | ToleranceError | null {
  let margin = 1e-4 * E;
  let closest: { pwl: Pwl; certified: number } | null = null;
  let rises = 0;
  for (let attempt = 0; attempt < 6; attempt++) {
    const tube = tubeAround(s, E, -1, margin);
    if (!tube) return null;
    report('construction', `minimum-link path through ${s.x.length} samples, attempt ${attempt + 1}`);
    const path = minLinkPath(tube);
    if (path.links > limit) return null;
    report('certifying', `${path.links} segments, attempt ${attempt + 1}`);
    const pwl: Pwl = { x: path.x, y: path.y };
    // The certificate's own slack (rtol) must stay inside the margin.
    const rtol = 5e-5;
    const before = workLeft();
    let best = { pwl, certified: certify(pwl, rtol) };
    // The minimax fit on the same knots, when a compile request's pool (budget.ts) can pay for its certificate.
    if (path.links <= 4000 && roomForAgain(before)) {
      const mm = fitMinimax(t, path.x);
      const c = certify(mm, rtol);
      if (c < best.certified) best = { pwl: mm, certified: c };
    }
    if (best.certified <= E) return best;
    rises = closest && best.certified > closest.certified ? rises + 1 : 0;
    if (!closest || best.certified < closest.certified) closest = best;
    const own = rounding ? rounding(best.pwl) : 0;
    if (own > E || (rises >= 2 && own > E / 2)) return outOfReach(E, closest, best, own);
    margin += 1.1 * (best.certified - E) + 1e-4 * E;
  }
  return null;
}

/**
 * The least max error any continuous PWL with n segments reaches on f, to a relative 1e-4:
 * bisection on E over the minimum-link count of the narrowed tube (non-increasing in E), on
 * one set of samples (their slack does not depend on E); then the construction at that E,
 * certified (E raised by 0.1% at a time while the certificate exceeds it). `startError` must
 * be reachable with n segments (the certificate of any n-segment PWL is).
 */
export function minimaxForCount(
  t: Target, n: number, startError: number, certify: (p: Pwl, rtol: number) => number,
): MinimalPwl & { errorLowerBound: number } {
  const s = sampleTube(t, samplesFor(t, startError, n), 0.005 * startError);
  const links = (E: number) => { const tube = tubeAround(s, E, -1, 1e-4 * E); return tube ? minLinkPath(tube).links
    : Infinity; };
  let loE = 0;
  let hiE = startError;
  while (links(hiE) > n && hiE < 1e300) { loE = hiE; hiE *= 2; }
  for (let iter = 0; iter < 60 && hiE - loE > 1e-5 * hiE; iter++) {
    const mid = loE > 0 ? Math.sqrt(loE * hiE) : hiE / 16;
    if (links(mid) <= n) hiE = mid; else loE = mid;
  }
  let built: { pwl: Pwl; certified: number } | null = null;
  for (let k = 0; k < 8 && !built; k++, hiE *= 1.001) {
    const r = constructIn(t, s, hiE, n, certify);
    built = r instanceof ToleranceError ? null : r;
  }
  if (!built) {
    throw new WorkError(
      `no continuous PWL with ${n} segments could be certified near max error ${hiE.toPrecision(4)} for ` +
      `this function.`);
  }
  // The proven side: the largest E (to 1e-4) at which even the widened tube needs more than n
  // links; no continuous PWL with n segments is within it of f.
  let a = 0;
  let b = hiE;
  for (let iter = 0; iter < 60 && b - a > 1e-4 * b; iter++) {
    const mid = a > 0 ? Math.sqrt(a * b) : b / 16;
    if (segmentsLowerBound(s, mid) > n) a = mid; else b = mid;
  }
  return { ...built, lowerBound: segmentsLowerBound(s, built.certified), errorLowerBound: a };
}
