import type { Pwl } from './pwl.ts';
import { ToleranceError } from './tolerance.ts';

/** One sizing trial: a segment count and the error it reached (certified max or measured RMS). */
export interface Trial { segments: number; error: number }

/** A trial's PWL and error, built once per count. */
type Attempt = (n: number) => { p: Pwl; e: number };

/** What the user asked: the flag and its value, for the messages. */
interface Asked { arg: string; given: number }

/**
 * Fewest segments whose error is ≤ tol: growing the count until one meets it, then narrowing
 * between the last failing and the first passing count. Errors are not always monotone in n;
 * the result is the smallest count found that meets the tolerance among those tried. Each
 * trial is recorded in `trials` and reported to `onTrial`.
 */
export function sizeBySearch(
  build: (n: number) => Pwl, errorOf: (p: Pwl) => number, tol: number, limit: number,
  trials: Trial[], arg: string, given: number,
  onTrial?: (t: Trial) => void,
): Pwl {
  const memo = new Map<number, { p: Pwl; e: number }>();
  const attempt: Attempt = (n) => {
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
  const bracket = growUntilMet(attempt, tol, limit, { arg, given });
  return narrowDown(attempt, tol, bracket);
}

/** Counts lo (fails, error loE; 0 for none) and hi (meets the tolerance, error hiE). */
interface Bracket { lo: number; loE: number; hi: number; hiE: number }

/**
 * From 1 segment up, jumping to the count predicted by error ~ C·n^−p (p from the last two
 * trials, 2 for smooth f at first) until one meets tol. Throws a ToleranceError at the limit,
 * or when more segments made the error worse twice over: the bound is then no longer the
 * fit's error but the network's own rounding (large slope terms that cancel), which grows with n.
 */
function growUntilMet(attempt: Attempt, tol: number, limit: number, asked: Asked): Bracket {
  const { arg, given } = asked;
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
    if (prev && r.e > 1.5 * best.e && hi > 4 * bestN) {
      throw new ToleranceError(
        `${arg} ${given} cannot be met by a one-hidden-layer network here: the best certified error ` +
        `was ${best.e.toPrecision(4)} with ${bestN} segments, and more segments raise it (at ${hi} ` +
        `segments: ${r.e.toPrecision(4)}), because the worst-case float64 rounding of its sums of ` +
        `large, cancelling slope terms grows with their number; raise the tolerance.`,
        'rounding',
        { error: best.e, segments: bestN },
      );
    }
    if (r.e < best.e) { best = r; bestN = hi; }
    if (hi >= limit) {
      throw new ToleranceError(
        `${arg} ${given} cannot be met within ${limit} segments: the best reached was ` +
        `${r.e.toPrecision(4)} with ${hi} segments (raise --max-segments or the tolerance).`,
        'segments',
        { error: Math.min(r.e, best.e), segments: r.e <= best.e ? hi : bestN },
      );
    }
    let p = 2;
    if (prev && prev.e > r.e && r.e > 0) {
      p = Math.min(4, Math.max(0.25, Math.log(prev.e / r.e) / Math.log(hi / prev.n)));
    }
    const predicted = Math.ceil(hi * Math.pow(r.e / tol, 1 / p) * 1.02);
    prev = { n: hi, e: r.e };
    const jump = Math.min(hi * 1000, Number.isFinite(predicted) ? predicted : 2 * hi);
    hi = Math.min(limit, Math.max(hi + 1, jump));
    r = attempt(hi);
  }
  return { lo, loE, hi, hiE: r.e };
}

/** Interpolation search in log-log space between the bracket's counts, bisection when it stalls. */
function narrowDown(attempt: Attempt, tol: number, bracket: Bracket): Pwl {
  let { lo, loE, hi, hiE } = bracket;
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
