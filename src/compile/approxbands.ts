import {
  DEFAULT_MAX_SEGMENTS, finishPieces, MAX_SEGMENTS_LIMIT, validateDomain, type ApproxOptions, type ApproxResult,
  type BuiltPiece,
} from '../approx/approximate.ts';
import { buildPwlBounded } from '../approx/build.ts';
import { preflight } from '../approx/preflight.ts';
import type { Pwl } from '../approx/pwl.ts';
import type { Trial } from '../approx/sizing.ts';
import { makeTarget } from '../approx/target.ts';
import { checkApproxOptions } from '../approx/options.ts';
import { InputError, WorkError } from '../errors.ts';
import type { JumpSite } from '../expr/jumps.ts';
import { parseFormula } from '../expr/parse.ts';
import { parseBand, regionBands } from './bands.ts';
import { resolveJumps } from './jumpgap.ts';
import { formulaRegion } from './region.ts';


/**
 * approx --exclude: a formula in one variable (jumps allowed) on [a, b] outside bands of the
 * variable itself (x=c±w). The domain splits into the closed intervals outside the bands; on
 * each, the formula's jumps are written as ramps exact there (jumpgap.ts) and the fewest
 * segments within --max-error are built (approx/build.ts); consecutive pieces are joined by
 * one line across the band between them. The network equals each piece's PWL on its piece,
 * so its certificate there is that piece's; the result's is the largest, plus the float64
 * rounding of the whole network (approximate.ts finishPieces): proven on the domain outside
 * the bands, not inside them.
 */
export function approximateOutsideBands(o: ApproxOptions & { exclude: string[] }): ApproxResult {
  checkApproxOptions(o, MAX_SEGMENTS_LIMIT, true);
  const sites: JumpSite[] = [];
  const formula = parseFormula(o.expr, 'expression', sites);
  if (formula.variables.length > 1) {
    throw new InputError('expression', 'have at most one variable for approx (use compile for several)',
      formula.variables.join(', '), { field: 'expr', code: 'too-many-variables' });
  }
  validateDomain(o.domain);
  if (o.size.kind !== 'maxError') {
    throw new InputError('--exclude', 'go with --max-error', o.size.kind, { field: 'exclude', code: 'unsupported' });
  }
  const v = formula.variables[0] ?? 'x';
  const pieces = piecesOutside(o.domain, o.exclude, v);
  const trials: Trial[] = [];
  const bands = regionBands(o.exclude, [v]);
  const limit = o.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  const build = (tol: number): { parts: BuiltPiece[]; pwl: Pwl } => {
    // --max-segments bounds the whole network: the bridges across the bands, then the pieces in turn.
    let left = limit - (pieces.length - 1);
    const parts = pieces.map(([a, b]) => {
      if (left < 1) {
        throw new WorkError(`--max-segments ${limit} is too few for ${pieces.length} pieces outside the bands ` +
          `(each takes a segment, and each band a bridge); raise --max-segments or --max-error.`);
      }
      // The piece lies outside the (open) bands: they cut nothing from it, and messages name them.
      const region = formulaRegion([v], [[a, b]], [], bands);
      const expr = resolveJumps(formula.expr, sites, [v], [[a, b]], region);
      const t = makeTarget(expr, v, a, b);
      const size = { kind: 'maxError' as const, error: tol };
      preflight(t, size, left, false);
      const built = buildPwlBounded(t, size, 'optimal', 'minimax', left, false, trials, o.onTrial);
      left -= built.pwl.x.length - 1;
      return { t, pwl: built.pwl, known: built.certified };
    });
    return { parts, pwl: joined(parts.map((p) => p.pwl)) };
  };
  let b = build(o.size.error);
  let r = finishPieces(o.expr, b.parts, b.pwl, 'optimal', 'minimax', trials);
  // The whole network's rounding may exceed a piece's own by a little: one build with that margin.
  if (r.certifiedMax > o.size.error) {
    b = build(o.size.error - 2 * r.roundingBound);
    r = finishPieces(o.expr, b.parts, b.pwl, 'optimal', 'minimax', trials);
  }
  if (r.certifiedMax > o.size.error) {
    throw new WorkError(`--max-error ${o.size.error} could not be met outside the bands: the certified bound came ` +
      `out as ${r.certifiedMax}; raise --max-error.`);
  }
  return { ...r, domain: o.domain, exclude: [...o.exclude] };
}

/** The closed intervals of [a, b] outside the open bands |x − c| < w (each band a --exclude of the variable). */
function piecesOutside(domain: [number, number], exclude: readonly string[], v: string): [number, number][] {
  const cuts = exclude.map((text) => {
    const band = parseBand(text, [v]);
    if (band.expr.op !== 'var') {
      throw new InputError('--exclude', `cut a band of the variable itself in approx (${v}=c±w)`, text,
        { field: 'exclude', code: 'unsupported' });
    }
    return [band.center - band.halfWidth, band.center + band.halfWidth] as const;
  }).sort((p, q) => p[0] - q[0]);
  const pieces: [number, number][] = [];
  let from = domain[0];
  for (const [lo, hi] of [...cuts, [Infinity, Infinity] as const]) {
    // The bands are open: a band's end is outside it (a piece of one point where two bands touch).
    const to = Math.min(lo, domain[1]);
    if (to >= from) pieces.push([from, to]);
    from = Math.max(from, hi);
    if (from > domain[1]) break;
  }
  if (pieces.length === 0 || pieces.some(([p, q]) => !(p < q))) {
    throw new InputError('--exclude', 'leave intervals of the domain outside the bands, not single points or nothing',
      exclude.join(', '), { field: 'exclude', code: 'empty-region' });
  }
  return pieces;
}

/** The PWLs of consecutive pieces as one: each piece's knots in turn, a line across each gap between them. */
function joined(pwls: readonly Pwl[]): Pwl {
  const x = Float64Array.from(pwls.flatMap((p) => Array.from(p.x)));
  const y = Float64Array.from(pwls.flatMap((p) => Array.from(p.y)));
  return { x, y };
}
