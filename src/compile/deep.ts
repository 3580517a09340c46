import type { Form } from './program.ts';
import { combine, scale, type Program } from './program.ts';

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
