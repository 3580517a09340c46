import { InputError, WorkError } from '../errors.ts';
import type { Tube } from './minlink.ts';
import type { Pwl } from './pwl.ts';

/**
 * Data points grouped by x (sorted, one group per distinct x) with the moments least squares
 * and the tube need: count, min and max of y, Σy and Σy².
 */
export interface Points {
  x: Float64Array;
  n: Float64Array;
  yMin: Float64Array;
  yMax: Float64Array;
  sy: Float64Array;
  syy: Float64Array;
  /** Points in all (repeats included). */
  total: number;
  /** The input was not sorted by x. */
  wasUnsorted: boolean;
  /** Distinct x values that occur more than once with different y, and the widest spread. */
  repeatedWithSpread: number;
  widestSpread: number;
  widestSpreadAt: number;
}

/** Groups (x, y) pairs by x; rejects fewer than 2 distinct x or non-finite values. */
export function groupPoints(x: Float64Array, y: Float64Array): Points {
  const m = x.length;
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) throw new InputError(`point ${i + 1}`,
      'have finite x and y', `${x[i]}, ${y[i]}`, { field: 'data', code: 'not-finite' });
  }
  let wasUnsorted = false;
  for (let i = 1; i < m && !wasUnsorted; i++) if (x[i]! < x[i - 1]!) wasUnsorted = true;
  const order = wasUnsorted ? Uint32Array.from({ length: m }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b)
    : new Uint32Array(0);
  const gx = new Float64Array(m), gn = new Float64Array(m), lo = new Float64Array(m), hi = new Float64Array(m),
    sy = new Float64Array(m), syy = new Float64Array(m);
  let G = 0;
  for (let k = 0; k < m; k++) {
    const i = wasUnsorted ? order[k]! : k;
    const xi = x[i]!;
    const yi = y[i]!;
    const g = G - 1;
    if (g >= 0 && gx[g] === xi) {
      gn[g]!++; lo[g] = Math.min(lo[g]!, yi); hi[g] = Math.max(hi[g]!, yi); sy[g]! += yi; syy[g]! += yi * yi;
    } else {
      gx[G] = xi; gn[G] = 1; lo[G] = yi; hi[G] = yi; sy[G] = yi; syy[G] = yi * yi; G++;
    }
  }
  if (G < 2) throw new InputError('data', 'have at least 2 points with different x', m < 2 ? `${m} point${m === 1 ? ''
    : 's'}` : `${m} points, all at x = ${gx[0]}`, { field: 'data', code: 'too-few-points' });
  let repeated = 0, widest = 0, widestAt = gx[0]!;
  for (let g = 0; g < G; g++) {
    const s = hi[g]! - lo[g]!;
    if (s > 0) repeated++;
    if (s > widest) { widest = s; widestAt = gx[g]!; }
  }
  const f = (a: Float64Array) => a.slice(0, G);
  return { x: f(gx), n: f(gn), yMin: f(lo), yMax: f(hi), sy: f(sy), syy: f(syy), total: m, wasUnsorted,
    repeatedWithSpread: repeated, widestSpread: widest, widestSpreadAt: widestAt };
}

/**
 * The tube of the points for max error E: at each distinct x, [max y − E, min y + E] (every
 * point there within E). Empty where E is below half the spread of y at a repeated x: a
 * WorkError naming that x.
 */
export function pointsTube(p: Points, E: number): Tube {
  const lo = new Float64Array(p.x.length);
  const hi = new Float64Array(p.x.length);
  for (let g = 0; g < p.x.length; g++) {
    lo[g] = p.yMax[g]! - E;
    hi[g] = p.yMin[g]! + E;
    if (lo[g]! > hi[g]!) {
      throw new WorkError(
        `--max-error ${E} is below half the spread of y at the repeated x = ${p.x[g]} (y from ` +
        `${p.yMin[g]} to ${p.yMax[g]}): no function is within ${E} of every point there; use at least ` +
        `${(p.yMax[g]! - p.yMin[g]!) / 2}.`);
    }
  }
  return { x: p.x, lo, hi };
}

/** Values of p at sorted abscissas xs (one pass). */
export function pwlAtSorted(pwl: Pwl, xs: Float64Array): Float64Array {
  const out = new Float64Array(xs.length);
  let k = 0;
  const last = pwl.x.length - 2;
  for (let i = 0; i < xs.length; i++) {
    const t = xs[i]!;
    while (k < last && pwl.x[k + 1]! <= t) k++;
    const s = (t - pwl.x[k]!) / (pwl.x[k + 1]! - pwl.x[k]!);
    out[i] = pwl.y[k]! + s * (pwl.y[k + 1]! - pwl.y[k]!);
  }
  return out;
}

/** Max and RMS of |y − p(x)| over all points (repeats included), and where the max is. */
export function pointErrors(p: Points, pwl: Pwl): { maxError: number; rmsError: number; maxAt: number } {
  const v = pwlAtSorted(pwl, p.x);
  let max = 0, at = p.x[0]!, sse = 0;
  for (let g = 0; g < p.x.length; g++) {
    const e = Math.max(Math.abs(p.yMax[g]! - v[g]!), Math.abs(p.yMin[g]! - v[g]!));
    if (e > max) { max = e; at = p.x[g]!; }
    sse += groupSse(p, g, v[g]!);
  }
  return { maxError: max, rmsError: Math.sqrt(sse / p.total), maxAt: at };
}

/** Σ (y − v)² over the points at group g: exact for one point, else spread + n·(mean − v)². */
export function groupSse(p: Points, g: number, v: number): number {
  const n = p.n[g]!;
  if (n === 1) { const e = p.sy[g]! - v; return e * e; }
  const mean = p.sy[g]! / n;
  return Math.max(0, p.syy[g]! - mean * p.sy[g]!) + n * (mean - v) * (mean - v);
}

/**
 * At most `bins` groups: consecutive groups pooled (n, Σy, Σy², min and max of y summed or
 * combined) at their mean x. For searches over knot positions on large data; the final fit
 * is made on all points.
 */
export function binPoints(p: Points, bins: number): Points {
  const G = p.x.length;
  if (G <= bins) return p;
  const x = new Float64Array(bins), n = new Float64Array(bins), yMin = new Float64Array(bins),
    yMax = new Float64Array(bins), sy = new Float64Array(bins), syy = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    const g0 = Math.floor((G * b) / bins);
    const g1 = Math.floor((G * (b + 1)) / bins);
    let sx = 0, cnt = 0, lo = Infinity, hi = -Infinity, s1 = 0, s2 = 0;
    for (let g = g0; g < g1; g++) {
      sx += p.x[g]! * p.n[g]!; cnt += p.n[g]!; lo = Math.min(lo, p.yMin[g]!); hi = Math.max(hi,
        p.yMax[g]!); s1 += p.sy[g]!; s2 += p.syy[g]!;
    }
    x[b] = Math.min(p.x[g1 - 1]!, Math.max(p.x[g0]!, sx / cnt));
    n[b] = cnt; yMin[b] = lo; yMax[b] = hi; sy[b] = s1; syy[b] = s2;
  }
  x[0] = p.x[0]!;
  x[bins - 1] = p.x[G - 1]!;
  return { ...p, x, n, yMin, yMax, sy, syy };
}
