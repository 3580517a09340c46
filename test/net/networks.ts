import fc from 'fast-check';
import type { Pwl } from '../../src/approx/pwl.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';

/**
 * Numbers below 2^-40 in magnitude become 0: the rounding bounds follow Higham's model
 * |fl(a op b) − a op b| ≤ u·|a op b|, which does not cover underflow (results below float32's
 * 1.2e-38), so the generators stay out of that range (see the underflow tests).
 */
export const noTiny = (v: number): number => (Math.abs(v) < 2 ** -40 ? 0 : v);

/** Weights as runtimes meet them: arbitrary doubles, small integers, powers of two, zeros. */
const weight = fc.oneof(
  fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }).map(noTiny),
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -6, max: 6 }).map((k) => (k % 2 ? -1 : 1) * 2 ** k),
);

/** A random small ReLU network (1–3 inputs, 1–3 hidden layers of width 1–5, one output). */
export function smallNetwork(): fc.Arbitrary<Network> {
  return fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }))
    .chain(([nIn, widths]) => {
      const sizes = [nIn, ...widths, 1];
      const layers = sizes.slice(1).map((out, i) =>
        fc.tuple(fc.array(weight, { minLength: out * sizes[i]!, maxLength: out * sizes[i]! }), fc.array(weight,
          { minLength: out, maxLength: out })),
      );
      return fc.tuple(...layers).map((ls) => ({
        inputs: Array.from({ length: nIn }, (_, i) => `x${i}`),
        outputs: ['y'],
        layers: ls.map(([w, b], i) => denseLayer(i === ls.length - 1 ? 'linear' : 'relu', sizes[i]!, sizes[i + 1]!, w,
          b)),
      }));
    });
}

/** A box [lo, hi] per input and points in it (its corners and a few inside). */
export function boxAndPoints(nIn: number): fc.Arbitrary<{ lo: number[]; hi: number[]; points: number[][] }> {
  const end = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map(noTiny);
  return fc
    .tuple(
      fc.array(fc.tuple(end, fc.double({ min: 0, max: 3, noNaN: true, noDefaultInfinity: true }).map(noTiny)),
        { minLength: nIn, maxLength: nIn }),
      fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: nIn, maxLength: nIn }), { minLength: 1,
        maxLength: 8 }),
    )
    .map(([ranges, fracs]) => {
      const lo = ranges.map(([a]) => a);
      const hi = ranges.map(([a, w]) => noTiny(a + w)); // stays ≥ lo: a tiny sum means lo ≤ 0
      const corners = [lo, hi];
      const inside = fracs.map((f) => f.map((s, i) => Math.min(hi[i]!, noTiny(lo[i]! + s * (hi[i]! - lo[i]!)))));
      return { lo, hi, points: [...corners, ...inside] };
    });
}

/**
 * A random PWL with increasing knots: the first in ±start, segment widths in `width`, up to
 * `segments` of them, values in ±y (tiny ones 0, see noTiny); with 0–1 fractions of the
 * domain to evaluate at (`fractions`: least and most of them).
 */
export function pwlAndFractions(o: {
  start: number; width: [number, number]; y: number; segments: number; fractions: [number, number];
}): fc.Arbitrary<{ p: Pwl; fracs: number[] }> {
  return fc
    .tuple(
      fc.double({ min: -o.start, max: o.start, noNaN: true }).map(noTiny),
      fc.array(fc.double({ min: o.width[0], max: o.width[1], noNaN: true }), { minLength: 1, maxLength: o.segments }),
      fc.array(fc.double({ min: -o.y, max: o.y, noNaN: true }).map(noTiny), { minLength: o.segments + 1,
        maxLength: o.segments + 1 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: o.fractions[0], maxLength: o.fractions[1] }),
    )
    .map(([a, widths, ys, fracs]) => {
      const x = [a];
      for (const w of widths) x.push(x[x.length - 1]! + w);
      return { p: { x: Float64Array.from(x), y: Float64Array.from(ys.slice(0, x.length)) }, fracs };
    })
    .filter(({ p }) => p.x.every((v, i) => i === 0 || v > p.x[i - 1]!));
}
