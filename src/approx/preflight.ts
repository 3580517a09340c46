import { ToleranceError } from './tolerance.ts';
import { InputError } from '../errors.ts';
import { exprToString } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';
import type { SizeBy } from './approximate.ts';
import type { Target } from './target.ts';
import { reportEvery } from './progress.ts';

/**
 * Checks run before any sizing, so that work that cannot succeed is refused at once with
 * the reason instead of searching up to the segment limit:
 * - an unbounded formula (a pole between doubles, as tan at π/2; no finite enclosure, as x^x
 *   at 0) is refused with the point;
 * - a tolerance below the float64 floor of the function (max |f|·2^-52: the network's output
 *   is a double of that size) is refused with the floor;
 * - a tolerance whose asymptotic segment count n* ≈ ∫√|f''| dx / (4√E) (docs/DESIGN.md §1, the
 *   minimax count on optimal knots) exceeds the limit fourfold is refused with n*;
 * - a --spacing wider than the domain, or one making more segments than the limit, is
 *   refused before any knot is placed.
 */
export function preflight(t: Target, size: SizeBy, limit: number, relative: boolean): void {
  const bad = unboundedPoint(t);
  if (bad !== null) {
    throw new InputError('expression', `be bounded on the whole domain [${t.a}, ${t.b}] (no finite enclosure exists ` +
      `near the point given)`, `${exprToString(t.expr)} near ${t.variable} = ${bad}`, { field: 'expr',
        code: 'unbounded' });
  }
  if (size.kind === 'spacing') {
    if (!(size.h > 0) || !Number.isFinite(size.h)) return;
    if (size.h > t.b - t.a) throw new InputError('--spacing', `be at most the width of the domain (${t.b - t.a})`,
      size.h, { field: 'spacing', code: 'too-wide' });
    const segments = Math.ceil((t.b - t.a) / size.h);
    if (segments > limit) throw new InputError('--spacing',
      `make at most ${limit} segments (--max-segments) on the domain; it makes ${segments.toPrecision(3)}`, size.h,
        { field: 'spacing', code: 'out-of-range' });
    return;
  }
  // Malformed sizes (≤ 0, NaN) are left to buildPwl's own messages.
  if (size.kind !== 'maxError' && size.kind !== 'rmsError') return;
  if (!(size.error > 0) || !Number.isFinite(size.error)) return;
  const arg = size.kind === 'maxError' ? '--max-error' : '--rms-error';
  const tol = relative ? size.error * t.scale : size.error;
  const floor = t.scale * Number.EPSILON;
  if (tol < floor) {
    throw new InputError(arg, `be at least the float64 floor of this function, ${floor.toPrecision(3)}${relative
      ? ' absolute' : ''} (max |f| = ${t.scale.toPrecision(3)} times 2^-52)`, size.error, { field: arg === '--rms-error'
        ? 'rmsError' : 'maxError', code: 'below-float64-floor' });
  }
  if (size.kind === 'maxError') {
    const nStar = curvatureIntegral(t) / (4 * Math.sqrt(tol));
    if (nStar > 4 * limit) {
      throw new ToleranceError(
        `${arg} ${size.error} needs about ${nStar.toPrecision(3)} segments (∫√|f''| dx / (4√E) on ` +
        `optimal knots), more than the limit of ${limit} (--max-segments); raise the tolerance or the ` +
        `limit.`,
        'segments',
        null,
      );
    }
  }
}

/** ∫√|f''| dx over the domain by the midpoint rule on 4096 cells (NaN points, at kinks, skipped). */
function curvatureIntegral(t: Target): number {
  const M = 4096;
  const h = (t.b - t.a) / M;
  let sum = 0;
  for (let i = 0; i < M; i++) {
    reportEvery(i, 'checking f', "f'' at point", M);
    const v = Math.sqrt(Math.abs(t.f2(t.a + (i + 0.5) * h)));
    if (Number.isFinite(v)) sum += v;
    else if (v === Infinity) return Infinity;
  }
  return sum * h;
}

/**
 * A point near which f has no finite enclosure: pieces of the domain whose enclosure is not
 * finite are bisected down to a handful of doubles; one still without a finite enclosure
 * there holds a pole (or a value no interval method can bound). null when every piece ends
 * finite, or the budget of enclosures runs out.
 */
function unboundedPoint(t: Target): number | null {
  const finite = (lo: number, hi: number) => { const e = enclose(t.expr, { [t.variable]: [lo,
    hi] }); return Number.isFinite(e.lo) && Number.isFinite(e.hi); };
  const stack: [number, number][] = [[t.a, t.b]];
  let budget = 4000;
  while (stack.length && budget-- > 0) {
    const [lo, hi] = stack.pop()!;
    if (finite(lo, hi)) continue;
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi || hi - lo <= 16 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi),
      Number.MIN_VALUE / Number.EPSILON)) return mid;
    stack.push([mid, hi], [lo, mid]);
  }
  return null;
}
