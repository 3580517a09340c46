import { InputError } from '../errors.ts';
import { exprKey, exprToString, type Expr } from '../expr/ast.ts';
import { branchWithSigns, derivative, kinkSites } from '../expr/derivative.ts';
import { accurateEvaluator, REL } from '../expr/accurate.ts';
import { compileFunction1 } from '../expr/evaluate.ts';
import { enclose } from '../expr/interval.ts';
import { treeSize } from '../expr/parse.ts';
import { reportEvery } from './progress.ts';

/**
 * A one-variable formula on a domain, with everything placement, fitting and certification
 * need: fast point values, f'' (where it exists), interval enclosures of f and f'' on any
 * sub-interval, and the kinks (points where abs, relu, min or max switch branch).
 */
export interface Target {
  expr: Expr;
  variable: string;
  a: number;
  b: number;
  /**
   * f at a point: within max(2^−44·|f|, 2^−44·scale) of the real-valued formula, proven
   * (float64 where its running error bound shows it accurate, decimal arithmetic elsewhere:
   * expr/accurate.ts); `out[0]`, when given, receives that bound. `absTol`: a larger absolute
   * error the caller accepts (float64 or double-double values within it skip decimal arithmetic).
   */
  f: (x: number, out?: Float64Array, absTol?: number) => number;
  /** f in plain float64 (fast; no error bound): for searches whose result is checked. */
  f64: (x: number) => number;
  /** f'' at a point (NaN at a kink or a singularity). */
  f2: (x: number) => number;
  /** Enclosure of f on [c, d]. */
  encloseF: (c: number, d: number) => { lo: number; hi: number; undefinedPart: boolean };
  /** Enclosure of f'' on [c, d], or null when no smooth branch is known to hold there. */
  encloseF2: (c: number, d: number) => { lo: number; hi: number } | null;
  /** Enclosure of f' on [c, d], or null when no smooth branch is known to hold there. */
  encloseF1?: (c: number, d: number) => { lo: number; hi: number } | null;
  /** Kink positions inside (a, b), sorted. */
  kinks: number[];
  /** max |f| over the domain (sampled), the scale for relative errors. */
  scale: number;
  /**
   * Sets the absolute error f's values may carry by default to `tol` (never below 2^−44·scale):
   * a build at a known tolerance accepts float64 values whose proven error is a small part of it,
   * and sends only the others to double-double or decimal arithmetic. Every caller carries the
   * proven error of each value (out[0]), so this changes the work, never soundness.
   */
  acceptError: (tol: number) => void;
}

/** Node evaluations the sampling grid of makeTarget may spend. */
const GRID_WORK = 4e7;

/** Targets made recently, by variable, domain, flag and formula (most recent last), with their formula's size. */
const RECENT = new Map<string, { t: Target; nodes: number }>();
/** At most this many targets are kept, holding at most RECENT_NODES formula nodes in all (memory: compiled code). */
const RECENT_LIMIT = 1024;
const RECENT_NODES = 200_000;
let recentNodes = 0;

/**
 * The Target of a formula on [a, b]. Throws an InputError (naming `argument`) when the formula
 * is not defined and finite on the whole domain. The same formula on the same domain is made
 * once (its checked grid costs ~2 s for a 500-term sum, and compile's planner asks for it many
 * times): a recent one is handed out again, its accepted error reset.
 */
export function makeTarget(expr: Expr, variable: string, a: number, b: number, argument = 'expression'): Target {
  const key = `${variable}|${a}|${b}|${argument}|${exprKey(expr)}`;
  let entry = RECENT.get(key);
  if (entry) RECENT.delete(key);
  else {
    entry = { t: newTarget(expr, variable, a, b, argument), nodes: treeSize(expr).nodes };
    recentNodes += entry.nodes;
  }
  entry.t.acceptError(0);
  RECENT.set(key, entry);
  for (const [k, old] of RECENT) {
    if ((RECENT.size <= RECENT_LIMIT && recentNodes <= RECENT_NODES) || old === entry) break;
    RECENT.delete(k);
    recentNodes -= old.nodes;
  }
  return entry.t;
}

function newTarget(expr: Expr, variable: string, a: number, b: number, argument: string): Target {
  const f64 = compileFunction1(expr, variable);
  const point = pointEvaluator(expr, variable);
  const curvature = curvatureOf(expr, variable);
  const encloseF = (c: number, d: number) => enclose(expr, { [variable]: [c, d] });
  const scale = checkedScale({ expr, variable, a, b, argument }, f64, point);
  const kinks = findKinks(curvature.selectors, a, b);
  const { f2, encloseF2, encloseF1 } = curvature;
  const floor = REL * Math.max(scale, MIN_NORMAL);
  const acceptError = (tol: number) => point.setAbsTol(tol > floor && tol < Infinity ? tol : floor);
  return {
    expr, variable, a, b, f: point.f, f64, f2, encloseF, encloseF2, encloseF1, kinks, scale: scale || 1, acceptError,
  };
}

/** Relative accuracy of the values that find the scale (a sampled max |f|, not a bound). */
const SCALE_ACCURACY = 2 ** -30;

/** The least positive normal double, 2^−1022. */
const MIN_NORMAL = 2 ** -1022;

/** Proven point values of f (expr/accurate.ts), with the absolute floor of their error settable. */
interface PointEvaluator {
  f: (x: number, out?: Float64Array, absTol?: number) => number;
  setAbsTol: (tol: number) => void;
  /** Points so far that needed decimal arithmetic. */
  precisePoints: () => number;
}

function pointEvaluator(expr: Expr, variable: string): PointEvaluator {
  const accurate = accurateEvaluator(expr, [variable]);
  const arg = new Float64Array(1);
  const scratch = new Float64Array(1);
  let absTol = 0;
  const f = (x: number, out: Float64Array = scratch, accepted = 0): number => {
    arg[0] = x;
    return accurate(arg, out, Math.max(absTol, accepted));
  };
  return { f, setAbsTol: (tol) => { absTol = tol; }, precisePoints: () => accurate.precisePoints() };
}

/** f'' by smooth branch (one per sign pattern of the kink selectors), at points and over intervals. */
interface Curvature {
  f2: (x: number) => number;
  encloseF2: (c: number, d: number) => { lo: number; hi: number } | null;
  /** Enclosure of f' on [c, d] by the same smooth branch, or null. */
  encloseF1: (c: number, d: number) => { lo: number; hi: number } | null;
  /** The kink selectors compiled: f has a kink where one changes sign. */
  selectors: ((x: number) => number)[];
}

function curvatureOf(expr: Expr, variable: string): Curvature {
  const sites = kinkSites(expr);
  const branches = new Map<string, { f1: Expr; f2: Expr; f2fn: (x: number) => number }>();
  const branchFor = (signs: number[]) => {
    const key = signs.join(',');
    let br = branches.get(key);
    if (!br) {
      const smooth = branchWithSigns(expr, sites, signs);
      const f1 = derivative(smooth, variable);
      const f2 = derivative(f1, variable);
      br = { f1, f2, f2fn: compileFunction1(f2, variable) };
      branches.set(key, br);
    }
    return br;
  };
  const selectors = sites.map((s) => compileFunction1(s.selector, variable));
  const smooth = sites.length === 0 ? branchFor([]).f2fn : null;
  const f2 = smooth ?? ((x: number): number => {
    const signs = selectors.map((s) => Math.sign(s(x)));
    if (signs.some((s) => s === 0 || Number.isNaN(s))) return NaN;
    return branchFor(signs).f2fn(x);
  });
  const encloseDerivative = (order: 'f1' | 'f2', c: number, d: number) => {
    const signs: number[] = [];
    for (const s of sites) {
      const e = enclose(s.selector, { [variable]: [c, d] });
      if (e.undefinedPart) return null;
      if (e.lo >= 0) signs.push(1);
      else if (e.hi <= 0) signs.push(-1);
      else return null;
    }
    const e = enclose(branchFor(signs)[order], { [variable]: [c, d] });
    if (e.undefinedPart || !Number.isFinite(e.lo) || !Number.isFinite(e.hi)) return null;
    return { lo: e.lo, hi: e.hi };
  };
  const encloseF2 = (c: number, d: number) => encloseDerivative('f2', c, d);
  const encloseF1 = (c: number, d: number) => encloseDerivative('f1', c, d);
  return { f2, encloseF2, encloseF1, selectors };
}

/** The formula on its domain, and the flag its errors name. */
interface Domain { expr: Expr; variable: string; a: number; b: number; argument: string }

/**
 * Checks the formula is defined and finite on the domain (float64 on a fine grid, confirmed
 * accurately where float64 is not finite), and finds its scale: max |f| on a coarser grid
 * of accurate values (float64 sets their absolute floor, 2^−44 of its own max first). The
 * grid is 20,000 points, fewer for a formula of thousands of nodes (GRID_WORK node
 * evaluations at most, 1,000 points at least): it finds trouble early, the enclosures prove.
 * Leaves the point evaluator's absolute floor at 2^−44 of the scale, or of the least normal double
 * when f is smaller still (subnormal values: asking 2^−44 of them would send every point to decimal
 * arithmetic, seconds for nothing; the floor is a proven radius either way, carried by the callers).
 */
function checkedScale(dom: Domain, f64: (x: number) => number, point: PointEvaluator): number {
  const { expr, a, b } = dom;
  const { f } = point;
  const N = Math.max(1000, Math.min(20000, Math.floor(GRID_WORK / treeSize(expr).nodes)));
  const at = (i: number) => (i === N ? b : a + ((b - a) * i) / N);
  let scale64 = 0;
  const y64 = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    reportEvery(i, 'checking f', 'float64 value', N);
    const x = at(i);
    let y = f64(x);
    if (!Number.isFinite(y)) y = f(x);
    if (!Number.isFinite(y)) throw undefinedOnDomain(dom, f64, x);
    if (Math.abs(y) < Infinity) scale64 = Math.max(scale64, Math.abs(y));
    y64[i] = y;
  }
  // The scale is a sampled max: 2^−30 of it is accuracy enough, and spares decimal arithmetic where
  // float64's running bound is loose (a sum of 500 sines: ~10 ms a point, minutes for the grid).
  point.setAbsTol(SCALE_ACCURACY * Math.max(scale64, MIN_NORMAL));
  let scale = 0;
  for (let i = 0; i <= N; i += 10) {
    reportEvery(i / 10, 'checking f', 'proven value', N / 10);
    scale = Math.max(scale, Math.abs(f(at(i))));
  }
  // The fine grid too, unless f needs decimal arithmetic at many points (slow, ~50 µs each): at the
  // peaks of |f| in float64 within 10% of the max so far, and beside them (a 2,000-term sum: ~5 ms a
  // point in ball arithmetic, a minute for the whole grid).
  if (point.precisePoints() < 50) {
    const peak = (i: number) => !(Math.abs(y64[i]!) < 0.9 * scale) && !(Math.abs(y64[i]!) < Math.abs(y64[i - 1] ?? 0))
      && !(Math.abs(y64[i]!) < Math.abs(y64[i + 1] ?? 0));
    for (let i = 0; i <= N; i++) {
      reportEvery(i, 'checking f', 'proven value', N);
      if (!peak(i)) continue;
      for (let j = Math.max(0, i - 1); j <= Math.min(N, i + 1); j++) scale = Math.max(scale, Math.abs(f(at(j))));
    }
  }
  point.setAbsTol(REL * Math.max(scale, MIN_NORMAL));
  const bad = nonFinitePoint(expr, dom.variable, f, a, b);
  if (bad !== null) throw undefinedOnDomain(dom, f64, bad);
  return scale;
}

function undefinedOnDomain(
  { expr, variable, a, b, argument }: Domain, f64: (x: number) => number, x: number,
): InputError {
  // Where float64 is finite the proven (accurate) value is what failed: x^(2/3) at 0, whose exponent
  // is computed, not a number (issue 30 item 2); naming the float64 value alone read as a wrong refusal.
  const v = f64(x);
  const got = Number.isFinite(v) ? `${exprText(expr)} has no proven value at ${variable} = ${x} (float64 gives ${v})`
    : `${exprText(expr)} = ${v} at ${variable} = ${x}`;
  const rule = `be defined and finite on the whole domain [${a}, ${b}]`;
  return new InputError(argument, rule, got, { field: 'expr', code: 'undefined-on-domain' });
}

/**
 * A point of [a, b] where f is not finite, looked for where the enclosure says f may be
 * undefined: such sub-intervals are bisected (each midpoint evaluated) down to a handful of
 * doubles, which are then all evaluated. A pole between sample points (1/(x − 0.123456789))
 * is found this way, at the double where the denominator is 0; an enclosure that is merely
 * pessimistic (sqrt(1 − x²) near ±1) ends in finite values. null when none is found within
 * the budget of enclosures.
 */
function nonFinitePoint(expr: Expr, variable: string, f: (x: number) => number, a: number, b: number): number | null {
  const stack: [number, number][] = [[a, b]];
  let budget = 4000;
  while (stack.length && budget-- > 0) {
    const [lo, hi] = stack.pop()!;
    if (!enclose(expr, { [variable]: [lo, hi] }).undefinedPart) continue;
    let x = lo;
    let k = 0;
    while (k < 16 && x < hi) { x = nextUp(x); k++; }
    if (x >= hi) {
      // A handful of doubles: evaluate every one.
      for (let v = lo; v <= hi; v = nextUp(v)) if (!Number.isFinite(f(v))) return v;
      continue;
    }
    const mid = lo + (hi - lo) / 2;
    if (!Number.isFinite(f(mid))) return mid;
    stack.push([mid, hi], [lo, mid]);
  }
  return null;
}

const bitsBuf = new Float64Array(1);
const bitsInt = new BigInt64Array(bitsBuf.buffer);

/** The next double above x (finite x). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bitsBuf[0] = x;
  bitsInt[0] = bitsInt[0]! + (x > 0 ? 1n : -1n);
  return bitsBuf[0]!;
}

function exprText(e: Expr): string {
  return exprToString(e);
}

/** Sign changes of each kink selector on a fine grid, refined by bisection to adjacent doubles. */
function findKinks(selectors: ((x: number) => number)[], a: number, b: number): number[] {
  const out: number[] = [];
  const N = 4096;
  for (const s of selectors) {
    let x0 = a;
    let s0 = s(a);
    for (let i = 1; i <= N; i++) {
      const x1 = i === N ? b : a + ((b - a) * i) / N;
      const s1 = s(x1);
      if (s1 === 0 && x1 > a && x1 < b) out.push(x1);
      else if (s0 !== 0 && Math.sign(s0) !== Math.sign(s1) && s1 !== 0) {
        let lo = x0;
        let hi = x1;
        for (let k = 0; k < 200; k++) {
          const m = lo + (hi - lo) / 2;
          if (m <= lo || m >= hi) break;
          if (Math.sign(s(m)) === Math.sign(s0)) lo = m;
          else hi = m;
        }
        if (hi > a && hi < b) out.push(hi);
      }
      x0 = x1;
      s0 = s1;
    }
  }
  return [...new Set(out)].sort((p, q) => p - q);
}
