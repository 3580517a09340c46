/**
 * Exact signs for the first hidden layer of a MILP export: the pre-activation z = w·x + b of a
 * first-layer unit takes its least and greatest values on the input box at corners, and both
 * are sums of products of doubles, so their signs can be decided exactly (as dyadic rationals
 * m·2^e in BigInt arithmetic). Bound propagation widens every bound by its rounding slack, so
 * a unit whose knot is a corner of the box (relu(x + 2) on x in [−2, 2]) reads as of open sign;
 * the exact sign proves it on (or off) and saves its binary.
 */

/** x = m·2^e exactly, m a signed BigInt (x finite). */
function dyadic(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased > 0 ? fraction | (1n << 52n) : fraction;
  return [x < 0 ? -m : m, (biased === 0 ? 1 : biased) - 1075];
}

/** The sign of Σ w_i·x_i + b, exactly (all finite doubles). */
export function exactAffineSign(w: ArrayLike<number>, x: ArrayLike<number>, b: number): -1 | 0 | 1 {
  const terms: [bigint, number][] = [dyadic(b)];
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0 || x[i] === 0) continue;
    const [mw, ew] = dyadic(w[i]!), [mx, ex] = dyadic(x[i]!);
    terms.push([mw * mx, ew + ex]);
  }
  const low = Math.min(...terms.map(([, e]) => e));
  const sum = terms.reduce((s, [m, e]) => s + (m << BigInt(e - low)), 0n);
  return sum > 0n ? 1 : sum < 0n ? -1 : 0;
}

/**
 * [l, u] of a first-layer unit with weights `w`, bias `b` on the box [lo, hi], tightened where
 * the exact sign of its least value (≥ 0: l = 0) or greatest value (≤ 0: u = 0) settles it.
 */
export function exactFirstLayerBounds(w: ArrayLike<number>, b: number, lo: ArrayLike<number>,
  hi: ArrayLike<number>, l: number, u: number): [number, number] {
  const least = Array.from(w, (v, i) => (v > 0 ? lo[i]! : hi[i]!));
  const greatest = Array.from(w, (v, i) => (v > 0 ? hi[i]! : lo[i]!));
  if (exactAffineSign(w, least, b) >= 0) return [0, u];
  if (exactAffineSign(w, greatest, b) <= 0) return [l, 0];
  return [l, u];
}
