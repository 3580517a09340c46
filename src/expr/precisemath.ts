import type { BigNumber } from 'mathjs';
import { math } from './mathjs.ts';

/**
 * High-precision values of the functions mathjs's BigNumber does not have (erf, the normal
 * CDF), for references in tests and measurements; the rest (asin, acos, atan, atan2, cbrt,
 * sinh, cosh, exp, log, sqrt) come from mathjs's BigNumber directly.
 *
 * Method: erf(x) = 2x/√π · e^(−x²) · Σ_n (2x²)^n / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6),
 * all terms positive; the sum is carried to `digits` + 20 digits so that the exponential
 * growth of the terms (up to e^(x²)) costs nothing at the digits returned. Intended for
 * |x| ≤ 10 (beyond, erf = ±1 to more than 40 digits). Numbers are taken at their exact binary
 * value (`big`).
 */
export function preciseMath(digits = 50) {
  // A private instance (an instance's create() makes a new one with the same functions), configured apart.
  const M = math.create({});
  M.config({ number: 'BigNumber', precision: digits + 20 });
  // A double's exact binary value (not its shortest decimal, which differs by up to half an
  // ulp): m·2^k with m an integer of at most 53 bits.
  const exact = (x: number): BigNumber => {
    if (x === 0 || !Number.isFinite(x)) return M.bignumber(x);
    let k = 0;
    let m = x;
    while (!Number.isInteger(m)) { m *= 2; k--; }
    return (M.bignumber(m) as BigNumber).mul((M.bignumber(2) as BigNumber).pow(k));
  };
  const big = (x: number | string | BigNumber): BigNumber => (typeof x === 'number' ? exact(x)
    : M.bignumber(x as string));
  const sqrtPi = M.sqrt(M.pi as unknown as BigNumber) as BigNumber;
  const erf = (x: number | BigNumber): BigNumber => {
    const X = big(x);
    if (X.abs().gt(10)) return big(X.isNegative() ? -1 : 1);
    const x2 = X.mul(X);
    let term = big(1);
    let sum = big(1);
    const tiny = big(10).pow(-(digits + 15));
    for (let n = 0; term.gt(tiny.mul(sum)); n++) {
      term = term.mul(x2.mul(2)).div(2 * n + 3);
      sum = sum.add(term);
    }
    return X.mul(2).div(sqrtPi).mul(x2.neg().exp()).mul(sum);
  };
  const normcdf = (x: number | BigNumber): BigNumber => erf(big(x).div(big(2).sqrt())).add(1).div(2);
  return { M, big, erf, normcdf };
}

/**
 * A formula evaluated in BigNumber at `digits` digits (inputs taken at their exact binary
 * values): the reference for measured errors where float64 is not accurate enough.
 */
export function preciseEvaluator(
  e: import('./ast.ts').Expr, variables: string[], digits = 30,
): (...args: number[]) => number {
  const P = preciseMath(digits);
  const { M, big } = P;
  const F = M as unknown as Record<string, (...a: BigNumber[]) => BigNumber>;
  const walk = (x: import('./ast.ts').Expr, v: BigNumber[]): BigNumber => {
    switch (x.op) {
      case 'const': return big(x.value);
      case 'var': return v[variables.indexOf(x.name)]!;
      case 'neg': return walk(x.arg, v).neg();
      case 'add': return walk(x.a, v).add(walk(x.b, v));
      case 'sub': return walk(x.a, v).sub(walk(x.b, v));
      case 'mul': return walk(x.a, v).mul(walk(x.b, v));
      case 'div': return walk(x.a, v).div(walk(x.b, v));
      case 'pow': return walk(x.a, v).pow(walk(x.b, v));
      case 'call2': {
        const a = walk(x.a, v);
        const b = walk(x.b, v);
        return x.fn === 'atan2' ? F.atan2!(a, b) : x.fn === 'min' ? (a.lt(b) ? a : b) : a.gt(b) ? a : b;
      }
      case 'call': {
        const a = walk(x.arg, v);
        switch (x.fn) {
          case 'erf': return P.erf(a);
          case 'normcdf': return P.normcdf(a);
          case 'log': return a.ln();
          case 'log1p': return a.add(1).ln();
          case 'relu': return a.isNegative() ? big(0) : a;
          case 'sigmoid': return big(1).div(a.neg().exp().add(1));
          case 'sec': return big(1).div(a.cos());
          case 'sech': return big(1).div(a.cosh());
          default: return F[x.fn]!(a);
        }
      }
    }
  };
  return (...args: number[]) => walk(e, args.map((a) => big(a))).toNumber();
}
