import { WorkError } from '../errors.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';
import { combine, scale, type Form, type Program } from '../net/program.ts';
import { foldKinks, foldProjection, planWeightDrift, type NormPlan } from './fold.ts';
import { designNorm } from './foldplan.ts';
import { foldPairBase, one, rowOf, type PairBuilder } from './foldbase.ts';
import { coneCovers } from './foldcone.ts';
import type { FoldEvent, FoldTrace, Row } from './foldround.ts';

/**
 * A norm node of compile: |a_i| of each argument (the form itself when its computed value
 * has one sign, else relu(a) + relu(−a)), then the folds of the cheapest plan whose error
 * fits the budget. With computed arguments â_i = a_i + ε_i (|ε_i| ≤ err_i), the result is
 * within rel·|â| of |â|, and ||â| − |a|| ≤ |ε| ≤ sqrt(Σ err_i²) = e_in, so the node's error
 * is rel·(R + e_in) + e_in with R the largest exact norm on the region (rel including the
 * float64 weights' drift, planWeightDrift).
 */
export function foldNorm(
  prog: Program, args: { form: Form; lo: number; hi: number; err: number }[], R: number, budget: number,
  o: {
    maxDepth: number; minimize: 'relus' | 'params'; maxK: number; extraLayers: number; base?: boolean; rMin?: number;
  },
) {
  const trace: FoldEvent[] = [];
  // Leaves α·x_c of the inputs keep the rounding analysis relative (foldround.ts).
  let coordinates = true;
  const leaves = args.map(({ form, lo, hi }, value) => {
    const single = form.layer === 0 && form.terms.size === 1 && form.constant === 0;
    if (!single) coordinates = false;
    const [column, alpha] = single ? [...form.terms][0]! : [-1, 0];
    if (lo >= 0 || hi <= 0) {
      trace.push({ kind: 'leaf', value, column, alpha, rows: [] });
      return lo >= 0 ? form : scale(form, -1);
    }
    const p = prog.addUnit(form, 0, [lo, hi]);
    const q = prog.addUnit(scale(form, -1), 0, [-hi, -lo]);
    trace.push({ kind: 'leaf', value, column, alpha, rows: [p, q] });
    return { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
  });
  const eIn = Math.hypot(...args.map((a) => a.err));
  const Rw = R + eIn;
  const start = Math.max(0, ...leaves.map((f) => (f.terms.size ? f.layer : 0)));
  const depth = o.maxDepth - start - o.extraLayers;
  const accordion = { maxDepth: depth, minimize: o.minimize, maxK: o.maxK };
  // The cone analysis (foldcone.ts) takes at most 6 coordinates, at most 4 of them one-signed.
  const oneSign = args.filter((a) => a.lo >= 0 || a.hi <= 0).length;
  const analysed = coordinates && coneCovers(args.length, oneSign);
  const { plan, base } = o.base && analysed ? choosePlan(args.length, budget - eIn, Rw, depth, o)
    : { plan: fitPlan(args.length, (budget - eIn) / Rw, accordion), base: false };
  if (!plan) {
    throw new WorkError(`the norm could not be folded within its error budget ${budget.toPrecision(4)} `
      + `(upstream error ${eIn.toPrecision(4)}, norm up to ${Rw.toPrecision(4)}) in --max-depth ${o.maxDepth}`);
  }
  const built = normUnits(prog, leaves, plan, Rw * (1 + plan.relError), trace, base ? foldPairBase : foldPair);
  const certified = (plan.relError + planWeightDrift(plan.levels)) * Rw;
  const foldTrace: FoldTrace | null = coordinates && plan.relError < 0.19
    ? { events: trace, values: built.values, root: built.root, rootLayer: built.form.layer, base,
      rMin: Math.max(0, (o.rMin ?? 0) - eIn) }
    : null;
  const folds = plan.levels.map((l) => l.folds);
  return { form: built.form, certified, errorIn: certified + eIn, R: Rw, folds, plan, trace: foldTrace };
}

type PlanOptions = Parameters<typeof designNorm>[2];

/** The cheapest plan within `tol` (relative), the float64 weights' drift (planWeightDrift, ~1e-12) charged too. */
function fitPlan(terms: number, tol: number, opts: PlanOptions): NormPlan | null {
  const plan = designNorm(terms, tol, opts);
  const drift = plan ? planWeightDrift(plan.levels) : 0;
  if (plan && plan.relError + drift > tol) return designNorm(terms, tol - drift, opts);
  return plan;
}

/**
 * Typical float32 rounding of a folded norm of coordinates, in units of u·|w| (u = 2^−24), as the
 * cone analysis proves it on T3 (docs/DESIGN.md §15): the accordion layout about 32, foldbase.ts
 * about 12. Used only to choose between them; each certificate is proven afterwards.
 */
const FLOAT32_ROUNDING = { fold: 32, base: 12 };

/**
 * For a float32 build, the accordion layout (foldPair, k up to maxK) or the reflections of
 * foldbase.ts: the one that needs fewer ReLUs once its typical float32 rounding is taken from
 * the budget (the reflections when the accordion's does not fit), built on the whole budget (the
 * plan search, compile/plansearch.ts, takes the proven rounding from the next attempt's budget).
 */
function choosePlan(
  terms: number, budget: number, Rw: number, maxDepth: number, o: { minimize: 'relus' | 'params'; maxK: number },
): { plan: NormPlan | null; base: boolean } {
  const share = (layout: 'fold' | 'base') => (budget - FLOAT32_ROUNDING[layout] * UNIT_ROUNDOFF.float32 * Rw) / Rw;
  const foldOpts = { maxDepth, minimize: o.minimize, maxK: o.maxK };
  const baseOpts = { maxDepth, minimize: o.minimize, maxK: 2, projection: 'unit' as const };
  const fold = share('fold') > 0 ? fitPlan(terms, share('fold'), foldOpts) : null;
  const base = share('base') > 0 ? fitPlan(terms, share('base'), baseOpts) : null;
  const accordion = fold !== null && (!base || fold.relus <= baseRelus(base));
  return { plan: fitPlan(terms, budget / Rw, accordion ? foldOpts : baseOpts), base: !accordion };
}

/** ReLUs of a plan laid out by foldbase.ts: 4 per fold and node (3 for the first, 2 for its projection), carries. */
function baseRelus(plan: NormPlan): number {
  return plan.levels.reduce((t, l, i) => t + l.nodes * (4 * l.folds.length + 1 + (i > 0 ? 1 : 0))
    + l.carried * (l.folds.length + 1), 0);
}

/**
 * The units of a folded norm (compile/fold.ts) in a layered Program: `leaves` are forms of
 * values that are ≥ 0 in exact arithmetic and whose vector has length ≤ `hi`; returns the
 * form of the estimate of their Euclidean norm, within the plan's relative error of it, and
 * the trace of the units built (for foldRoundingBound). Pre-activation ranges are recorded
 * for the rounding analysis (widened by a relative 1e-9 for the float64 weights, which differ
 * from the ideal rotations by a few ulps).
 */
export function normUnits(
  prog: Program, leaves: Form[], plan: NormPlan, hi: number, trace: FoldEvent[] = [], pair: PairBuilder = foldPair,
): { form: Form; root: number; values: number } {
  let nextId = leaves.length;
  const lift = (v: { form: Form; id: number }, layer: number) => {
    if (v.form.terms.size === 0 || v.form.layer >= layer) return v;
    const before = prog.layers.map((l) => l.length);
    const form = prog.carry(v.form, layer, 0, hi);
    const rows: Row[] = [];
    prog.layers.forEach((l, i) => {
      for (let r = before[i] ?? 0; r < l.length; r++) rows.push({ layer: i + 1, index: r });
    });
    trace.push({ kind: 'carry', value: v.id, rows });
    return { form, id: v.id };
  };
  let values = leaves.map((form, id) => ({ form, id }));
  for (const level of plan.levels) {
    const layer = Math.max(...values.map((v) => (v.form.terms.size ? v.form.layer : -1)));
    values = values.map((v) => lift(v, layer));
    const next: { form: Form; id: number }[] = [];
    for (let i = 0; i + 1 < values.length; i += 2) {
      const id = nextId++;
      next.push({ form: pair(prog, values[i]!, values[i + 1]!, level.folds, hi, id, trace, leaves.length), id });
    }
    if (values.length % 2) next.push(values[values.length - 1]!);
    values = next;
  }
  return { form: values[0]!.form, root: values[0]!.id, values: nextId };
}

/** One node: the pair (A, B) on one layer folded by `folds` from the quadrant, then projected. */
const foldPair: PairBuilder = (prog, A, B, folds, hi, out, trace) => {
  const slack = 1e-9 * hi;
  let a = Math.PI / 2;
  let U = A.form;
  let V = B.form;
  if (folds.length === 0) {
    const { m, c } = foldProjection(a);
    trace.push({ kind: 'project', a: A.id, b: B.id, out, c, rows: [], kinks: [], wedge: a });
    return combine([{ form: U, coef: c * m[0] }, { form: V, coef: c * m[1] }], 0);
  }
  for (const [i, k] of folds.entries()) {
    // Sums wider than the Program allows would be split into deeper partial sums: hold the
    // pair in two units first (float32 layouts, at most maxFanIn terms per sum).
    if (new Set([...U.terms.keys(), ...V.terms.keys()]).size > prog.maxFanIn) {
      U = one(prog.addUnit(U, 0, [-slack, hi + slack]));
      V = one(prog.addUnit(V, 0, [-slack, Math.sin(a) * hi + slack]));
      trace.push({ kind: 'materialize', a: A.id, b: B.id, rows: [rowOf(U), rowOf(V)], wedge: a });
    }
    const kinks = foldKinks(a, k);
    const b = a / k;
    const s = kinks.map((K) => one(prog.addUnit(combine([{ form: U, coef: K.n[0] }, { form: V, coef: K.n[1] }], 0), 0,
      [-Math.sin(K.angle) * hi - slack, Math.sin(a - K.angle) * hi + slack])));
    if (i === folds.length - 1) {
      // c·⟨F(w), m⟩ = c·⟨w, m⟩ + Σ c·⟨d_j, m⟩·relu(⟨n_j, w⟩), with ⟨w, m⟩ ≥ 0: one carrier.
      const { m, c } = foldProjection(b);
      const along = combine([{ form: U, coef: m[0] }, { form: V, coef: m[1] }], 0);
      const base = one(prog.addUnit(along, 0, [-slack, hi + slack]));
      const coefs = kinks.map((K) => c * (K.d[0] * m[0] + K.d[1] * m[1]));
      const rows = [{ row: rowOf(base), coef: c }, ...s.map((f, j) => ({ row: rowOf(f), coef: coefs[j]! }))];
      trace.push({ kind: 'project', a: A.id, b: B.id, out, c, kinks, wedge: a, rows });
      return combine([{ form: base, coef: c }, ...s.map((form, j) => ({ form, coef: coefs[j]! }))], 0);
    }
    const cu = one(prog.addUnit(U, 0, [-slack, hi + slack]));
    const cv = one(prog.addUnit(V, 0, [-slack, Math.sin(a) * hi + slack]));
    const carriers: { row: Row; col: [number, number] }[] = [
      { row: rowOf(cu), col: [1, 0] }, { row: rowOf(cv), col: [0, 1] },
    ];
    const kinkRows = s.map((f, j) => ({ row: rowOf(f), col: kinks[j]!.d }));
    trace.push({ kind: 'fold', a: A.id, b: B.id, kinks, wedge: a, rows: [...carriers, ...kinkRows] });
    U = combine([{ form: cu, coef: 1 }, ...s.map((form, j) => ({ form, coef: kinks[j]!.d[0] }))], 0);
    V = combine([{ form: cv, coef: 1 }, ...s.map((form, j) => ({ form, coef: kinks[j]!.d[1] }))], 0);
    a = b;
  }
  throw new RangeError('foldPair: unreachable');
};
