import * as I from 'interval-arithmetic';
import type { Expr } from './ast.ts';

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
  const flag = { undefinedPart: false };
  const r = walk(e, box, flag);
  const lo = r.lo;
  const hi = r.hi;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return { lo: -Infinity, hi: Infinity, undefinedPart: true };
  return { lo, hi, undefinedPart: flag.undefinedPart };
}

/** Next doubles outward, for operations the library does not round (fractional powers). */
function outward(lo: number, hi: number): Iv {
  const d = (x: number, s: number) => (Number.isFinite(x) ? x + s * Math.max(Math.abs(x) * 4.5e-16, 5e-324) : x);
  return iv(d(lo, -1), d(hi, 1));
}

function walk(e: Expr, box: Record<string, readonly [number, number]>, flag: { undefinedPart: boolean }): Iv {
  switch (e.op) {
    case 'const': return iv(e.value, e.value);
    case 'var': {
      const b = box[e.name];
      if (!b) throw new RangeError(`no range for variable ${e.name}`);
      return iv(b[0], b[1]);
    }
    case 'neg': return I.negative(walk(e.arg, box, flag));
    case 'add': return I.add(walk(e.a, box, flag), walk(e.b, box, flag));
    case 'sub': return I.sub(walk(e.a, box, flag), walk(e.b, box, flag));
    case 'mul': {
      if (exprEquals(e.a, e.b)) return I.pow(walk(e.a, box, flag), 2);
      return I.mul(walk(e.a, box, flag), walk(e.b, box, flag));
    }
    case 'div': {
      const d = walk(e.b, box, flag);
      if (d.lo <= 0 && d.hi >= 0) flag.undefinedPart = true;
      return I.div(walk(e.a, box, flag), d);
    }
    case 'pow': return power(walk(e.a, box, flag), e.b, box, flag);
    case 'call2': {
      const a = walk(e.a, box, flag);
      const b = walk(e.b, box, flag);
      return e.fn === 'min' ? iv(Math.min(a.lo, b.lo), Math.min(a.hi, b.hi)) : iv(Math.max(a.lo, b.lo), Math.max(a.hi, b.hi));
    }
    case 'call': {
      const a = walk(e.arg, box, flag);
      switch (e.fn) {
        case 'sqrt':
          if (a.lo < 0) flag.undefinedPart = true;
          return I.sqrt(iv(Math.max(a.lo, 0), Math.max(a.hi, 0)));
        case 'log':
          if (a.lo <= 0) flag.undefinedPart = true;
          return I.log(a);
        case 'log1p':
          if (a.lo <= -1) flag.undefinedPart = true;
          // log1p is monotone; log(1 + a) with outward rounding of 1 + a.
          return I.log(I.add(iv(1, 1), a));
        case 'abs': return I.abs(a);
        case 'exp': return I.exp(a);
        case 'sin': return I.sin(a);
        case 'cos': return I.cos(a);
        case 'tan': {
          const t = I.tan(a);
          if (!Number.isFinite(t.lo) || !Number.isFinite(t.hi)) flag.undefinedPart = true;
          return t;
        }
        case 'tanh': return I.tanh(a);
        case 'sinh': return I.sinh(a);
        case 'cosh': return I.cosh(a);
        case 'sigmoid': return I.div(iv(1, 1), I.add(iv(1, 1), I.exp(I.negative(a))));
        case 'relu': return iv(Math.max(0, a.lo), Math.max(0, a.hi));
        case 'sec': {
          const c = I.cos(a);
          if (c.lo <= 0 && c.hi >= 0) flag.undefinedPart = true;
          return I.div(iv(1, 1), c);
        }
        case 'sech': return I.div(iv(1, 1), I.cosh(a));
      }
    }
  }
}

function power(base: Iv, exponent: Expr, box: Record<string, readonly [number, number]>, flag: { undefinedPart: boolean }): Iv {
  if (exponent.op === 'const' || (exponent.op === 'neg' && exponent.arg.op === 'const')) {
    const p = exponent.op === 'const' ? exponent.value : -(exponent.arg as { value: number }).value;
    if (Number.isInteger(p)) {
      if (p < 0 && base.lo <= 0 && base.hi >= 0) flag.undefinedPart = true;
      return I.pow(base, p);
    }
    // Fractional power: defined for base ≥ 0 (base > 0 when p < 0); monotone there.
    if (base.lo < 0 || (p < 0 && base.lo <= 0)) flag.undefinedPart = true;
    const lo = Math.max(base.lo, 0);
    const hi = Math.max(base.hi, 0);
    const a = Math.pow(lo, p);
    const b = Math.pow(hi, p);
    return outward(Math.min(a, b), Math.max(a, b));
  }
  // General power a^b = exp(b·log a), for a > 0.
  if (base.lo <= 0) flag.undefinedPart = true;
  return I.exp(I.mul(walk(exponent, box, flag), I.log(base)));
}

function exprEquals(a: Expr, b: Expr): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
