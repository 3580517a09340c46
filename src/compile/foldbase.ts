import type { Network } from '../net/network.ts';
import { combine, type Form, type Program } from '../net/program.ts';
import { roundingErrorBound } from '../net/rounding.ts';
import { coneRoundingBound } from './foldcone.ts';
import { unitProjection } from './fold.ts';
import type { FoldEvent, Row } from './foldround.ts';

/**
 * The float32 layout of one node of a folded norm (issue 32): the pair (A, B) folded by
 * reflections and projected, with the long coordinate held apart so that float32 rounds it
 * only where it must.
 *
 * Reflections. Each fold halves the wedge [0, a] by reflecting across the line at φ = a/2: with
 * the kink s = relu(⟨(−tan φ, 1), w⟩) (the unit normal scaled by 1/cos φ), F(w) = w + g·s,
 * g = −2·cos φ·(−sin φ, cos φ) = (sin a, −(1 + cos a)). The first fold (a = π/2) has the
 * exact weights (−1, 1) and g = (1, −1): s = relu(B − A), U = A + s = max(A, B), V = B − s.
 *
 * The long coordinate. U = base + D: the base is U as one unit after the first and the second
 * fold (one rounding at the norm's magnitude each) and is then only carried (relu of a value
 * ≥ 0: exact); the later folds add their increments to D, which stays below (1 − cos(π/8))·|w|
 * (the wedge after two folds is [0, π/8]; after one, D would reach 0.29·|w| and round at a
 * quarter of the binade of |w| at every fold), and V stays below |w|·sin a: every later sum
 * rounds at the magnitude of the increments, not of |w|. Each kink reads the base, D, V and the previous kink
 * (the previous fold's update is read as forms; D and V are carried to the next layer as units,
 * both ≥ 0 in exact arithmetic).
 *
 * The projection ⟨U, V⟩·(1, q) = base + D + q·V (fold.ts unitProjection): the base with weight 1.
 */

/** Builds one node of the tree: the pair (A, B) folded by `folds` and projected (foldPair, foldPairBase). */
export type PairBuilder = (
  prog: Program, A: { form: Form; id: number }, B: { form: Form; id: number }, folds: readonly number[],
  hi: number, out: number, trace: FoldEvent[], leaves: number,
) => Form;

export const one = (u: { layer: number; index: number }): Form =>
  ({ layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 });
export const rowOf = (f: Form): Row => ({ layer: f.layer, index: [...f.terms.keys()][0]! });

/** The kink's weights (−tan φ, 1) and its update g of a reflection halving the wedge [0, a]. */
function reflection(a: number): { t: number; g: [number, number] } {
  if (a === Math.PI / 2) return { t: 1, g: [1, -1] };
  return { t: Math.tan(a / 2), g: [Math.sin(a), -(1 + Math.cos(a))] };
}

/** foldPairBase's node (module comment); `folds` are all 2 (reflections). */
export const foldPairBase: PairBuilder = (prog, A, B, folds, hi, _out, _trace, leaves) => {
  const slack = 1e-9 * hi;
  const unit = (f: Form, lo: number, up: number) => one(prog.addUnit(f, 0, [lo - slack, up + slack]));
  let a = Math.PI / 2;
  // An estimate of the level before (base + T) is held in one unit first: one rounding at |w|.
  const held = (v: { form: Form; id: number }) =>
    (v.id >= leaves && v.form.terms.size > 1 ? unit(v.form, 0, hi) : v.form);
  let base = held(A);
  let D: Form | null = null;
  let V = held(B);
  if (base.layer !== V.layer) [base, V] = base.layer < V.layer ? [prog.carry(base, V.layer, 0, hi), V]
    : [base, prog.carry(V, base.layer, 0, hi)];
  for (let i = 0; i < folds.length; i++) {
    const { t, g } = reflection(a);
    const U = D ? combine([{ form: base, coef: 1 }, { form: D, coef: 1 }], 0) : base;
    const kink = combine([{ form: U, coef: -t }, { form: V, coef: 1 }], 0);
    const s = unit(kink, -t * hi, (hi * Math.sin(a)) / Math.cos(a / 2));
    // After the first and second folds U becomes the base (REBASE_AT); later the base is carried.
    const cb = unit(REBASE_AT.includes(i) ? U : base, 0, hi);
    const cd = D && !REBASE_AT.includes(i) ? unit(D, 0, hi) : null;
    const cv = unit(V, 0, hi * Math.sin(a));
    base = cb;
    D = combine([...(cd ? [{ form: cd, coef: 1 }] : []), { form: s, coef: g[0] }], 0);
    V = combine([{ form: cv, coef: 1 }, { form: s, coef: g[1] }], 0);
    a /= 2;
  }
  // base + (D + q·V): the small part T ≥ 0 summed in its own unit, so that the estimate adds once at |w|.
  const { q } = unitProjection(a);
  const T = unit(combine([...(D ? [{ form: D, coef: 1 }] : []), { form: V, coef: q }], 0), 0, hi);
  const cb = unit(base, 0, hi);
  return combine([{ form: cb, coef: 1 }, { form: T, coef: 1 }], 0);
};

/** The folds whose carriers hold U = base + D as the new base. */
const REBASE_AT = [1, 2];

/** Direction patches analysed for the float32 layout's bound; its bound keeps falling with finer patches. */
const BASE_CONE_EVALUATIONS = 6000;
/** Near the tolerance (float32cert.ts certifyFloat32), finer patches. */
export const BASE_CONE_FINE_EVALUATIONS = 32000;
/**
 * Where the finer bound is still above the tolerance but its rounding part below it, finer still
 * (T3 at 10, 115 ReLUs: 9.88 at 32,000, 8.44 at 100,000 and at 300,000, about 50 CPU-s).
 */
export const BASE_CONE_FINEST_EVALUATIONS = 100000;
/** Dyadic shells of the cover; the ball below R·2^−60 by net/rounding.ts. */
const BASE_SHELLS = 60;

/**
 * The float32 layout of foldbase.ts: direction patches (foldcone.ts) in shells down to R·2^−60
 * (or the region's least norm), the ball below by net/rounding.ts's bound over its box.
 */
export function baseRoundingBound(
  net: Network, alpha: number[], dtype: 'float64' | 'float32', R: number, rMin: number,
  evaluations = dtype === 'float32' ? BASE_CONE_EVALUATIONS : BASE_CONE_EVALUATIONS / 20,
): number {
  if (!alpha.length) return Infinity;
  const inner = (r: number) => {
    const half = alpha.map((a) => r / Math.abs(a));
    return roundingErrorBound(net, half.map((h) => -h), half, dtype)[0]!;
  };
  // A pass keeps its search for the finer ones (float32cert.ts), which go on from it, and every pass its
  // bound, for the same network built again by a later attempt of the plan search (plansearch.ts).
  const resumable = evaluations < BASE_CONE_FINEST_EVALUATIONS;
  return coneRoundingBound(net, alpha, R, dtype, evaluations, inner,
    { rMin, shells: BASE_SHELLS, resumable, remember: true });
}
