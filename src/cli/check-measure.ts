/**
 * check's measurement: the model's outputs against the accurate formula, and the samples it
 * is measured on when stated ranges cut the box (rejection sampling).
 */
import { MAX_REJECTION_DRAWS, type Region } from '../compile/region.ts';
import { InputError } from '../errors.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import type { Expr } from '../expr/ast.ts';

/** A stated range of a subexpression: its function of the inputs, its range and its text. */
export type RangeTest = { expr: Expr; range: [number, number]; text: string };

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
export function measure(expr: Parameters<typeof accurateEvaluator>[0], names: string[], x: Float64Array,
  y: Float64Array,
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

/**
 * n samples uniform in the certified-region sense: the box, cut by every stated range
 * (Region.sample: rejection sampling in batches of at most 1e6, which gives up as soon as the
 * acceptance rate seen so far projects more than MAX_REJECTION_DRAWS draws).
 */
export function sampleRegion(region: Region, n: number, seed: number): Float64Array {
  const s = region.sample(n, seed);
  if (s.samples) return s.samples;
  throw new InputError('--range',
    `leave enough of the --var box to draw -n ${n} samples within ${MAX_REJECTION_DRAWS} draws (kept ${s.kept} of ` +
    `${s.drawn}; widen the ranges or lower -n)`, region.constraints.map((c) => c.text).join(', '));
}
