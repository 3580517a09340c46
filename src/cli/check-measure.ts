/**
 * check's measurement: the model's outputs against the accurate formula, and the samples it
 * is measured on when stated ranges cut the box (rejection sampling).
 */
import { sampleBox } from '../compile/sample.ts';
import { InputError } from '../errors.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { inRegion } from './stored.ts';

/** A stated range of a subexpression: its function of the inputs, its range and its text. */
export type RangeTest = { f: (...x: number[]) => number; range: [number, number]; text: string };

export interface Measured {
  max: number; at: number; rms: number; rel: number; counted: number; nonFinite: number;
  undefinedCount: number; undefinedAt: number; maxInRegion: number; inRegion: number;
}

/**
 * Errors of the outputs `y` against the real formula at the rows of `x`. The truth is the
 * accurate value (float64 where provably accurate to 2^−44·|f| or 1e-3 of --max-error, else
 * higher precision). A non-finite output is an infinite error; rows where f is undefined are
 * counted apart. Relative max error is the max error over max |f| on the samples (README,
 * "Certified and measured": one definition in every command), never pointwise |e|/|f|.
 */
export function measure(expr: Parameters<typeof accurateEvaluator>[0], names: string[], x: Float64Array, y: Float64Array,
  limit: number | undefined, inCertRegion: (row: number[]) => boolean): Measured {
  const d = names.length;
  const f = accurateEvaluator(expr, names);
  const out = new Float64Array(1);
  const absTol = limit === undefined ? 0 : 1e-3 * limit;
  const m: Measured = { max: 0, at: 0, rms: 0, rel: 0, counted: 0, nonFinite: 0, undefinedCount: 0, undefinedAt: -1,
    maxInRegion: 0, inRegion: 0 };
  let sq = 0, maxAbsF = 0;
  for (let i = 0; i < y.length; i++) {
    const row = x.subarray(i * d, i * d + d);
    const exact = f(row, out, absTol);
    if (!Number.isFinite(exact)) { m.undefinedCount++; if (m.undefinedAt < 0) m.undefinedAt = i; continue; }
    m.counted++;
    if (!Number.isFinite(y[i]!)) m.nonFinite++;
    const e = Number.isFinite(y[i]!) ? Math.abs(exact - y[i]!) : Infinity;
    if (m.counted === 1 || e > m.max) { m.max = e; m.at = i; }
    sq += e * e;
    maxAbsF = Math.max(maxAbsF, Math.abs(exact));
    if (inCertRegion(Array.from(row))) { m.inRegion++; m.maxInRegion = Math.max(m.maxInRegion, e); }
  }
  m.rms = Math.sqrt(sq / m.counted);
  m.rel = maxAbsF > 0 ? m.max / maxAbsF : Infinity;
  return m;
}

/** Most box samples rejection sampling draws before it gives up on a sliver of a region. */
export const MAX_REJECTION_DRAWS = 20_000_000;

/**
 * n samples uniform in the part of the box where every stated range holds (rejection
 * sampling, batches of at most 1e6). Gives up as soon as the acceptance rate seen so far
 * projects more than MAX_REJECTION_DRAWS draws: the region is a sliver of the box.
 */
export function sampleRegion(box: [number, number][], given: RangeTest[], n: number, seed: number): Float64Array {
  const d = box.length;
  const kept = new Float64Array(n * d);
  let rows = 0, drawn = 0;
  for (let round = 0; rows < n; round++) {
    const m = Math.min(Math.max(n, 10_000), 1_000_000);
    const batch = sampleBox(box, m, seed + round * 7919);
    drawn += m;
    for (let i = 0; i < m && rows < n; i++) {
      const row = Array.from(batch.subarray(i * d, i * d + d));
      if (inRegion(row, [], given)) kept.set(row, d * rows++); // the box holds by construction: the ranges only
    }
    if (rows < n && (rows === 0 || (drawn * n) / rows > MAX_REJECTION_DRAWS)) {
      throw new InputError('--range',
        `leave enough of the --var box to draw -n ${n} samples within ${MAX_REJECTION_DRAWS} draws (kept ${rows} of ` +
        `${drawn}; widen the ranges or lower -n)`, given.map((g) => g.text).join(', '));
    }
  }
  return kept;
}
