import type { Pwl } from './pwl.ts';
import type { Target } from './target.ts';
import { report, reportEvery } from './progress.ts';
import { treeSize } from '../expr/parse.ts';

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
 * the error already observed, nor of the least bound bisection could reach (rounding slack,
 * the piece's end errors), are bisected (up to `maxDepth` times), so the bound comes out
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
  /** Pieces of those segments bounded by enclosures (the refinement's work). */
  pieces: number;
  /** Largest proven error bound of a value of f used (where f is hard to evaluate, large). */
  valueRadius: number;
  /** Where that was. */
  valueRadiusAt: number;
}

const EPS = 2 ** -52;
/**
 * Most bisection steps spent refining one segment's bound, or, with CertifyOptions.enough, the
 * certificate's piece cap shared by its segments when that is more (one segment of log(exp(x))
 * on [−3, 3] at 1e-9 needs ~6,000).
 */
const MAX_REFINE_WORK = 4096;

/**
 * Most formula nodes the refinement's enclosures of one certificate may visit (pieces × nodes of
 * f''): past it, pieces keep the bound they have (sound, only looser). A 500-term sum of sin(kx),
 * whose f'' encloses wide until pieces are narrower than 1/k, refined 200 segments for 2 minutes.
 */
const MAX_REFINE_NODES = 2e7;

export function certifyMaxError(t: Target, p: Pwl, options: CertifyOptions = {}): Certificate {
  const run = new CertifyRun(t, p, options.rtol ?? 1e-3, options.maxDepth ?? 48);
  run.enough = options.enough ?? 0;
  const nodes = treeSize(t.expr).nodes;
  run.maxPieces = Math.max(MAX_REFINE_WORK, Math.floor(MAX_REFINE_NODES / nodes));
  const { budget } = options;
  if (budget) run.maxPieces = Math.min(run.maxPieces, Math.floor(Math.max(0, budget.left) / nodes));
  // Only with a bound to stop at (`enough`): without one an exact formula whose enclosures are wide
  // would refine one segment up to the whole cap (seconds) for a rounding-level bound.
  if (run.enough > 0) {
    run.segmentPieces = Math.max(MAX_REFINE_WORK, Math.floor(run.maxPieces / Math.max(1, p.x.length - 1)));
  }
  try {
    return certifyRun(run, t, p);
  } finally {
    if (budget) budget.left -= run.pieces * nodes;
  }
}

function certifyRun(run: CertifyRun, t: Target, p: Pwl): Certificate {
  const n = p.x.length - 1;
  if (!run.knotErrors()) return run.result(Infinity, 0);
  run.midpointErrors();
  const table = curvatureTable(t, Math.min(65536, Math.max(256, 4 * n)));
  let refined = 0;
  for (let i = 0; i < n; i++) {
    reportEvery(i, 'certifying', 'segment', n);
    if (run.screen(i, table)) continue;
    refined++;
    if (!run.refine(i)) return run.result(Infinity, 0);
  }
  return run.result(Math.max(run.bound, run.observed), refined);
}

/** How tight the certificate is: `enough`, a bound under which a piece is not refined further (none: 0). */
export interface CertifyOptions {
  rtol?: number;
  maxDepth?: number;
  /**
   * Pieces whose bound is at most this are final (a caller that only asks whether a tolerance is
   * met passes part of it): an exact formula written so that its enclosures are wide (log(exp(x)))
   * is otherwise bisected toward the rounding level, spending the work caps on a few pieces.
   */
  enough?: number;
  /** The refinement work a whole request may spend, shared by its certificates (charged here). */
  budget?: WorkBudget;
}

/** Formula-node visits (pieces × nodes of f) left to a request's refinements, of `limit` in all. */
export interface WorkBudget { left: number; readonly limit: number }

/** A segment piece being refined: its ends, p's error and f's proven value error at each, its depth. */
interface Piece { lo: number; hi: number; elo: number; ehi: number; depth: number; rlo: number; rhi: number }

/** The state of one certification: observed errors (lower bound), the bound so far, f's value errors. */
class CertifyRun {
  observed = 0;
  observedAt: number;
  bound = 0;
  pieces = 0;
  /** Pieces the refinement may enclose in all (MAX_REFINE_NODES by the formula's size). */
  maxPieces = Infinity;
  /** Pieces one segment's refinement may enclose. */
  segmentPieces = MAX_REFINE_WORK;
  /** Pieces with a bound at most this are final (CertifyOptions.enough). */
  enough = 0;
  private valueRadius = 0;
  private valueRadiusAt: number;
  private readonly out = new Float64Array(1);
  /** f − p at the knots, and f's proven value error there. */
  private readonly ek: Float64Array;
  private readonly rk: Float64Array;

  constructor(
    private readonly t: Target, private readonly p: Pwl, private readonly rtol: number,
      private readonly maxDepth: number,
  ) {
    this.observedAt = p.x[0]!;
    this.valueRadiusAt = p.x[0]!;
    this.ek = new Float64Array(p.x.length);
    this.rk = new Float64Array(p.x.length);
  }

  result(maxError: number, refinedSegments: number): Certificate {
    const { observed, observedAt, valueRadius, valueRadiusAt, pieces } = this;
    return { maxError, observedMax: observed, observedAt, refinedSegments, pieces, valueRadius, valueRadiusAt };
  }

  /** f(xv) − pv, and in out[0] the proven bound of f's own error there. */
  private err(xv: number, pv: number): number {
    const v = this.t.f(xv, this.out) - pv;
    const r = this.out[0]!;
    if (!(r <= this.valueRadius)) { this.valueRadius = Number.isNaN(r) ? Infinity : r; this.valueRadiusAt = xv; }
    return v;
  }

  /** Observed errors are proven lower bounds: |f̃ − p| less f̃'s own error bound. */
  private see(lower: number, at: number): void {
    if (lower > this.observed) { this.observed = lower; this.observedAt = at; }
  }

  private threshold(): number { return this.observed * (1 + this.rtol) + 1e-300; }

  /** Errors at the knots: the starting lower bound. False when f's value error is not finite. */
  knotErrors(): boolean {
    const { x, y } = this.p;
    for (let i = 0; i < x.length; i++) {
      this.ek[i] = this.err(x[i]!, y[i]!);
      this.rk[i] = this.out[0]!;
      this.see(Math.abs(this.ek[i]!) - this.rk[i]!, x[i]!);
    }
    return this.valueRadius < Infinity;
  }

  /**
   * Errors at each segment's midpoint, raising the lower bound. p is taken at the double xm
   * that f is evaluated at, not at the real midpoint, which xm rounds (by up to half an ulp
   * of x: more than the error itself on a narrow segment far from 0).
   */
  midpointErrors(): void {
    const { x, y } = this.p;
    for (let i = 0; i + 1 < x.length; i++) {
      const c = x[i]!;
      const d = x[i + 1]!;
      const xm = c + (d - c) / 2;
      const pm = y[i]! + ((xm - c) / (d - c)) * (y[i + 1]! - y[i]!);
      this.see(Math.abs(this.err(xm, pm)) - this.out[0]!, xm);
    }
  }

  /** Segment i settled by the curvature table within the threshold (its bound recorded), or not. */
  screen(i: number, table: CurvatureTable): boolean {
    const { x, y } = this.p;
    const { ek, rk } = this;
    const c = x[i]!;
    const d = x[i + 1]!;
    const sl = slack(rk[i]!, y[i]! + ek[i]!, y[i]!) + slack(rk[i + 1]!, y[i + 1]! + ek[i + 1]!, y[i + 1]!);
    const m = table.lookup(c, d);
    if (!m) return false;
    const B = quadraticBound(ek[i]!, ek[i + 1]!, d - c, m.lo, m.hi) + sl;
    if (!(B <= Math.max(this.threshold(), this.enough))) return false;
    this.bound = Math.max(this.bound, B);
    return true;
  }

  /** Segment i refined by bisection with direct enclosures. False when f's value error is not finite. */
  refine(i: number): boolean {
    const { x, y } = this.p;
    const c = x[i]!;
    const d = x[i + 1]!;
    const yc = y[i]!;
    const slope = (y[i + 1]! - y[i]!) / (d - c);
    const pAt = (v: number) => yc + (v - c) * slope;
    // The rounding of evaluating p inside the segment.
    const pRounding = 4 * EPS * (Math.abs(yc) + Math.abs(slope) * (d - c));
    const { ek, rk } = this;
    const stack: Piece[] = [{ lo: c, hi: d, elo: ek[i]!, ehi: ek[i + 1]!, depth: 0, rlo: rk[i]!, rhi: rk[i + 1]! }];
    let work = 0;
    while (stack.length) {
      const piece = stack.pop()!;
      if ((++this.pieces & 255) === 0) {
        report('certifying', `segment ${i + 1} of ${x.length - 1}, ${this.pieces} pieces`);
      }
      const { lo, hi, elo, ehi, depth, rlo, rhi } = piece;
      const plo = pAt(lo);
      const phi = pAt(hi);
      const sl2 = slack(rlo, plo + elo, plo) + slack(rhi, phi + ehi, phi) + pRounding;
      let B = this.pieceBound(piece, plo, phi, slope) + sl2;
      // Bisection only shrinks the enclosure part of B: never the rounding slack sl2, and
      // never below the errors at the piece's ends (every sub-piece keeps one of them). So a
      // piece is final when its enclosure part is within the threshold, or within rtol of
      // its ends' errors plus a quarter of sl2 (what bisection could still gain is small).
      // Else an exact PWL (abs(x) with a knot at 0, a linear f) or an error at the rounding
      // level would bisect to depth maxDepth or to the work cap everywhere (229,404 pieces
      // for 28 segments of sigmoid(10x) on [10, 10.018]). The work per segment is capped
      // too; stopping early is always sound (B is a proven bound).
      const tiny = hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi));
      const floor = Math.max(Math.abs(elo), Math.abs(ehi)) * (1 + this.rtol);
      const settled = B - sl2 <= Math.max(this.threshold(), floor + sl2 / 4) || B <= this.enough;
      const spent = ++work > this.segmentPieces || this.pieces > this.maxPieces;
      if (settled || depth >= this.maxDepth || spent || tiny) {
        if (!Number.isFinite(B)) B = Number.MAX_VALUE;
        this.bound = Math.max(this.bound, B);
        continue;
      }
      const mid = lo + (hi - lo) / 2;
      const emid = this.err(mid, pAt(mid));
      const rmid = this.out[0]!;
      if (!(rmid < Infinity)) return false;
      this.see(Math.abs(emid) - rmid, mid);
      stack.push(
        { lo, hi: mid, elo, ehi: emid, depth: depth + 1, rlo, rhi: rmid },
        { lo: mid, hi, elo: emid, ehi, depth: depth + 1, rlo: rmid, rhi },
      );
    }
    return true;
  }

  /**
   * Bound of |f − p| on a piece before slack: the curvature bound, the first-order one (f' − p'
   * enclosed) or the zeroth-order one, the smallest. The first-order bound follows formulas
   * whose f'' encloses wide although f − p is small (log(exp(x)) against x: f'' = 0, enclosed
   * as ±e^{2w}).
   */
  private pieceBound({ lo, hi, elo, ehi }: Piece, plo: number, phi: number, slope: number): number {
    let B = Infinity;
    const f2 = this.t.encloseF2(lo, hi);
    if (f2) B = quadraticBound(elo, ehi, hi - lo, f2.lo, f2.hi);
    const f1 = B > this.enough ? this.t.encloseF1?.(lo, hi) : null;
    if (f1) B = Math.min(B, slopeBound(elo, ehi, hi - lo, f1.lo - slope, f1.hi - slope));
    const fe = this.t.encloseF(lo, hi);
    if (!fe.undefinedPart) B = Math.min(B, Math.max(fe.hi - Math.min(plo, phi), Math.max(plo, phi) - fe.lo));
    return B;
  }
}

/** A point's error allowance: f's proven error r plus the rounding of f − p. */
function slack(r: number, fv: number, pv: number): number {
  return r + EPS * (Math.abs(fv) + Math.abs(pv));
}

/**
 * Bound of |e| on a piece of width w with e(0) = A, e(w) = B and e' ∈ [dLo, dHi] (f' − p'
 * enclosed): e(t) ≤ min(A + dHi·t, B − dLo·(w − t)), and likewise from below.
 */
export function slopeBound(A: number, B: number, w: number, dLo: number, dHi: number): number {
  const r = 2 * EPS * (Math.abs(dLo) + Math.abs(dHi));
  const [lo, hi] = [dLo - r, dHi + r];
  const upper = peakOfTwoLines(A, hi, B, -lo, w);
  const lower = -peakOfTwoLines(-A, -lo, -B, hi, w);
  const rounding = 8 * EPS * (Math.abs(A) + Math.abs(B) + (Math.abs(lo) + Math.abs(hi)) * w);
  return Math.max(upper, -lower) * (1 + 8 * EPS) + rounding;
}

/** max over t ∈ [0, w] of min(A + a·t, B + b·(w − t)) (concave: at an end or where the lines cross). */
function peakOfTwoLines(A: number, a: number, B: number, b: number, w: number): number {
  let best = Math.max(Math.min(A, B + b * w), Math.min(A + a * w, B));
  if (a + b > 0) {
    const t = (B + b * w - A) / (a + b);
    if (t > 0 && t < w) best = Math.max(best, Math.min(A + a * t, B + b * (w - t)));
  }
  return best;
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

/** Bounds of f'' over [c, d] in one lookup, or null. */
interface CurvatureTable { lookup(c: number, d: number): { lo: number; hi: number } | null }

/** Each target's tables by cell count: the construction certifies several PWLs of one target, then the result. */
const TABLES = new WeakMap<Target, Map<number, CurvatureTable>>();

/**
 * Enclosures of f'' on a uniform partition, for one-lookup screening of segments; made once per
 * target and cell count (256 enclosures of a 2,000-term sum's f'': seconds each time).
 */
function curvatureTable(t: Target, cells: number): CurvatureTable {
  let byCells = TABLES.get(t);
  if (!byCells) { byCells = new Map(); TABLES.set(t, byCells); }
  let table = byCells.get(cells);
  if (!table) { table = newCurvatureTable(t, cells); byCells.set(cells, table); }
  return table;
}

function newCurvatureTable(t: Target, cells: number): CurvatureTable {
  const { a, b } = t;
  const w = (b - a) / cells;
  const lo = new Float64Array(cells);
  const hi = new Float64Array(cells);
  const ok = new Uint8Array(cells);
  for (let k = 0; k < cells; k++) {
    reportEvery(k, 'certifying', "f'' enclosed on cell", cells);
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
