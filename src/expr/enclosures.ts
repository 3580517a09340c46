import * as I from 'interval-arithmetic';
import { erf, normcdf } from './special.ts';

/**
 * Outward enclosures of the functions interval-arithmetic does not round outward enough, or
 * does not have: atan, asin, acos, cbrt, sinh, cosh, erf, normcdf and atan2. interval-arithmetic
 * widens Math.asin etc. by one ulp and clips asin/acos arguments beyond ±1 silently; here each
 * end is widened by about 2 ulp (`outward`), which covers V8's fdlibm functions (< 1 ulp) and
 * our erf/normcdf (< 6 ulp of their value, see special.ts: widened by 8 ulp), and points
 * outside a function's domain are flagged rather than clipped.
 *
 * Method: each of these is monotone on its domain (cosh decreasing then increasing, minimum 1
 * at 0), so the image of [lo, hi] is spanned by the values at the ends (and 1 for cosh when 0 is
 * inside). atan2(y, x) over a box that avoids the origin and the cut (x < 0, y = 0) is the
 * range of angles of a convex set not containing the origin: its extremes lie at the corners.
 */
export type Iv = I.Interval;
const iv = (lo: number, hi: number): Iv => new I.Interval(lo, hi);

/** The ends moved outward by `ulps` × 2^-52 relative (or by the smallest subnormal near 0). */
export function widen(lo: number, hi: number, ulps = 2): Iv {
  const d = (x: number, s: number) => (Number.isFinite(x) ? x + s * Math.max(Math.abs(x) * ulps * 2.25e-16, 5e-324)
    : x);
  return iv(d(lo, -1), d(hi, 1));
}

const PI_HI = 3.1415926535897936; // next double above π
const HALF_PI_HI = PI_HI / 2;

type Flag = { undefinedPart: boolean };

function increasing(f: (x: number) => number, a: Iv, ulps = 2): Iv {
  return widen(f(a.lo), f(a.hi), ulps);
}

export function encloseNew(fn: string, a: Iv, flag: Flag): Iv | null {
  switch (fn) {
    case 'atan': return clip(increasing(Math.atan, a), -HALF_PI_HI, HALF_PI_HI);
    case 'cbrt': return increasing(Math.cbrt, a);
    case 'sinh': return increasing(Math.sinh, a);
    case 'erf': return clip(increasing(erf, a, 8), -1, 1);
    case 'normcdf': return clip(increasing(normcdf, a, 8), 0, 1);
    case 'cosh': {
      const m = Math.max(Math.cosh(a.lo), Math.cosh(a.hi));
      const lo = a.lo > 0 ? Math.cosh(a.lo) : a.hi < 0 ? Math.cosh(a.hi) : 1;
      const w = widen(lo, m);
      return iv(Math.max(1, w.lo), w.hi);
    }
    case 'asin': case 'acos': {
      if (a.lo < -1 || a.hi > 1) flag.undefinedPart = true;
      const lo = Math.max(-1, a.lo);
      const hi = Math.min(1, a.hi);
      if (lo > hi) return iv(NaN, NaN);
      if (fn === 'asin') return clip(widen(Math.asin(lo), Math.asin(hi)), -HALF_PI_HI, HALF_PI_HI);
      return clip(widen(Math.acos(hi), Math.acos(lo)), 0, PI_HI);
    }
    default: return null;
  }
}

function clip(w: Iv, lo: number, hi: number): Iv {
  return iv(Math.max(lo, w.lo), Math.min(hi, w.hi));
}

/**
 * atan2(y, x) on a box. Where the box contains the origin (atan2 undefined) or meets the cut
 * (x < 0 with y reaching both signs or y = 0 from below), the enclosure is [−π, π], flagged.
 */
export function encloseAtan2(y: Iv, x: Iv, flag: Flag): Iv {
  const origin = x.lo <= 0 && x.hi >= 0 && y.lo <= 0 && y.hi >= 0;
  const cut = x.lo < 0 && y.lo < 0 && y.hi >= 0;
  if (origin || cut || [x.lo, x.hi, y.lo, y.hi].some((v) => !Number.isFinite(v))) {
    flag.undefinedPart = true;
    return iv(-PI_HI, PI_HI);
  }
  const corners = [Math.atan2(y.lo, x.lo), Math.atan2(y.lo, x.hi), Math.atan2(y.hi, x.lo), Math.atan2(y.hi, x.hi)];
  return clip(widen(Math.min(...corners), Math.max(...corners)), -PI_HI, PI_HI);
}
