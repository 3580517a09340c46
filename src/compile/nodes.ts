import { combine, constantForm, scale, type Form } from '../net/program.ts';
import { hiOf, liftAll, lowOf, type LayoutContext, type NodeBuild } from './context.ts';
import { foldNorm } from './foldunits.ts';
import type { GNode } from './graph.ts';

/**
 * Builders of the exact node kinds (docs/DESIGN.md §1 identities): each lays out one node
 * from its operands' forms and returns its form and its error, the operands' errors carried
 * through with the node's Lipschitz constant.
 */

type Kind<K extends GNode['kind']> = Extract<GNode, { kind: K }>;

/**
 * Σ c_i·a_i + c: free (a combination of forms); error Σ |c_i|·e_i, plus the rounding of folded
 * coefficients (graph.ts `rounding`): Σ |Δc_i|·max|a_i| over a_i's range + |Δc|.
 */
export function buildAffine(c: LayoutContext, n: Kind<'affine'>): NodeBuild {
  const lifted = liftAll(c, n.terms.map((t) => t.node));
  const form = combine(n.terms.map((t, i) => ({ form: lifted[i]!, coef: t.coef })), n.constant);
  const e = n.terms.reduce((s, t) => s + Math.abs(t.coef) * c.err[t.node]!, 0);
  return { form, e: n.rounding ? (e + coefficientCharge(c, n)) * (1 + 2 ** -52) : e };
}

/**
 * Σ |Δc_i|·max|a_i| + |Δc| for an affine node whose folded coefficients rounded, rounded upward
 * (its n products and n + 1 sums each within 2^-53 relative: the factor 1 + (2n + 4)·2^-53 covers them).
 */
function coefficientCharge(c: LayoutContext, n: Kind<'affine'>): number {
  const r = n.rounding!;
  const big = (id: number) => Math.max(Math.abs(c.ranges[id]![0]), Math.abs(c.ranges[id]![1]));
  const sum = n.terms.reduce((s, t, i) => s + (r.coefs[i]! === 0 ? 0 : r.coefs[i]! * big(t.node)), r.constant);
  return sum * (1 + (2 * n.terms.length + 4) * 2 ** -53);
}

/**
 * |u| = relu(u) + relu(−u), relu(u): free where the computed u keeps one sign, else 2 or 1
 * ReLUs; 1-Lipschitz, so the error is u's.
 */
export function buildAbsRelu(c: LayoutContext, n: Kind<'abs' | 'relu'>): NodeBuild {
  const a = c.forms[n.arg]!;
  const lo = lowOf(c, n.arg);
  const hi = hiOf(c, n.arg);
  const e = c.err[n.arg]!;
  if (lo >= 0) return { form: a, e };
  if (hi <= 0) return { form: n.kind === 'abs' ? scale(a, -1) : constantForm(0), e };
  const p = c.prog.addUnit(a, 0, [lo, hi]);
  const terms = new Map([[p.index, 1]]);
  if (n.kind === 'abs') terms.set(c.prog.addUnit(scale(a, -1), 0, [-hi, -lo]).index, 1);
  return { form: { layer: p.layer, terms, constant: 0 }, e };
}

/**
 * max(a, b) = a + relu(b − a); min(a, b) = a − relu(a − b): one ReLU, error max(e_a, e_b);
 * 0 for a jump ramp's step whose input error is at most 1 (compile/jumpgap.ts resolveJumps).
 */
export function buildMaxMin(c: LayoutContext, n: Kind<'max' | 'min'>): NodeBuild {
  const [A, B] = liftAll(c, [n.a, n.b], 0) as [Form, Form];
  const isMax = n.kind === 'max';
  const [P, Q] = isMax ? [B, A] : [A, B];
  const diff = combine([{ form: P, coef: 1 }, { form: Q, coef: -1 }], 0);
  const [la, ha, lb, hb] = [lowOf(c, n.a), hiOf(c, n.a), lowOf(c, n.b), hiOf(c, n.b)];
  const u = c.prog.addUnit(diff, 0, isMax ? [lb - ha, hb - la] : [la - hb, ha - lb]);
  const [a2] = liftAll(c, [n.a], u.layer) as [Form];
  let uf: Form = { layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 };
  if (a2.layer > uf.layer) uf = c.prog.carry(uf, a2.layer, 0, Math.max(0, hb - la, ha - lb));
  const form = combine([{ form: a2, coef: 1 }, { form: uf, coef: isMax ? 1 : -1 }], 0);
  const e = Math.max(c.err[n.a]!, c.err[n.b]!);
  // A jump ramp's step: its true t keeps |t| > 2 on the certified region, so within 1 the clamp is exact there.
  return { form, e: c.exactSteps?.has(n.id) && e <= 1 ? 0 : e };
}

/**
 * sqrt(Σ a_i²) by angle folding (foldunits.ts), its own error within its budget (foldNorm
 * takes the budget with the arguments' error e_in on top: 1-Lipschitz, the norm adds
 * ‖(e_i)‖ ≤ e_in); folds limited by the layout.
 */
export function buildNorm(c: LayoutContext, n: Kind<'norm'>): NodeBuild {
  const args = n.args.map((id) => ({ form: c.forms[id]!, lo: lowOf(c, id), hi: hiOf(c, id), err: c.err[id]! }));
  const eIn = Math.hypot(...args.map((a) => a.err));
  const budget = c.budgets.get(n.id)!;
  const [rMin, R] = c.ranges[n.id]!;
  // The float32 reflections only where their own analysis bounds them: the norm is the one output.
  const base = c.layout.fold.base === true && n.id === c.g.output && !c.several;
  const built = foldNorm(c.prog, args, R, budget + eIn, { ...c.norm, ...c.layout.fold, base, rMin });
  if (n.id === c.g.output && built.trace) c.foldTrace = { trace: built.trace, R: built.R };
  const builtOn: [number, number] = [0, built.R];
  const details = { builtOn, budget, certified: built.certified, construction: 'fold' as const, folds: built.folds };
  return { form: built.form, e: built.errorIn, details };
}
