import { exprKey, type Expr } from '../expr/ast.ts';
import type { RegionBand } from './region.ts';

/**
 * Jumps covered by a band of their own argument, proven without bisection. When the jump's
 * argument g is, as written, the band's formula e up to sign and a constant (g = e, e − β,
 * e + β, β − e, −e: an exact identity of real numbers), outside the band |e − c| ≥ w gives
 * |g − m| ≥ w with m = ±c + β, so every jump point k with |m − k| < w keeps at least
 * w − |m − k| away from g. (sign(x² + y² + z² − 1) outside x^2+y^2+z^2=1±0.05: 0.05, where
 * interval bisection would need tens of thousands of boxes along the sphere.)
 */
function relation(g: Expr, key: string): { alpha: 1 | -1; beta: number } | null {
  const is = (e: Expr) => exprKey(e) === key;
  if (is(g)) return { alpha: 1, beta: 0 };
  if (g.op === 'neg' && is(g.arg)) return { alpha: -1, beta: 0 };
  if (g.op === 'sub' && g.b.op === 'const' && is(g.a)) return { alpha: 1, beta: -g.b.value };
  if (g.op === 'sub' && g.a.op === 'const' && is(g.b)) return { alpha: -1, beta: g.a.value };
  if (g.op === 'add' && g.b.op === 'const' && is(g.a)) return { alpha: 1, beta: g.b.value };
  if (g.op === 'add' && g.a.op === 'const' && is(g.b)) return { alpha: 1, beta: g.a.value };
  return null;
}

/**
 * The gap a band of g's own formula proves for jump point k (0: none does), less a few ulps
 * of the numbers involved for the rounding of m and of the differences.
 */
export function coveredGap(g: Expr, k: number, bands: readonly RegionBand[]): number {
  let best = 0;
  for (const b of bands) {
    if (!b.expr) continue;
    const r = relation(g, exprKey(b.expr));
    if (!r) continue;
    const m = r.alpha * b.center + r.beta;
    const slack = 8 * 2 ** -52 * (Math.abs(b.center) + Math.abs(r.beta) + Math.abs(k) + b.halfWidth);
    best = Math.max(best, b.halfWidth - Math.abs(m - k) - slack);
  }
  return best;
}
