import { all, create, type BigNumber } from 'mathjs';

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
  const M = create(all, { number: 'BigNumber', precision: digits + 20 });
  // A double's exact binary value (not its shortest decimal, which differs by up to half an
  // ulp): m·2^k with m an integer of at most 53 bits.
  const exact = (x: number): BigNumber => {
    if (x === 0 || !Number.isFinite(x)) return M.bignumber(x);
    let k = 0;
    let m = x;
    while (!Number.isInteger(m)) { m *= 2; k--; }
    return (M.bignumber(m) as BigNumber).mul((M.bignumber(2) as BigNumber).pow(k));
  };
  const big = (x: number | string | BigNumber): BigNumber => (typeof x === 'number' ? exact(x) : M.bignumber(x as string));
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
