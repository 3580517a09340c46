import type { Pwl } from './pwl.ts';
import type { Target } from './target.ts';

/**
 * Certified max error of a PWL p against f over the whole domain: a proven upper bound of
 * max |f(x) − p(x)|.
 *
 * Method. On any [c, d] with errors e_c = f(c) − p(c), e_d = f(d) − p(d), and s = (x − c)/(d − c),
 *   e(x) = (1−s)e_c + s·e_d − s(1−s)(d−c)²/2 · f''(ξ)       (interpolation remainder, p linear)
 * so with f'' ∈ [m_lo, m_hi] on [c, d] the extremes of two quadratics in s bound e exactly
 * when f'' is constant (x² is certified with no slack). Where no smooth branch is known
 * (a kink inside, f'' unbounded as for sqrt at 0) the zeroth-order bound
 * e ∈ f([c, d]) − hull(p(c), p(d)) is used. Intervals whose bound is not within `rtol` of
 * the error already observed are bisected (up to `maxDepth` times), so the bound comes out
 * tight while every accepted piece is covered by a proven bound.
 *
 * Screening: a table of f'' enclosures on a coarse partition covers most segments with one
 * lookup; only segments the table cannot settle get their own enclosures.
 *
 * Values of f: the truth is the real-valued formula. Each point value comes with a proven
 * bound of its error (t.f: float64 ball arithmetic, or decimal arithmetic where float64 is
 * not accurate enough, expr/accurate.ts); that bound, plus the rounding of f(x) − p(x)
 * (ε(|f| + |p|), ε = 2^−52), is added to the point's error. Enclosures are outward-rounded.
 */
export interface Certificate {
  /** Proven bound of max |f − p| over [a, b]. */
  maxError: number;
  /** Largest |f − p| seen at the points evaluated while certifying (a measured lower bound). */
  observedMax: number;
  /** Where observedMax was seen. */
  observedAt: number;
  /** Segments that needed their own enclosures (not settled by the table). */
  refinedSegments: number;
  /** Largest proven error bound of a value of f used (where f is hard to evaluate, large). */
  valueRadius: number;
  /** Where that was. */
  valueRadiusAt: number;
}

const EPS = 2 ** -52;
/** Most bisection steps spent refining one segment's bound. */
const MAX_REFINE_WORK = 4096;

export function certifyMaxError(t: Target, p: Pwl, options: { rtol?: number; maxDepth?: number } = {}): Certificate {
  const rtol = options.rtol ?? 1e-3;
  const maxDepth = options.maxDepth ?? 48;
  const { x, y } = p;
  const n = x.length - 1;
  const out = new Float64Array(1);
  let valueRadius = 0;
  let valueRadiusAt = x[0]!;
  // f(xv) − pv, and in out[0] the proven bound of f's own error there.
  const err = (xv: number, pv: number) => {
    const v = t.f(xv, out) - pv;
    const r = out[0]!;
    if (!(r <= valueRadius)) { valueRadius = Number.isNaN(r) ? Infinity : r; valueRadiusAt = xv; }
    return v;
  };
  // A point's error allowance: f's proven error r plus the rounding of f − p.
  const slack = (r: number, fv: number, pv: number) => r + EPS * (Math.abs(fv) + Math.abs(pv));

  // Observed errors at knots and at each segment's midpoint: the starting lower bound.
  const ek = new Float64Array(n + 1);
  const rk = new Float64Array(n + 1);
  let observed = 0;
  let observedAt = x[0]!;
  for (let i = 0; i <= n; i++) {
    ek[i] = err(x[i]!, y[i]!);
    rk[i] = out[0]!;
    // Observed errors are proven lower bounds: |f̃ − p| less f̃'s own error bound.
    if (Math.abs(ek[i]!) - rk[i]! > observed) { observed = Math.abs(ek[i]!) - rk[i]!; observedAt = x[i]!; }
  }
  const unbounded = () => ({ maxError: Infinity, observedMax: observed, observedAt, refinedSegments: 0, valueRadius, valueRadiusAt });
  if (!(valueRadius < Infinity)) return unbounded();
  for (let i = 0; i < n; i++) {
    const xm = (x[i]! + x[i + 1]!) / 2;
    const em = Math.abs(err(xm, (y[i]! + y[i + 1]!) / 2)) - out[0]!;
    if (em > observed) { observed = em; observedAt = xm; }
  }

  const table = curvatureTable(t, Math.min(65536, Math.max(256, 4 * n)));
  let bound = 0;
  let refined = 0;
  const threshold = () => observed * (1 + rtol) + 1e-300;

  for (let i = 0; i < n; i++) {
    const c = x[i]!;
    const d = x[i + 1]!;
    const fc = y[i]! + ek[i]!;
    const fd = y[i + 1]! + ek[i + 1]!;
    const sl = slack(rk[i]!, fc, y[i]!) + slack(rk[i + 1]!, fd, y[i + 1]!);
    const m = table.lookup(c, d);
    if (m) {
      const B = quadraticBound(ek[i]!, ek[i + 1]!, d - c, m.lo, m.hi) + sl;
      if (B <= threshold()) { bound = Math.max(bound, B); continue; }
    }
    refined++;
    // Refine this segment by bisection with direct enclosures.
    const yc = y[i]!;
    const slope = (y[i + 1]! - y[i]!) / (d - c);
    const pAt = (v: number) => yc + (v - c) * slope;
    // [lo, hi, error at lo, at hi, depth, f's proven error at lo, at hi]
    const stack: [number, number, number, number, number, number, number][] = [[c, d, ek[i]!, ek[i + 1]!, 0, rk[i]!, rk[i + 1]!]];
    let work = 0;
    while (stack.length) {
      const [lo, hi, elo, ehi, depth, rlo, rhi] = stack.pop()!;
      const plo = pAt(lo);
      const phi = pAt(hi);
      const sl2 = slack(rlo, plo + elo, plo) + slack(rhi, phi + ehi, phi) + 4 * EPS * (Math.abs(yc) + Math.abs(slope) * (d - c));
      let B = Infinity;
      const f2 = t.encloseF2(lo, hi);
      if (f2) B = quadraticBound(elo, ehi, hi - lo, f2.lo, f2.hi) + sl2;
      const fe = t.encloseF(lo, hi);
      if (!fe.undefinedPart) {
        const B0 = Math.max(fe.hi - Math.min(plo, phi), Math.max(plo, phi) - fe.lo) + sl2;
        B = Math.min(B, B0);
      }
      // Bisection only shrinks the enclosure part of B, never the rounding slack sl2: a B
      // within sl2 of the threshold is final (else an exact PWL — abs(x) with a knot at 0,
      // a linear f — would bisect to depth maxDepth everywhere: 2^48 intervals). The work
      // per segment is capped too; stopping early is always sound (B is a proven bound).
      if (B - sl2 <= threshold() || depth >= maxDepth || ++work > MAX_REFINE_WORK || hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) {
        if (!Number.isFinite(B)) B = Number.MAX_VALUE;
        bound = Math.max(bound, B);
        continue;
      }
      const mid = lo + (hi - lo) / 2;
      const emid = err(mid, pAt(mid));
      const rmid = out[0]!;
      if (!(rmid < Infinity)) return unbounded();
      if (Math.abs(emid) - rmid > observed) { observed = Math.abs(emid) - rmid; observedAt = mid; }
      stack.push([lo, mid, elo, emid, depth + 1, rlo, rmid], [mid, hi, emid, ehi, depth + 1, rmid, rhi]);
    }
  }
  return { maxError: Math.max(bound, observed), observedMax: observed, observedAt, refinedSegments: refined, valueRadius, valueRadiusAt };
}

/**
 * max over s ∈ [0, 1] of |(1−s)A + sB − s(1−s)·K·f''|, f'' ∈ [mLo, mHi], K = h²/2.
 * Each side is a quadratic in s whose extreme is found in closed form.
 */
export function quadraticBound(A: number, B: number, h: number, mLo: number, mHi: number): number {
  const K = (h * h) / 2;
  // Upper: g(s) = A + (B−A)s + Ku·s(1−s), Ku = −K·mLo.
  const upper = extremeOfQuadratic(A, B, -K * mLo, +1);
  const lower = extremeOfQuadratic(A, B, -K * mHi, -1);
  return Math.max(upper, -lower) * (1 + 8 * EPS);
}

/** max (dir=+1) or min (dir=−1) over [0,1] of A + (B−A)s + C·s(1−s). */
function extremeOfQuadratic(A: number, B: number, C: number, dir: 1 | -1): number {
  // (No inner closure: this runs once per segment, millions of times.)
  let best = dir > 0 ? Math.max(A, B) : Math.min(A, B);
  if (C * dir > 0) {
    const s = Math.min(1, Math.max(0, (B - A + C) / (2 * C)));
    const v = A + (B - A) * s + C * s * (1 - s);
    best = dir > 0 ? Math.max(best, v) : Math.min(best, v);
  }
  return best;
}

/** Enclosures of f'' on a uniform partition, for one-lookup screening of segments. */
function curvatureTable(t: Target, cells: number) {
  const { a, b } = t;
  const w = (b - a) / cells;
  const lo = new Float64Array(cells);
  const hi = new Float64Array(cells);
  const ok = new Uint8Array(cells);
  for (let k = 0; k < cells; k++) {
    const c = a + k * w;
    const d = k === cells - 1 ? b : a + (k + 1) * w;
    const e = t.encloseF2(c, d);
    if (e) { lo[k] = e.lo; hi[k] = e.hi; ok[k] = 1; }
  }
  return {
    lookup(c: number, d: number): { lo: number; hi: number } | null {
      // Cells overlapping [c, d], widened by one cell for the rounding of the index.
      const k0 = Math.max(0, Math.floor((c - a) / w) - 1);
      const k1 = Math.min(cells - 1, Math.floor((d - a) / w) + 1);
      if (k1 - k0 > 64) return null;
      let mLo = Infinity;
      let mHi = -Infinity;
      for (let k = k0; k <= k1; k++) {
        if (!ok[k]) return null;
        mLo = Math.min(mLo, lo[k]!);
        mHi = Math.max(mHi, hi[k]!);
      }
      return { lo: mLo, hi: mHi };
    },
  };
}
