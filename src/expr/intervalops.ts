import * as I from 'interval-arithmetic';

/**
 * interval-arithmetic 1.1.3's add, sub, negative, mul, div, integer pow, exp and sqrt, step for step: the same rounding
 * functions (I.round) and the same cases, so the same endpoints, bit for bit (test/expr/intervalops
 * checks it against the library). The library's own operations construct their results through
 * its callable `Interval` wrapper (Function.prototype.bind per interval), the largest cost of an
 * enclosure; these construct the class the package exports directly.
 */
type Iv = I.Interval;
const R = I.round;

export function add(x: Iv, y: Iv): Iv {
  return new I.Interval(R.addLo(x.lo, y.lo), R.addHi(x.hi, y.hi));
}

export function sub(x: Iv, y: Iv): Iv {
  return new I.Interval(R.subLo(x.lo, y.hi), R.subHi(x.hi, y.lo));
}

export function negative(x: Iv): Iv {
  return new I.Interval(-x.hi, -x.lo);
}

/** The product; an empty operand is left to the library (its EMPTY constant). */
export function mul(x: Iv, y: Iv): Iv {
  if (x.lo > x.hi || y.lo > y.hi) return I.mul(x, y);
  const out = new I.Interval();
  const [lo, hi] = x.lo < 0 ? (x.hi > 0 ? mixedTimes(x, y) : negativeTimes(x, y)) : nonNegativeTimes(x, y);
  out.lo = lo;
  out.hi = hi;
  return out;
}

/** x.lo < 0 < x.hi. */
function mixedTimes({ lo: xl, hi: xh }: Iv, { lo: yl, hi: yh }: Iv): [number, number] {
  if (yl < 0) {
    if (yh > 0) return [Math.min(R.mulLo(xl, yh), R.mulLo(xh, yl)), Math.max(R.mulHi(xl, yl), R.mulHi(xh, yh))];
    return [R.mulLo(xh, yl), R.mulHi(xl, yl)];
  }
  if (yh > 0) return [R.mulLo(xl, yh), R.mulHi(xh, yh)];
  return [0, 0];
}

/** x.lo < 0, x.hi ≤ 0 (or NaN). */
function negativeTimes({ lo: xl, hi: xh }: Iv, { lo: yl, hi: yh }: Iv): [number, number] {
  if (yl < 0) {
    if (yh > 0) return [R.mulLo(xl, yh), R.mulHi(xl, yl)];
    return [R.mulLo(xh, yh), R.mulHi(xl, yl)];
  }
  if (yh > 0) return [R.mulLo(xl, yh), R.mulHi(xh, yl)];
  return [0, 0];
}

/** x.lo ≥ 0 (or NaN). */
function nonNegativeTimes({ lo: xl, hi: xh }: Iv, { lo: yl, hi: yh }: Iv): [number, number] {
  if (!(xh > 0)) return [0, 0];
  if (yl < 0) {
    if (yh > 0) return [R.mulLo(xh, yl), R.mulHi(xh, yh)];
    return [R.mulLo(xh, yl), R.mulHi(xl, yh)];
  }
  if (yh > 0) return [R.mulLo(xl, yl), R.mulHi(xh, yh)];
  return [0, 0];
}

/** The quotient; an empty operand or a divisor holding 0 is left to the library (its cases for those). */
export function div(x: Iv, y: Iv): Iv {
  if (x.lo > x.hi || y.lo > y.hi || (y.lo <= 0 && 0 <= y.hi)) return I.div(x, y);
  const out = new I.Interval();
  const [lo, hi] = quotient(x, y);
  out.lo = lo;
  out.hi = hi;
  return out;
}

/** x / y for y not holding 0 (the library's division.nonZero). */
function quotient({ lo: xl, hi: xh }: Iv, { lo: yl, hi: yh }: Iv): [number, number] {
  if (xh < 0) return yh < 0 ? [R.divLo(xh, yl), R.divHi(xl, yh)] : [R.divLo(xl, yl), R.divHi(xh, yh)];
  if (xl < 0) return yh < 0 ? [R.divLo(xh, yh), R.divHi(xl, yh)] : [R.divLo(xl, yl), R.divHi(xh, yl)];
  return yh < 0 ? [R.divLo(xh, yh), R.divHi(xl, yl)] : [R.divLo(xl, yh), R.divHi(xh, yl)];
}

/** x^p for a whole p; p ≤ 0, a fractional p or an empty x are left to the library (its cases for those). */
export function pow(x: Iv, p: number): Iv {
  if (x.lo > x.hi || !(p > 0) || !Number.isSafeInteger(p)) return I.pow(x, p);
  const odd = (p & 1) === 1;
  if (x.hi < 0) {
    const yl = R.powLo(-x.hi, p);
    const yh = R.powHi(-x.lo, p);
    return odd ? new I.Interval(-yh, -yl) : new I.Interval(yl, yh);
  }
  if (x.lo < 0) {
    return odd ? new I.Interval(-R.powLo(-x.lo, p), R.powHi(x.hi, p))
      : new I.Interval(0, R.powHi(Math.max(-x.lo, x.hi), p));
  }
  return new I.Interval(R.powLo(x.lo, p), R.powHi(x.hi, p));
}

/** e^x; an empty x is left to the library. */
export function exp(x: Iv): Iv {
  if (x.lo > x.hi) return I.exp(x);
  return new I.Interval(R.expLo(x.lo), R.expHi(x.hi));
}

/** √x for x ≥ 0 (the library's nthRoot(x, 2) there); an empty x or one reaching below 0 is left to the library. */
export function sqrt(x: Iv): Iv {
  if (x.lo > x.hi || x.lo < 0 || x.hi < 0) return I.sqrt(x);
  return new I.Interval(R.powLo(x.lo, 1 / 2), R.powHi(x.hi, 1 / 2));
}
