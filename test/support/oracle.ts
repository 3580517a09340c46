import type { BigNumber } from 'mathjs';
import { math as mathjs } from '../../src/expr/mathjs.ts';
import type { Expr } from '../../src/expr/ast.ts';

/**
 * An independent high-precision oracle for test assertions, on a code path apart from the
 * library's (src/expr/accurate.ts and its float64, double-double and decimal balls):
 * - polynomials and quotients (+ − × ÷, integer powers) exactly, in BigInt rationals;
 * - everything else through mathjs's BigNumber functions at 60 digits (math.sqrt, math.exp, ...).
 * Doubles (inputs and constants) enter exactly: m·2^e written out as a decimal by BigInt.
 * `errorOf` gives |f(x) − y| for a network output y, computed at that precision and then
 * rounded to a double.
 */
// Typed loosely: mathjs's overloads for BigNumber arguments do not narrow in TypeScript.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const math: any = mathjs.create({});
math.config({ number: 'BigNumber', precision: 60 });
type Big = BigNumber;

/** The exact decimal expansion of a finite double. */
export function exactDecimal(x: number): string {
  if (Number.isInteger(x)) return BigInt(x).toString();
  let m = Math.abs(x);
  let k = 0;
  while (!Number.isInteger(m)) { m *= 2; k++; }
  const digits = (BigInt(m) * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  return `${x < 0 ? '-' : ''}${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`;
}

/** Exact rational value (num/den, den > 0) of a rational formula, or null when it is not one. */
export function exactRational(e: Expr, vars: string[], x: ArrayLike<number>): [bigint, bigint] | null {
  const q = (v: number): [bigint, bigint] => {
    let m = v;
    let k = 0;
    while (!Number.isInteger(m)) { m *= 2; k++; }
    return [BigInt(m), 2n ** BigInt(k)];
  };
  const mul = (a: [bigint, bigint], b: [bigint, bigint]): [bigint, bigint] => [a[0] * b[0], a[1] * b[1]];
  const walk = (n: Expr): [bigint, bigint] | null => {
    switch (n.op) {
      case 'const': return q(n.value);
      case 'var': return q(x[vars.indexOf(n.name)]!);
      case 'neg': { const a = walk(n.arg); return a && [-a[0], a[1]]; }
      case 'add': case 'sub': {
        const a = walk(n.a); const b = walk(n.b);
        if (!a || !b) return null;
        const s = n.op === 'add' ? 1n : -1n;
        return [a[0] * b[1] + s * b[0] * a[1], a[1] * b[1]];
      }
      case 'mul': { const a = walk(n.a); const b = walk(n.b); return a && b && mul(a, b); }
      case 'div': {
        const a = walk(n.a); const b = walk(n.b);
        if (!a || !b || b[0] === 0n) return null;
        return b[0] < 0n ? [-a[0] * b[1], a[1] * -b[0]] : [a[0] * b[1], a[1] * b[0]];
      }
      case 'pow': {
        if (n.b.op !== 'const' || !Number.isInteger(n.b.value) || n.b.value < 0 || n.b.value > 64) return null;
        const a = walk(n.a);
        if (!a) return null;
        let r: [bigint, bigint] = [1n, 1n];
        for (let i = 0; i < n.b.value; i++) r = mul(r, a);
        return r;
      }
      default: return null;
    }
  };
  return walk(e);
}

function big(v: number): Big {
  return math.bignumber(exactDecimal(v));
}

const UNARY: Record<string, (a: Big) => Big> = {
  sqrt: (a) => math.sqrt(a) as Big,
  abs: (a) => math.abs(a),
  exp: (a) => math.exp(a),
  log: (a) => math.log(a) as Big,
  log1p: (a) => math.log(math.add(a, math.bignumber(1))) as Big,
  sin: (a) => math.sin(a),
  cos: (a) => math.cos(a),
  tan: (a) => math.tan(a),
  tanh: (a) => math.tanh(a),
  sigmoid: (a) => math.divide(math.bignumber(1), math.add(math.bignumber(1), math.exp(math.unaryMinus(a)))) as Big,
  relu: (a) => (math.isNegative(a) ? math.bignumber(0) : a),
};

/** f at the point at 60 digits (BigNumber), NaN when undefined. */
export function oracleBig(e: Expr, vars: string[], x: ArrayLike<number>): Big {
  const r = exactRational(e, vars, x);
  if (r) return math.divide(math.bignumber(r[0].toString()), math.bignumber(r[1].toString())) as Big;
  const walk = (n: Expr): Big => {
    switch (n.op) {
      case 'const': return big(n.value);
      case 'var': return big(x[vars.indexOf(n.name)]!);
      case 'neg': return math.unaryMinus(walk(n.arg));
      case 'add': return math.add(walk(n.a), walk(n.b));
      case 'sub': return math.subtract(walk(n.a), walk(n.b));
      case 'mul': return math.multiply(walk(n.a), walk(n.b)) as Big;
      case 'div': return math.divide(walk(n.a), walk(n.b)) as Big;
      case 'pow': return math.pow(walk(n.a), walk(n.b)) as Big;
      case 'call2': return (n.fn === 'min' ? math.min(walk(n.a), walk(n.b)) : math.max(walk(n.a), walk(n.b))) as Big;
      case 'call': {
        const fn = UNARY[n.fn];
        if (!fn) throw new Error(`oracle: no ${n.fn}`);
        return fn(walk(n.arg));
      }
    }
  };
  return walk(e);
}

/** |f(x) − y| at 60 digits, rounded to a double; Infinity when y is not finite. */
export function oracleError(e: Expr, vars: string[], x: ArrayLike<number>, y: number): number {
  return Number.isFinite(y) ? errorFrom(oracleBig(e, vars, x), y) : Infinity;
}

/** |v − y| at 60 digits for a value v of oracleBig, rounded to a double; Infinity when y is not finite. */
export function errorFrom(v: Big, y: number): number {
  return Number.isFinite(y) ? Number(math.abs(math.subtract(v, big(y))).toString()) : Infinity;
}

/** f(x) at 60 digits, rounded to a double. */
export function oracleValue(e: Expr, vars: string[], x: ArrayLike<number>): number {
  return Number(oracleBig(e, vars, x).toString());
}
