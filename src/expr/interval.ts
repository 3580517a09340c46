import * as I from 'interval-arithmetic';
import type { Expr, UnaryFn } from './ast.ts';
import { encloseAtan2, encloseNew } from './enclosures.ts';
import { add, div, exp, mul, negative, pow, sqrt, sub } from './intervalops.ts';
import { InputError } from '../errors.ts';
import { ownEntry } from './names.ts';
import { exprTree } from '../validate.ts';

/**
 * Interval enclosures of a formula with outward rounding (interval-arithmetic, after
 * Hickey, Ju & van Emden, "Interval arithmetic: from principles to implementation", 2001).
 * An enclosure [lo, hi] contains f(x) for every x in the box. Where the formula is not
 * defined on part of the box (sqrt or log of an interval reaching below 0), the result is
 * flagged `undefinedPart` so callers never mistake a clipped enclosure for a sound one.
 */
export interface Enclosure {
  lo: number;
  hi: number;
  /** true when some point of the box may lie outside the formula's domain. */
  undefinedPart: boolean;
}

type Iv = I.Interval;
const iv = (lo: number, hi: number): Iv => new I.Interval(lo, hi);

export function enclose(e: Expr, box: Record<string, readonly [number, number]>): Enclosure {
  exprTree(e, 'expr');
  if (typeof box !== 'object' || box === null) throw new InputError('box', 'be a record of ranges by name',
    String(box), { field: 'box', code: 'wrong-type' });
  const flag: Flag = { undefinedPart: false, memo: new Map() };
  const r = walk(e, box, flag);
  const lo = r.lo;
  const hi = r.hi;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return { lo: -Infinity, hi: Infinity, undefinedPart: true };
  return { lo, hi, undefinedPart: flag.undefinedPart };
}

/** Next doubles outward, for operations the library does not round (fractional powers). */
function outward(lo: number, hi: number): Iv {
  return iv(nudge(lo, -1), nudge(hi, 1));
}

/** x moved by about 2 ulp in the direction s (±1); infinities stay (module level: outward is hot). */
function nudge(x: number, s: number): number {
  return Number.isFinite(x) ? x + s * Math.max(Math.abs(x) * 4.5e-16, 5e-324) : x;
}

/** Per-enclosure state: the undefined flag, and each node's enclosure (shared nodes once). */
interface Flag { undefinedPart: boolean; memo: Map<Expr, Iv> }

/** Enclosure of one node, memoized by identity: derivatives are DAGs, walked in linear time. */
function walk(e: Expr, box: Record<string, readonly [number, number]>, flag: Flag): Iv {
  let r = flag.memo.get(e);
  if (!r) { r = walkNode(e, box, flag); flag.memo.set(e, r); }
  return r;
}

function walkNode(e: Expr, box: Record<string, readonly [number, number]>, flag: Flag): Iv {
  switch (e.op) {
    case 'const': return iv(e.value, e.value);
    case 'var': {
      const b = ownEntry(box, e.name);
      if (!b) throw new RangeError(`no range for variable ${e.name}`);
      return iv(b[0], b[1]);
    }
    case 'neg': return negative(walk(e.arg, box, flag));
    case 'add': {
      // A sum of non-negative values is non-negative: outward rounding of 0 + 0 would give
      // −5e-324 and make sqrt(x² + y²) look undefined on every box around the origin.
      const a = walk(e.a, box, flag), b = walk(e.b, box, flag);
      const r = add(a, b);
      return a.lo >= 0 && b.lo >= 0 && r.lo < 0 ? iv(0, r.hi) : r;
    }
    case 'sub': return sub(walk(e.a, box, flag), walk(e.b, box, flag));
    case 'mul': {
      if (exprEquals(e.a, e.b)) return integerPower(walk(e.a, box, flag), 2);
      return mul(walk(e.a, box, flag), walk(e.b, box, flag));
    }
    case 'div': {
      const d = walk(e.b, box, flag);
      if (d.lo <= 0 && d.hi >= 0) flag.undefinedPart = true;
      return div(walk(e.a, box, flag), d);
    }
    case 'pow': return power(walk(e.a, box, flag), e.b, box, flag);
    case 'call2': {
      const a = walk(e.a, box, flag);
      const b = walk(e.b, box, flag);
      if (e.fn === 'atan2') return encloseAtan2(a, b, flag);
      if (e.fn === 'min') return iv(Math.min(a.lo, b.lo), Math.min(a.hi, b.hi));
      return iv(Math.max(a.lo, b.lo), Math.max(a.hi, b.hi));
    }
    case 'call': return encloseCall(e.fn, walk(e.arg, box, flag), flag);
  }
}

/** Enclosure of fn(a) for a unary function, flagging the part of a outside fn's domain. */
function encloseCall(fn: UnaryFn, a: Iv, flag: Flag): Iv {
  const own = encloseNew(fn, a, flag);
  if (own) return own;
  // sin, cos, tan of ±Infinity (an argument that overflowed) are NaN.
  const periodic = fn === 'sin' || fn === 'cos' || fn === 'tan' || fn === 'sec';
  if (periodic && !(Number.isFinite(a.lo) && Number.isFinite(a.hi))) flag.undefinedPart = true;
  switch (fn) {
    case 'sqrt':
      if (a.lo < 0) flag.undefinedPart = true;
      return sqrt(iv(Math.max(a.lo, 0), Math.max(a.hi, 0)));
    case 'log':
      if (a.lo <= 0) flag.undefinedPart = true;
      return I.log(a);
    case 'log1p':
      if (a.lo <= -1) flag.undefinedPart = true;
      // log1p is monotone; log(1 + a) with outward rounding of 1 + a.
      return I.log(add(iv(1, 1), a));
    case 'abs': return I.abs(a);
    case 'exp': return exp(a);
    case 'sin': return sinCos('sin', a);
    case 'cos': return sinCos('cos', a);
    case 'tan': {
      const t = tangent(a);
      if (!Number.isFinite(t.lo) || !Number.isFinite(t.hi)) flag.undefinedPart = true;
      return t;
    }
    case 'tanh': return I.tanh(a);
    case 'sigmoid': return div(iv(1, 1), add(iv(1, 1), exp(negative(a))));
    case 'relu': return iv(Math.max(0, a.lo), Math.max(0, a.hi));
    case 'sec': {
      const c = sinCos('cos', a);
      if (c.lo <= 0 && c.hi >= 0) flag.undefinedPart = true;
      return div(iv(1, 1), c);
    }
    case 'sech': return div(iv(1, 1), I.cosh(a));
    default: throw new RangeError(`no enclosure for ${fn}`);
  }
}

/*
 * sin, cos and tan are enclosed here rather than by interval-arithmetic: its reduction of
 * negative arguments shifts them by a rounded 2π without outward rounding, so e.g. its
 * cos([-4.625, -4.625]) misses cos(-4.625) by 2e-17 and its sin([-1e6, -1e6]) misses
 * sin(-1e6) by 3e-11. Instead: Math.sin/cos/tan at the ends (V8's fdlibm port, exact
 * argument reduction, error < 1 ulp), widened by ~2 ulp, plus the extreme value (or the
 * pole) at every critical point that may lie inside. Critical points are located with a
 * relative margin far above the rounding of (x − shift)/π, so doubt only ever adds one.
 */

/** Integers k with shift + kπ possibly in [lo, hi] (conservatively: maybe a few more). */
function criticalRange(lo: number, hi: number, shift: number): [number, number] {
  const qLo = (lo - shift) / Math.PI;
  const qHi = (hi - shift) / Math.PI;
  const margin = 1e-12 * Math.max(1, Math.abs(qLo), Math.abs(qHi));
  return [Math.ceil(qLo - margin), Math.floor(qHi + margin)];
}

function sinCos(fn: 'sin' | 'cos', a: Iv): Iv {
  const { lo, hi } = a;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return iv(-1, 1);
  // sin has its extremes at π/2 + kπ, cos at kπ; the value there is (−1)^k.
  const [k0, k1] = criticalRange(lo, hi, fn === 'sin' ? Math.PI / 2 : 0);
  if (k1 > k0) return iv(-1, 1);
  const f = fn === 'sin' ? Math.sin : Math.cos;
  let rlo = Math.min(f(lo), f(hi));
  let rhi = Math.max(f(lo), f(hi));
  if (k0 === k1) {
    if (k0 % 2 === 0) rhi = 1;
    else rlo = -1;
  }
  const w = outward(rlo, rhi);
  return iv(Math.max(-1, w.lo), Math.min(1, w.hi));
}

function tangent(a: Iv): Iv {
  const { lo, hi } = a;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return iv(-Infinity, Infinity);
  // Poles at π/2 + kπ; between poles tan is increasing.
  const [k0, k1] = criticalRange(lo, hi, Math.PI / 2);
  if (k0 <= k1) return iv(-Infinity, Infinity);
  return outward(Math.tan(lo), Math.tan(hi));
}

function power(base: Iv, exponent: Expr, box: Record<string, readonly [number, number]>, flag: Flag): Iv {
  if (exponent.op === 'const' || (exponent.op === 'neg' && exponent.arg.op === 'const')) {
    const p = exponent.op === 'const' ? exponent.value : -(exponent.arg as { value: number }).value;
    if (Number.isInteger(p)) {
      if (p < 0 && base.lo <= 0 && base.hi >= 0) flag.undefinedPart = true;
      return integerPower(base, p);
    }
    // Fractional power: defined for base ≥ 0 (base > 0 when p < 0); monotone there.
    if (base.lo < 0 || (p < 0 && base.lo <= 0)) flag.undefinedPart = true;
    const lo = Math.max(base.lo, 0);
    const hi = Math.max(base.hi, 0);
    const a = Math.pow(lo, p);
    const b = Math.pow(hi, p);
    return outward(Math.min(a, b), Math.max(a, b));
  }
  // General power a^b = exp(b·log a), for a > 0; 0^b = 0 for b > 0.
  const e = walk(exponent, box, flag);
  if (base.lo >= 0 && e.lo > 0) return positivePower(base, e);
  if (base.lo <= 0) flag.undefinedPart = true;
  return exp(mul(e, I.log(base)));
}

/**
 * a^b for a in [lo, hi] with lo ≥ 0 and b in [e.lo, e.hi] with e.lo > 0: increasing in a, and
 * monotone in b for each a (0^b = 0), so the extremes lie at the corners (rounded outward).
 */
function positivePower(base: Iv, e: Iv): Iv {
  const corners = [base.lo, base.hi].flatMap((a) => [e.lo, e.hi].map((b) => Math.pow(a, b)));
  return outward(Math.min(...corners), Math.max(...corners));
}

/**
 * base^p for an integer p. interval-arithmetic 1.1.3 rounds the lower end of an odd power
 * of an interval reaching below 0 toward zero (it returns [5e-324, 5e-324] for x^3 on
 * [-1e-200, 0]): that case is taken apart here as −[0, −lo]^p ∪ [0, hi]^p.
 */
function integerPower(base: Iv, p: number): Iv {
  if (p < 0) return integerPower(I.multiplicativeInverse(base), -p);
  if (p % 2 === 1 && base.lo < 0 && !(base.hi < 0)) {
    return iv(-pow(iv(0, -base.lo), p).hi, pow(iv(0, Math.max(0, base.hi)), p).hi);
  }
  const r = pow(base, p);
  // Even powers are non-negative (outward rounding may take 0 to −5e-324).
  return p % 2 === 0 && r.lo < 0 ? iv(0, r.hi) : r;
}

/** Structural equality, shared nodes (derivatives share them) settled at once by identity. */
function exprEquals(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.op !== b.op) return false;
  switch (a.op) {
    case 'const': return a.value === (b as typeof a).value;
    case 'var': return a.name === (b as typeof a).name;
    case 'neg': return exprEquals(a.arg, (b as typeof a).arg);
    case 'call': return a.fn === (b as typeof a).fn && exprEquals(a.arg, (b as typeof a).arg);
    case 'call2': return a.fn === (b as typeof a).fn && exprEquals(a.a, (b as typeof a).a) && exprEquals(a.b,
      (b as typeof a).b);
    default: return exprEquals(a.a, (b as typeof a).a) && exprEquals(a.b, (b as typeof a).b);
  }
}
