import { variablesOf, type Expr } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';
import type { Box } from './rewrite.ts';
import { div, mul, num } from './rewriteform.ts';

/**
 * Scale normalization of products. The graph builds u·v as ((u+v)² − (u−v)²)/4 (graph.ts), whose
 * squares span the larger factor's scale: with |u| ~ 6·10⁶ and |v| ~ 1 (the ECEF form
 * (N + h)·cos(lat)) the squares' ranges and segment counts are ~10⁶ times those of factors of
 * equal size. u·v = (u·2⁻ᵏ)·(v·2ᵏ) with 2ᵏ ≈ sqrt(|u|/|v|) puts both factors at the same
 * scale (u/v likewise as (u·2⁻ᵏ)·(2ᵏ/v)). Multiplying by a power of two is exact in real
 * arithmetic and in floating point, so this is an identity; the constants fold into the
 * affine layers (free).
 */
export function balanceProducts(e: Expr, box: Box): Expr {
  const rec = (x: Expr) => balanceProducts(x, box);
  switch (e.op) {
    case 'const': case 'var': return e;
    case 'neg': case 'call': return { ...e, arg: rec(e.arg) } as Expr;
    case 'mul': case 'div': {
      const [a, b] = [rec(e.a), rec(e.b)];
      // A factor without variables is a constant the graph folds into an affine layer.
      if (variablesOf(a).length === 0 || variablesOf(b).length === 0) return { ...e, a, b };
      const second = e.op === 'mul' ? b : div(num(1), b);
      const k = balancingExponent(a, second, box);
      if (k === 0) return { ...e, a, b };
      const scale = 2 ** k;
      return mul(mul(a, num(1 / scale)), e.op === 'mul' ? mul(b, num(scale)) : div(num(scale), b));
    }
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}

/** Smallest ratio of the factors' magnitudes worth rebalancing (2⁶: a factor 8 each way). */
const MIN_RATIO_LOG2 = 6;

/** Largest |k|: 2^±500 are normal doubles, so the scales and their products with coefficients stay exact. */
const MAX_EXPONENT = 500;

/** k with 2ᵏ ≈ sqrt(|a|/|b|) over the box (magnitudes by enclosure), 0 when they are near enough or unknown. */
function balancingExponent(a: Expr, b: Expr, box: Box): number {
  const [ma, mb] = [magnitudeOf(a, box), magnitudeOf(b, box)];
  if (!(ma > 0 && mb > 0 && Number.isFinite(ma) && Number.isFinite(mb))) return 0;
  const log2Ratio = Math.log2(ma / mb);
  if (Math.abs(log2Ratio) < MIN_RATIO_LOG2) return 0;
  return Math.max(-MAX_EXPONENT, Math.min(MAX_EXPONENT, Math.round(log2Ratio / 2)));
}

function magnitudeOf(e: Expr, box: Box): number {
  const r = enclose(e, box);
  return r.undefinedPart ? NaN : Math.max(Math.abs(r.lo), Math.abs(r.hi));
}
