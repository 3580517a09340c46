import { WorkError } from '../errors.ts';
import { combine, scale, type Form, type Program } from '../net/program.ts';
import { foldKinks, foldProjection, planWeightDrift, type NormPlan } from './fold.ts';
import { designNorm } from './foldplan.ts';

/**
 * A norm node of compile: |a_i| of each argument (the form itself when its computed value
 * has one sign, else relu(a) + relu(−a)), then the folds of the cheapest plan whose error
 * fits the budget. With computed arguments â_i = a_i + ε_i (|ε_i| ≤ err_i), the result is
 * within rel·|â| of |â|, and ||â| − |a|| ≤ |ε| ≤ sqrt(Σ err_i²) = e_in, so the node's error
 * is rel·(R + e_in) + e_in with R the largest exact norm on the region (rel including the
 * float64 weights' drift, planWeightDrift).
 */
export function foldNorm(prog: Program, args: { form: Form; lo: number; hi: number; err: number }[], R: number, budget: number,
  o: { maxDepth: number; minimize: 'relus' | 'params'; maxK: number; extraLayers: number }) {
  const leaves = args.map(({ form, lo, hi }) => {
    if (lo >= 0) return form;
    if (hi <= 0) return scale(form, -1);
    const p = prog.addUnit(form, 0, [lo, hi]);
    const q = prog.addUnit(scale(form, -1), 0, [-hi, -lo]);
    return { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
  });
  const eIn = Math.hypot(...args.map((a) => a.err));
  const Rw = R + eIn;
  const start = Math.max(0, ...leaves.map((f) => (f.terms.size ? f.layer : 0)));
  // The weights' drift from the ideal folds (planWeightDrift, ~1e-12 relative) is charged too.
  const tol = (budget - eIn) / Rw;
  const opts = { maxDepth: o.maxDepth - start - o.extraLayers, minimize: o.minimize, maxK: o.maxK };
  let plan = designNorm(args.length, tol, opts);
  if (plan && plan.relError + planWeightDrift(plan.levels) > tol) plan = designNorm(args.length, tol - planWeightDrift(plan.levels), opts);
  if (!plan) throw new WorkError(`the norm could not be folded within its error budget ${budget.toPrecision(4)} (upstream error ${eIn.toPrecision(4)}, norm up to ${Rw.toPrecision(4)}) in --max-depth ${o.maxDepth}`);
  const form = normUnits(prog, leaves, plan, Rw * (1 + plan.relError));
  const certified = (plan.relError + planWeightDrift(plan.levels)) * Rw;
  return { form, certified, errorIn: certified + eIn, R: Rw, folds: plan.levels.map((l) => l.folds), plan };
}

/**
 * The units of a folded norm (compile/fold.ts) in a layered Program: `leaves` are forms of
 * values that are ≥ 0 in exact arithmetic and whose vector has length ≤ `hi`; returns the
 * form of the estimate of their Euclidean norm, within the plan's relative error of it.
 * Pre-activation ranges are recorded for the rounding analysis (widened by a relative 1e-9
 * for the float64 weights, which differ from the ideal rotations by a few ulps).
 */
export function normUnits(prog: Program, leaves: Form[], plan: NormPlan, hi: number): Form {
  const lift = (f: Form, layer: number) => (f.terms.size === 0 || f.layer >= layer ? f : prog.carry(f, layer, 0, hi));
  let values = leaves.slice();
  for (const level of plan.levels) {
    const layer = Math.max(...values.map((v) => (v.terms.size ? v.layer : -1)));
    values = values.map((v) => lift(v, layer));
    const next: Form[] = [];
    for (let i = 0; i + 1 < values.length; i += 2) next.push(foldPair(prog, values[i]!, values[i + 1]!, level.folds, hi));
    if (values.length % 2) next.push(values[values.length - 1]!);
    values = next;
  }
  return values[0]!;
}

const one = (u: { layer: number; index: number }): Form => ({ layer: u.layer, terms: new Map([[u.index, 1]]), constant: 0 });

/** One node: the pair (A, B) on one layer folded by `folds` from the quadrant, then projected. */
function foldPair(prog: Program, A: Form, B: Form, folds: readonly number[], hi: number): Form {
  const slack = 1e-9 * hi;
  let a = Math.PI / 2;
  let U = A;
  let V = B;
  if (folds.length === 0) {
    const { m, c } = foldProjection(a);
    return combine([{ form: U, coef: c * m[0] }, { form: V, coef: c * m[1] }], 0);
  }
  for (const [i, k] of folds.entries()) {
    // Sums wider than the Program allows would be split into deeper partial sums: hold the
    // pair in two units first (float32 layouts, at most maxFanIn terms per sum).
    if (new Set([...U.terms.keys(), ...V.terms.keys()]).size > prog.maxFanIn) {
      U = one(prog.addUnit(U, 0, [-slack, hi + slack]));
      V = one(prog.addUnit(V, 0, [-slack, Math.sin(a) * hi + slack]));
    }
    const kinks = foldKinks(a, k);
    const b = a / k;
    const s = kinks.map((K) => one(prog.addUnit(combine([{ form: U, coef: K.n[0] }, { form: V, coef: K.n[1] }], 0), 0,
      [-Math.sin(K.angle) * hi - slack, Math.sin(a - K.angle) * hi + slack])));
    if (i === folds.length - 1) {
      // c·⟨F(w), m⟩ = c·⟨w, m⟩ + Σ c·⟨d_j, m⟩·relu(⟨n_j, w⟩), with ⟨w, m⟩ ≥ 0: one carrier.
      const { m, c } = foldProjection(b);
      const base = one(prog.addUnit(combine([{ form: U, coef: m[0] }, { form: V, coef: m[1] }], 0), 0, [-slack, hi + slack]));
      return combine([{ form: base, coef: c }, ...s.map((form, j) => ({ form, coef: c * (kinks[j]!.d[0] * m[0] + kinks[j]!.d[1] * m[1]) }))], 0);
    }
    const cu = one(prog.addUnit(U, 0, [-slack, hi + slack]));
    const cv = one(prog.addUnit(V, 0, [-slack, Math.sin(a) * hi + slack]));
    U = combine([{ form: cu, coef: 1 }, ...s.map((form, j) => ({ form, coef: kinks[j]!.d[0] }))], 0);
    V = combine([{ form: cv, coef: 1 }, ...s.map((form, j) => ({ form, coef: kinks[j]!.d[1] }))], 0);
    a = b;
  }
  throw new RangeError('foldPair: unreachable');
}
