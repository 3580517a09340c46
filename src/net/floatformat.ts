/** The two floating-point formats a network is evaluated in. */
export type Dtype = 'float64' | 'float32';

/**
 * Unit roundoff u of each dtype: rounding to nearest gives |fl(x) − x| ≤ u·|x| for every x in
 * the normal range (Higham, Accuracy and Stability of Numerical Algorithms, §2.2).
 */
export const UNIT_ROUNDOFF = { float64: 2 ** -53, float32: 2 ** -24 } as const;

/**
 * The most a rounding to nearest can lose below the normal range: half the smallest subnormal
 * (gradual underflow), an absolute error that the relative model of UNIT_ROUNDOFF misses.
 */
export const UNDERFLOW_LOSS = { float64: 2 ** -1075, float32: 2 ** -150 } as const;
