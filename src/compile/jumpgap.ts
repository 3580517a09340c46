import { InputError } from '../errors.ts';
import { exprToString, type Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { enclose } from '../expr/interval.ts';
import { jumpPoints, MAX_JUMPS, rampFor, substitute, type JumpKind, type JumpSite } from '../expr/jumps.ts';
import { coveredGap } from './bandcover.ts';
import { buildGraph } from './graph.ts';
import { lowerForCompile } from './lower.ts';
import { propagateRanges, type Range } from './ranges.ts';
import type { Region } from './region.ts';

/** Most sub-boxes one attempt of the gap proof encloses. */
export const MAX_GAP_BOXES = 4000;
/** A sub-box whose every side is below this fraction of the box's is not split further. */
const TINY = 2 ** -40;

/** What a cover attempt found: the gap it proved, or a point near a jump (null: the box budget ran out). */
type Cover = { gap: number } | { at: number[] | null };

/** The gap proof's setting: the argument, its jump points (sorted), the inputs, the box and the region. */
interface Setting { g: Expr; gfn: (...a: number[]) => number; points: number[]; inputs: readonly string[];
  box: readonly Range[]; region: Region }

/** Distance from [lo, hi] to the nearest point (0 when one lies inside). */
function distance(lo: number, hi: number, points: readonly number[]): number {
  let d = Infinity;
  for (const k of points) d = Math.min(d, k < lo ? lo - k : k > hi ? k - hi : 0);
  return d;
}

/**
 * One attempt: bisect the box (widest side relative to the box's) until every sub-box either
 * misses the region (Region.mayMeet: outside a stated range, or inside a band) or has an
 * interval enclosure of g at least `t` (and more than 0) away from every jump point; the gap is
 * the least such distance. Fails at a sub-box centre in the region within t of a jump, at a
 * sub-box too small to split, or when MAX_GAP_BOXES are used.
 */
function cover(s: Setting, t: number): Cover {
  const stack: [number[], number[]][] = [[s.box.map((b) => b[0]), s.box.map((b) => b[1])]];
  let gap = Infinity;
  for (let count = 0; stack.length > 0;) {
    const [lo, hi] = stack.pop()!;
    if (!s.region.mayMeet(lo, hi)) continue;
    if (++count > MAX_GAP_BOXES) return { at: null };
    const e = enclose(s.g, Object.fromEntries(s.inputs.map((v, i) => [v, [lo[i]!, hi[i]!] as const])));
    const d = e.undefinedPart ? 0 : distance(e.lo, e.hi, s.points);
    if (d > 0 && d >= t) { gap = Math.min(gap, d); continue; }
    const mid = lo.map((a, i) => (a + hi[i]!) / 2);
    const widths = lo.map((a, i) => (hi[i]! - a) / (s.box[i]![1] - s.box[i]![0]));
    const w = Math.max(...widths);
    // A centre in the region within t of a jump: this t cannot be proven.
    const near = () => s.region.contains(mid) && distance(s.gfn(...mid), s.gfn(...mid), s.points) <= t;
    if (w < TINY || near()) return { at: mid };
    stack.push(...split(s, lo, hi, mid, widths));
  }
  return { gap };
}

/** Enclosure width of g over [lo, hi] (Infinity where it is undefined). */
function spread(s: Setting, lo: readonly number[], hi: readonly number[]): number {
  const e = enclose(s.g, Object.fromEntries(s.inputs.map((v, i) => [v, [lo[i]!, hi[i]!] as const])));
  return e.undefinedPart ? Infinity : e.hi - e.lo;
}

/**
 * The two halves of [lo, hi] along the side whose halving narrows g's enclosure most (the
 * larger half-width least); among equals the widest side relative to the box's.
 */
function split(s: Setting, lo: number[], hi: number[], mid: number[], widths: number[]): [number[], number[]][] {
  let best: [number[], number[]][] = [], score = Infinity, rel = -1;
  for (let j = 0; j < lo.length; j++) {
    if (!(widths[j]! > 0)) continue;
    const [left, right] = [[...hi], [...lo]];
    left[j] = right[j] = mid[j]!;
    const sc = Math.max(spread(s, lo, left), spread(s, right, hi));
    if (sc > score || (sc === score && widths[j]! <= rel)) continue;
    [best, score, rel] = [[[lo, left], [right, hi]], sc, widths[j]!];
  }
  return best;
}

/** Where J jumps, in words. */
const JUMPS_AT: Record<JumpKind, string> = {
  sign: '0', step: '0', floor: 'every integer', ceil: 'every integer', round: 'every half-integer',
  fix: 'every integer but 0',
};

/**
 * A gap δ > 0 with |g(x) − k| ≥ δ for every jump point k of the site and every x of the region
 * (the box, its stated ranges, outside the bands), proven by `cover`: first with t = 0 (the
 * proof that any gap exists, else an InputError naming the jump and a point near it), then
 * with t = W/4, W/16, …, W/4⁸ (W the width of g's enclosure over the box) for a wider one.
 */
function proveGap(s: Setting, site: JumpSite, bands: string): number {
  const first = cover(s, 0);
  if (!('gap' in first)) {
    const near = first.at ? `, as near ${s.inputs.map((v, i) => `${v}=${first.at![i]}`).join(', ')}` : '';
    const why = first.at ? '' : ` (not proven within ${MAX_GAP_BOXES} sub-boxes; a band written on the argument ` +
      `itself, ${exprToString(site.arg)}=c±w, needs no search)`;
    throw new InputError('--exclude', `cover every jump of ${site.text}: outside the bands its argument must keep ` +
      `away from ${JUMPS_AT[site.kind]}${near}${why}`, bands, { field: 'exclude', code: 'jump-not-covered' });
  }
  const whole = enclose(s.g, Object.fromEntries(s.inputs.map((v, i) => [v, s.box[i]!] as const)));
  for (let j = 1; j <= 8; j++) {
    const t = (whole.hi - whole.lo) / 4 ** j;
    if (!(t > first.gap)) break;
    const c = cover(s, t);
    if ('gap' in c) return Math.max(c.gap, first.gap);
  }
  return first.gap;
}

/**
 * The range of a jump's argument over the box: the interval enclosure (outward at every step)
 * intersected with the compiler's range propagation, which keeps ends exact where every step
 * was (3·x on [0, 1] is [0, 3], not [−5e-324, 3.0000000000000004]), so a jump at an end of the
 * range that J does not make inside it (floor at the lower end) is not counted.
 */
function argRange(arg: Expr, inputs: readonly string[], box: readonly Range[]) {
  const vars = Object.fromEntries(inputs.map((v, i) => [v, box[i]!] as const));
  const e = enclose(arg, vars);
  try {
    const g = buildGraph(lowerForCompile(arg, vars), [...inputs]);
    const [lo, hi] = propagateRanges(g, vars, new Map())[g.output]!;
    return { ...e, lo: Math.max(e.lo, lo), hi: Math.min(e.hi, hi) };
  } catch {
    return e;
  }
}

/**
 * The formula with each jump site (a placeholder of parse's `jumps`) written as its ramp
 * (expr/jumps.ts rampFor) of width ρ = δ/2·(1 − 2⁻²⁰), δ the proven gap: outside the bands
 * |g − k| ≥ δ > ρ, so the ramp equals the jump function there and the continuous formula
 * equals the true one on the whole certified region. Each step is the clamp
 * min(max(t, 0), 1) of t = (g − k)/ρ, and |t| ≥ δ/ρ > 2 outside the bands: when the network's
 * t carries an error e_t ≤ 1, its computed t keeps |t̃| > 1 and the clamp gives exactly the
 * true step, so the step adds no error on the certified region (the clamps are collected in
 * `steps`; compile/nodes.ts buildMaxMin). Otherwise the ramp's slope h/ρ carries g's error
 * like any Lipschitz constant. Refused: more than MAX_JUMPS jump points over g's range, or g
 * not enclosed on the box.
 */
export function resolveJumps(
  expr: Expr, sites: readonly JumpSite[], inputs: readonly string[], box: readonly Range[], region: Region,
  steps?: Expr[],
): Expr {
  if (sites.length === 0) return expr;
  const bands = region.bands.map((b) => b.text).join(', ') || 'none';
  const ramps = new Map<string, Expr>();
  for (const site of sites) {
    const whole = argRange(site.arg, inputs, box);
    if (whole.undefinedPart || !Number.isFinite(whole.lo) || !Number.isFinite(whole.hi)) {
      throw new InputError('expression', 'have jump arguments defined and finite on the box', site.text,
        { field: 'expr', code: 'undefined-on-domain' });
    }
    const { points } = jumpPoints(site.kind, whole.lo, whole.hi);
    if (points.length > MAX_JUMPS) {
      throw new InputError('expression', `have at most ${MAX_JUMPS} jumps per call over the box`,
        `${site.text} with more`, { field: 'expr', code: 'too-many-jumps' });
    }
    const gfn = compileFunction(site.arg, [...inputs]);
    // Points a band of g's own formula covers need no bisection (bandcover.ts).
    const covered = points.map((k) => coveredGap(site.arg, k, region.bands));
    const rest = points.filter((_, i) => !(covered[i]! > 0));
    const gap = Math.min(...covered.filter((c) => c > 0),
      rest.length ? proveGap({ g: site.arg, gfn, points: rest, inputs, box, region }, site, bands) : Infinity);
    ramps.set(site.placeholder, rampFor(site, whole.lo, whole.hi, points, (gap / 2) * (1 - 2 ** -20), steps));
  }
  return substitute(expr, ramps);
}
