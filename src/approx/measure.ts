import type { Pwl } from './pwl.ts';
import { reportEvery } from './progress.ts';

/**
 * Measured (sampled) errors of p against f: `perSegment` points per segment at s = j/k
 * (k even, so midpoints — the peaks of interpolation error on convex pieces — are included).
 * RMS is the continuous RMS over [a, b] by the composite trapezoid rule on those points.
 * When f reports the proven error of its values (Target.f writes it to out[0]), the max error
 * is a proven lower bound of the true one: |f̃ − p| less that error. A non-finite value
 * counts as an infinite error.
 */
export function measureErrors(
  f: (x: number, out?: Float64Array) => number, p: Pwl, perSegment: number,
): { maxError: number; rmsError: number; maxAt: number } {
  const out = new Float64Array(1);
  const k = Math.max(2, perSegment + (perSegment % 2));
  const { x, y } = p;
  const n = x.length - 1;
  let max = 0;
  let maxAt = x[0]!;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    reportEvery(i, 'measuring', 'segment', n);
    const c = x[i]!;
    const h = x[i + 1]! - c;
    const y0 = y[i]!;
    const dy = y[i + 1]! - y0;
    let segSq = 0;
    for (let j = 0; j <= k; j++) {
      // p at the double t where f is evaluated (not at c + (j/k)·h, which t rounds: by up to
      // half an ulp of c, far more than the error where c is large and h small).
      const t = j === k ? x[i + 1]! : c + (j / k) * h;
      out[0] = 0;
      const e = f(t, out) - (y0 + ((t - c) / h) * dy);
      const ae = Number.isNaN(e) ? Infinity : Math.abs(e) - out[0]!;
      if (ae > max) { max = ae; maxAt = t; }
      segSq += (j === 0 || j === k ? 0.5 : 1) * e * e;
    }
    sq += (segSq / k) * h;
  }
  return { maxError: max, rmsError: Math.sqrt(sq / (x[n]! - x[0]!)), maxAt };
}

/** Points per segment so that a measurement costs about `budget` evaluations. */
export function samplesPerSegment(segments: number, budget = 4e6, wanted = 100): number {
  return Math.max(2, Math.min(wanted, Math.floor(budget / segments)));
}
