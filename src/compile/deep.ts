import type { Form } from '../net/program.ts';
import { combine, scale, type Program } from '../net/program.ts';

/**
 * Deep squaring (Yarotsky, "Error bounds for approximations with deep ReLU networks", 2017).
 * With the tooth g(t) = 2·relu(t) − 4·relu(t − ½) on [0, 1] and g_s = g∘…∘g (s times),
 *   f_m(t) = t − Σ_{s=1..m} g_s(t) / 4^s
 * is the interpolant of t² at the 2^m + 1 points k/2^m, so max |f_m − t²| = 2^(−2m−2)
 * exactly, with 3 ReLUs per level (2 at the first) instead of 2^m.
 *
 * For u ∈ [0, hi] we use t = u/hi and u² ≈ hi²·f_m(t): error hi²·2^(−2m−2).
 */
export function deepSquareError(hi: number, levels: number): number {
  return hi * hi * Math.pow(2, -2 * levels - 2);
}

/** Fewest levels whose error is ≤ tol (at least 1). */
export function deepSquareLevels(hi: number, tol: number): number {
  let m = 1;
  while (deepSquareError(hi, m) > tol && m < 60) m++;
  return m;
}

/** Units for 3 levels per layer, as in the doc comment; returns the form of hi²·f_m. */
export function deepSquareUnits(prog: Program, input: Form, hi: number, levels: number): Form {
  const unit = (f: Form, bias: number, pre: [number, number]): Form => {
    const u = prog.addUnit(f, bias, pre);
    return { layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 };
  };
  const t = scale(input, 1 / hi);
  // Level 1: A = relu(t), B = relu(t − ½); g1 = 2A − 4B; f1 = t − g1/4 = A/2 + B.
  let A1 = unit(t, 0, [0, 1]);
  let B1 = unit(t, -0.5, [-0.5, 0.5]);
  const l1 = Math.max(A1.layer, B1.layer);
  A1 = prog.carry(A1, l1, 0, 1);
  B1 = prog.carry(B1, l1, 0, 0.5);
  let g = combine([{ form: A1, coef: 2 }, { form: B1, coef: -4 }], 0);
  let f = combine([{ form: A1, coef: 0.5 }, { form: B1, coef: 1 }], 0);
  let w = 1 / 4;
  for (let s = 2; s <= levels; s++) {
    w /= 4;
    let A = unit(g, 0, [0, 1]);
    let B = unit(g, -0.5, [-0.5, 0.5]);
    let F = unit(f, 0, [0, 1]); // f ≥ t² ≥ 0: carried exactly by one ReLU
    // With a fan-in limit the units may land on different layers: carry them level.
    const layer = Math.max(A.layer, B.layer, F.layer);
    A = prog.carry(A, layer, 0, 1);
    B = prog.carry(B, layer, 0, 0.5);
    F = prog.carry(F, layer, 0, 1);
    g = combine([{ form: A, coef: 2 }, { form: B, coef: -4 }], 0);
    f = combine([{ form: F, coef: 1 }, { form: g, coef: -w }], 0);
  }
  return scale(f, hi * hi);
}

/**
 * The same f_m laid out for float32 (compile --dtype float32): every tooth is computed without
 * rounding, and the correction Σ g_s/4^s is summed in two small accumulators instead of
 * subtracting tiny terms from a running value near t², so the float32 error stays a few unit
 * roundoffs of hi² instead of growing with m. Up to five ReLUs per level (teeth A and B, the
 * carried t, both accumulators) instead of deepSquareUnits' three.
 *
 * Why the teeth are exact. Let v be a float in [0, 2) and A = relu(v), B = relu(v − ½) as
 * computed: A = v, and B is exact (v − ½ is exact by Sterbenz's lemma when v ≥ ¼, else it is
 * negative however rounded and the ReLU gives 0). The next level's A' = relu(2A − 4B) and
 * B' = relu(2A − 4B − ½) have power-of-two weights (exact products), and every partial sum
 * of those terms, in any order, is a multiple of the spacing of v's binade divided by 2 that
 * lies in a range where that spacing is representable, so no addition rounds (and a partial
 * sum whose exact value is negative stays negative, which the ReLU maps to 0 either way).
 * So A' = g(v) and B' = relu(g(v) − ½) exactly, with g(v) again a float in [0, 1]: by
 * induction every tooth unit is exact, and the rounding analysis is told so (`exact`).
 */
export function deepSquareUnitsPrecise(
  prog: Program, input: Form, hi: number, levels: number, scaledAbs = false,
): Form {
  if (!(levels >= 1)) throw new RangeError('deepSquareUnitsPrecise: levels must be at least 1');
  const one = (u: { layer: number; index: number }): Form =>
    ({ layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 });
  // T = u/hi, rounded once; everything after it is exact except the accumulators. With
  // `scaledAbs` the input already is t = relu(c·v) + relu(−c·v) (c = 1/hi, v one term): one
  // of the two is exactly 0, so relu(t) and relu(t − ½) below are exact as they stand.
  const T0 = scaledAbs ? input : one(prog.addUnit(scale(input, 1 / hi), 0, [0, 1]));
  let A = one(prog.addUnit(T0, 0, [0, 1], true));
  let B: Form | null = one(prog.addUnit(T0, -0.5, [-0.5, 0.5], true));
  let T = A; // relu(T0) = T0: carried on by exact 1-term units
  // The unit A of level s + 1 holds g_s exactly, so the accumulators add one tooth a layer
  // later, as a single term ≥ 0 (sums of one sign round least). Levels up to HEAD go into the
  // head; later ones, scaled by 4^HEAD, into the tail (≤ 1/3, worth ≤ 4^−HEAD/3 in f_m).
  const HEAD = 3;
  let head: Form | null = null;
  let tail: Form | null = null;
  for (let s = 1; s <= levels; s++) {
    const g = combine([{ form: A, coef: 2 }, { form: B!, coef: -4 }], 0);
    const nA = one(prog.addUnit(g, 0, [0, 1], true));
    const nB = s < levels ? one(prog.addUnit(g, -0.5, [-0.5, 0.5], true)) : null;
    const nT = one(prog.addUnit(T, 0, [0, 1], true));
    if (s >= 2) {
      // A holds g_{s−1}.
      const k = s - 1;
      // acc + coef·A in one unit (two terms ≥ 0); the idle accumulator is carried exactly.
      const add = (acc: Form | null, coef: number) => {
        const parts = acc ? [{ form: acc, coef: 1 }, { form: A, coef }] : [{ form: A, coef }];
        return one(prog.addUnit(combine(parts, 0), 0, [0, 1 / 3]));
      };
      const carry = (acc: Form | null) => (acc ? one(prog.addUnit(acc, 0, [0, 1 / 3], true)) : null);
      if (k <= HEAD) { head = add(head, Math.pow(4, -k)); tail = carry(tail); }
      else { tail = add(tail, Math.pow(4, HEAD - k)); head = carry(head); }
    }
    A = nA; B = nB; T = nT;
  }
  // A holds g_m; the accumulators g_1 … g_{m−1}. E = Σ g_s/4^s ≥ 0 in one unit; f_m = T − E.
  const parts = [{ form: A, coef: Math.pow(4, -levels) }];
  if (head) parts.push({ form: head, coef: 1 });
  if (tail) parts.push({ form: tail, coef: Math.pow(4, -HEAD) });
  const E = one(prog.addUnit(combine(parts, 0), 0, [0, 1 / 3]));
  const Tn = one(prog.addUnit(T, 0, [0, 1], true));
  // One unit holding f_m ≥ 0 (weights ±1: one rounding), scaled by hi² where it is used, so
  // that a sum of squares adds terms of one sign.
  return scale(one(prog.addUnit(combine([{ form: Tn, coef: 1 }, { form: E, coef: -1 }], 0), 0, [0, 1])), hi * hi);
}
