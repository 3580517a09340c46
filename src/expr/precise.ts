import type { Decimal } from 'decimal.js';
import { math } from './mathjs.ts';
import type { Expr, UnaryFn } from './ast.ts';
import { atan2Radius, FLOAT64_FUNCTIONS, type BallValue } from './ball.ts';

/**
 * The formula at a point in P-digit decimal arithmetic (decimal.js, mathjs's BigNumber) with
 * a rigorous radius: ball arithmetic as in ball.ts, with the centres in P digits and the radii
 * in float64, rounded up. Each decimal operation is charged its own rounding: 10 units of the
 * P-th digit (|v|·10^(1−P)) for + − × ÷ sqrt, which decimal.js rounds correctly, and 1000 for
 * the transcendental functions (plus an absolute term where decimal.js is only absolutely
 * accurate, as near the zeros of sin). Propagation uses the Lipschitz bounds of ball.ts's
 * table, evaluated on a float64 ball that contains the decimal one. At P = 40 a formula that
 * cancels 16 digits (sqrt(1e16 + x) − 1e8) keeps about 24.
 */
type Dec = Decimal;
type DecCtor = Decimal.Constructor;

const ctors = new Map<number, DecCtor>();
function decimalWith(precision: number): DecCtor {
  let D = ctors.get(precision);
  if (!D) {
    // toExpNeg/toExpPos stay decimal.js's: toNumber() goes through the decimal's string, and a
    // positional string of e^(−1e10) has 4e9 digits (approx of exp(-1/x) on 0:1 ran out of memory).
    D = ((math.bignumber(1) as unknown as Dec).constructor as DecCtor).clone({ precision, rounding: 6 });
    ctors.set(precision, D);
  }
  return D;
}

/**
 * Each user function in P digits: its value, and the error charged to it in units of 10^−P
 * (v its value as a float64, c its argument). A new function is one line here (decimal.js has
 * atan, asin, acos, atanh, ...) and one in ball.ts's FLOAT64_FUNCTIONS.
 */
export const DECIMAL_FUNCTIONS: Record<UnaryFn, { value: (d: Dec, D: DecCtor) => Dec; units: (v: number,
  c: number) => number }> = {
  sqrt: { value: (d) => d.sqrt(), units: (v) => 10 * Math.abs(v) },
  abs: { value: (d) => d.abs(), units: () => 0 },
  relu: { value: (d, D) => (d.isNegative() ? new D(0) : d), units: () => 0 },
  exp: { value: (d) => d.exp(), units: (v) => 1000 * Math.abs(v) },
  log: { value: (d) => d.ln(), units: (v) => 1000 * Math.abs(v) },
  log1p: { value: (d) => d.plus(1).ln(), units: (v) => 1000 * (Math.abs(v) + 1) },
  sin: { value: (d) => d.sin(), units: (v, c) => 1000 * (Math.abs(v) + 1 + Math.abs(c)) },
  cos: { value: (d) => d.cos(), units: (v, c) => 1000 * (Math.abs(v) + 1 + Math.abs(c)) },
  tan: { value: (d) => d.tan(), units: (v, c) => 1000 * (Math.abs(v) + 1 + Math.abs(c)) * (1 + v * v) },
  tanh: { value: (d) => d.tanh(), units: (v) => 1000 * (Math.abs(v) + 1) },
  sigmoid: { value: (d, D) => new D(1).div(d.neg().exp().plus(1)), units: (v) => 1000 * (Math.abs(v) + 1) },
  sec: { value: (d, D) => new D(1).div(d.cos()), units: (v, c) => 1000 * (Math.abs(v) + 1 + Math.abs(c)) * (1
    + v * v) },
  sech: { value: (d, D) => new D(1).div(d.cosh()), units: (v) => 1000 * (Math.abs(v) + 1) },
  cosh: { value: (d) => d.cosh(), units: (v) => 1000 * (Math.abs(v) + 1) },
  sinh: { value: (d) => d.sinh(), units: (v) => 1000 * (Math.abs(v) + 1) },
  atan: { value: (d) => d.atan(), units: (v) => 1000 * (Math.abs(v) + 1) },
  asin: { value: (d) => d.asin(), units: (v) => 1000 * (Math.abs(v) + 1) },
  acos: { value: (d) => d.acos(), units: (v) => 1000 * (Math.abs(v) + 1) },
  cbrt: { value: (d) => d.cbrt(), units: (v) => 10 * Math.abs(v) },
  erf: { value: (d, D) => decimalErf(d, D), units: (v) => 1e4 * (Math.abs(v) + 1) },
  normcdf: { value: (d, D) => decimalErf(d.div(new D(2).sqrt()), D).plus(1).div(2), units: (v) => 1e4 * (Math.abs(v)
    + 1) },
};

/**
 * erf in the constructor's precision: 2x/√π · e^(−x²) · Σ_n (2x²)^n / (1·3·…·(2n+1))
 * (Abramowitz & Stegun 7.1.6; all terms positive, so no cancellation); ±1 where
 * 1 − |erf(x)| < e^(−x²) is below 10^−(P+5).
 */
function decimalErf(x: Dec, D: DecCtor): Dec {
  if (x.abs().gt(Math.sqrt((D.precision + 5) * Math.LN10))) return new D(x.isNegative() ? -1 : 1);
  const x2 = x.times(x);
  let term = new D(1);
  let sum = new D(1);
  const tiny = new D(10).pow(-(D.precision + 5));
  for (let n = 0; term.gt(tiny.times(sum)); n++) {
    term = term.times(x2.times(2)).div(2 * n + 3);
    sum = sum.plus(term);
  }
  return x.times(2).div(D.acos(-1).sqrt()).times(x2.neg().exp()).times(sum);
}

const UP = 1 + 2 ** -40;
const upper = (d: Dec): number => Math.abs(d.toNumber()) * UP + Number.MIN_VALUE;
const lower = (d: Dec): number => Math.max(0, Math.abs(d.toNumber()) * (1 - 2 ** -40));

interface DBall { c: Dec; r: number }

/**
 * A double as a decimal: exact (radius 0) when its decimal expansion has at most 100 digits
 * (m·2^−k, m odd, has the digits of m·5^k; toPrecision stops at 100), else rounded to 100
 * digits with radius 10^−99|x|.
 */
function fromDouble(x: number, D: DecCtor): DBall {
  // ±Infinity and NaN: no ball (the loop below would double m for ever).
  if (!Number.isFinite(x)) return { c: new D(NaN), r: Infinity };
  // Constructing a decimal never rounds (precision applies to results): integers are exact.
  if (Number.isInteger(x)) return { c: new D(BigInt(x).toString()), r: 0 };
  let m = Math.abs(x);
  let k = 0;
  while (!Number.isInteger(m)) { m *= 2; k++; }
  const digits = Math.floor(Math.log10(m) + k * Math.log10(5)) + 2;
  const p = Math.min(100, digits);
  return { c: new D(x.toPrecision(p)), r: digits <= p ? 0 : Math.abs(x) * 10 ** (1 - p) * UP };
}

/** Value and radius of e at the point, in P ≤ 100 digits. NaN radius: not known here. */
export function evaluatePrecise(e: Expr, variables: string[], x: ArrayLike<number>, P: number): BallValue {
  const D = decimalWith(P);
  const unit = 10 ** -P;
  const own = (v: Dec, units: number): number => (units === 0 ? 0 : upper(v) * units * unit);
  const walk = (n: Expr): DBall => {
    switch (n.op) {
      case 'const': return fromDouble(n.value, D);
      case 'var': return fromDouble(x[variables.indexOf(n.name)]!, D);
      case 'neg': { const a = walk(n.arg); return { c: a.c.neg(), r: a.r }; }
      case 'add': case 'sub': {
        const a = walk(n.a); const b = walk(n.b);
        const c = n.op === 'add' ? a.c.plus(b.c) : a.c.minus(b.c);
        return { c, r: (a.r + b.r + own(c, 10)) * UP };
      }
      case 'mul': {
        const a = walk(n.a); const b = walk(n.b);
        const c = a.c.times(b.c);
        return { c, r: (upper(a.c) * b.r + upper(b.c) * a.r + a.r * b.r + own(c, 10)) * UP };
      }
      case 'div': {
        const a = walk(n.a); const b = walk(n.b);
        const bl = lower(b.c);
        if (!(bl > b.r)) return { c: new D(NaN), r: NaN };
        const c = a.c.div(b.c);
        return { c, r: ((upper(a.c) * b.r + upper(b.c) * a.r) / (bl * (bl - b.r)) + own(c, 10)) * UP * UP };
      }
      case 'pow': return power(n.a, n.b, walk, D, own);
      case 'call2': {
        const a = walk(n.a); const b = walk(n.b);
        if (n.fn === 'atan2') {
          // decimal.js's atan2, charged 1000 units; the balls propagate as in ball.ts's atan2Radius.
          const c = D.atan2(a.c, b.c);
          const fa = float64Ball(a, D), fb = float64Ball(b, D);
          const prop = a.r === 0 && b.r === 0 ? 0 : atan2Radius(fa.c, fa.r, fb.c, fb.r, 0);
          return { c, r: (prop + 1000 * (Math.abs(c.toNumber()) + 1) * 10 ** -P) * UP * UP };
        }
        const pick = n.fn === 'min' ? a.c.lte(b.c) : a.c.gte(b.c);
        return { c: pick ? a.c : b.c, r: Math.max(a.r, b.r) };
      }
      case 'call': return unary(n.fn, walk(n.arg), D, P);
    }
  };
  const out = walk(e);
  return toDouble(out, D);
}

/**
 * A float64 ball containing the decimal ball: where Lipschitz bounds are taken (errors still
 * propagate from the decimal radius).
 */
function float64Ball(a: DBall, D: DecCtor): { c: number; r: number } {
  const c = a.c.toNumber();
  return { c, r: (a.r + gapTo(a.c, c, D)) * UP };
}

function unary(fn: UnaryFn, a: DBall, D: DecCtor, P: number): DBall {
  const entry = DECIMAL_FUNCTIONS[fn];
  const c = entry.value(a.c, D);
  if (!c.isFinite()) return { c, r: NaN };
  const f = float64Ball(a, D);
  const prop = a.r === 0 ? 0 : FLOAT64_FUNCTIONS[fn].lipschitz(f.c, f.r) * a.r;
  const units = entry.units(c.toNumber(), f.c);
  return { c, r: (prop + units * 10 ** -P) * UP * UP };
}

function power(
  base: Expr, exponent: Expr, walk: (n: Expr) => DBall, D: DecCtor, own: (v: Dec, units: number) => number,
): DBall {
  const a = walk(base);
  const b = walk(exponent);
  if (b.r === 0 && b.c.isInteger() && b.c.abs().lte(1024)) {
    const p = b.c.toNumber();
    const c = a.c.pow(p);
    if (!c.isFinite()) return { c, r: NaN };
    if (p === 0) return { c, r: 0 };
    const f = float64Ball(a, D);
    const lo = Math.abs(f.c) - f.r;
    const hi = Math.abs(f.c) + f.r;
    if (p < 0 && !(lo > 0)) return { c, r: NaN };
    const L = Math.abs(p) * Math.max(Math.pow(Math.max(lo, 0), p - 1), Math.pow(hi, p - 1)) * (1 + 2 ** -20);
    return { c, r: ((a.r === 0 ? 0 : L * a.r) + own(c, 10 * Math.abs(p))) * UP };
  }
  // a^b = exp(b·ln a), a > 0: the exp ∘ (b·ln a) rule of ball.ts.
  const fa = float64Ball(a, D);
  if (!(fa.c - fa.r > 0)) return { c: new D(NaN), r: NaN };
  const c = a.c.pow(b.c);
  if (!c.isFinite()) return { c, r: NaN };
  const fb = float64Ball(b, D);
  // |B ln A − b ln a| ≤ r_b·max|ln| + (|b| + r_b)·r_a / min A over the balls.
  const inv = 1 / (fa.c - fa.r);
  const d = b.r * (Math.abs(Math.log(fa.c)) + fa.r * inv + 1e-15) + (Math.abs(fb.c) + fb.r) * a.r * inv;
  return { c, r: (upper(c) * Math.expm1(d * (1 + 2 ** -20)) * (1 + 1e-10) + own(c, 1000)) * UP };
}

function toDouble(out: DBall, D: DecCtor): BallValue {
  if (!out.c.isFinite() || !Number.isFinite(out.r)) return { value: out.c.isFinite() ? out.c.toNumber() : NaN,
    radius: NaN };
  const value = out.c.toNumber();
  if (!Number.isFinite(value)) return { value, radius: NaN };
  return { value, radius: (out.r + gapTo(out.c, value, D)) * UP };
}

/** An upper bound of |d − v| for a double v (its exact decimal form, or within its radius). */
function gapTo(d: Dec, v: number, D: DecCtor): number {
  const exact = fromDouble(v, D);
  return upper(d.minus(exact.c).abs()) + exact.r;
}
