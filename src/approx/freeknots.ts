import { groupSse, type Points } from './points.ts';
import type { Pwl } from './pwl.ts';

/**
 * Least squares on points with given knots: the continuous PWL minimizing Σ (y_i − p(x_i))².
 * Hat-function basis: the normal equations are tridiagonal (Σ n(1−s)², Σ n·s(1−s), Σ n·s² per
 * segment, s the position of a point in its segment), solved by the Thomas algorithm. A
 * penalty 1e-12·(points) on the first differences keeps segments without points determined
 * (their values are then interpolated between the neighbours).
 */
export function lsqOnKnots(p: Points, knots: Float64Array): { pwl: Pwl; sse: number } {
  const K = knots.length;
  const diag = new Float64Array(K);
  const off = new Float64Array(K);
  const rhs = new Float64Array(K);
  const seg = new Int32Array(p.x.length);
  const S = new Float64Array(p.x.length);
  let k = 0;
  for (let g = 0; g < p.x.length; g++) {
    const t = p.x[g]!;
    while (k < K - 2 && knots[k + 1]! <= t) k++;
    const s = (t - knots[k]!) / (knots[k + 1]! - knots[k]!);
    const n = p.n[g]!;
    seg[g] = k; S[g] = s;
    diag[k]! += n * (1 - s) * (1 - s);
    off[k]! += n * s * (1 - s);
    diag[k + 1]! += n * s * s;
    rhs[k]! += (1 - s) * p.sy[g]!;
    rhs[k + 1]! += s * p.sy[g]!;
  }
  const lam = 1e-12 * p.total;
  for (let i = 0; i + 1 < K; i++) { diag[i]! += lam; diag[i + 1]! += lam; off[i]! -= lam; }
  const c = new Float64Array(K);
  const d = new Float64Array(K);
  c[0] = off[0]! / diag[0]!;
  d[0] = rhs[0]! / diag[0]!;
  for (let i = 1; i < K; i++) {
    const m = diag[i]! - off[i - 1]! * c[i - 1]!;
    c[i] = i < K - 1 ? off[i]! / m : 0;
    d[i] = (rhs[i]! - off[i - 1]! * d[i - 1]!) / m;
  }
  const y = new Float64Array(K);
  y[K - 1] = d[K - 1]!;
  for (let i = K - 2; i >= 0; i--) y[i] = d[i]! - c[i]! * y[i + 1]!;
  let sse = 0;
  for (let g = 0; g < p.x.length; g++) {
    const i = seg[g]!;
    sse += groupSse(p, g, y[i]! + S[g]! * (y[i + 1]! - y[i]!));
  }
  return { pwl: { x: knots, y }, sse };
}

/**
 * Free-knot least squares from a start: coordinate descent, each interior knot moved by a
 * golden-section search between its neighbours (the other knots fixed, the values refit by
 * lsqOnKnots at every trial), for `sweeps` passes or until a pass gains < 1e-9 relative.
 * A local method (Jupp 1978 on free-knot splines: the objective has many local minima), so
 * the start matters: the minimum-link knots for a tolerance are already near an optimum.
 */
export function refineKnots(p: Points, start: Float64Array, sweeps = 4): Float64Array {
  const knots = Float64Array.from(start);
  const K = knots.length;
  let best = lsqOnKnots(p, knots).sse;
  const G = (Math.sqrt(5) - 1) / 2;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    const before = best;
    for (let i = 1; i < K - 1; i++) {
      const keep = knots[i]!;
      const at = (v: number) => { knots[i] = v; return lsqOnKnots(p, knots).sse; };
      let a = knots[i - 1]!, b = knots[i + 1]!;
      const w = b - a;
      a += 1e-9 * w; b -= 1e-9 * w;
      let x1 = b - G * (b - a), x2 = a + G * (b - a);
      let f1 = at(x1), f2 = at(x2);
      for (let it = 0; it < 18; it++) {
        if (f1 <= f2) { b = x2; x2 = x1; f2 = f1; x1 = b - G * (b - a); f1 = at(x1); } else { a = x1; x1 = x2; f1 = f2;
          x2 = a + G * (b - a); f2 = at(x2); }
      }
      const [xv, fv] = f1 <= f2 ? [x1, f1] : [x2, f2];
      if (fv < best) { best = fv; knots[i] = xv; } else knots[i] = keep;
    }
    if (before - best <= 1e-9 * before) break;
  }
  return knots;
}
