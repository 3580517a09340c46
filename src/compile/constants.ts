import { InputError } from '../errors.ts';
import { exprToString, type Expr } from '../expr/ast.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { branchWithSigns, derivative, kinkSites } from '../expr/derivative.ts';
import { enclose } from '../expr/interval.ts';
import type { Coef } from './coefficients.ts';
import { productIsExact, sumIsExact } from './ranges.ts';
import type { Request } from './request.ts';

type Box = Record<string, readonly [number, number]>;

/**
 * Constant subexpressions (no variable: sqrt(2), 2*pi, 1000^2, log(10)) folded to doubles, so
 * the graph never approximates a function on a zero-width range. The truth is the real number
 * (sqrt(2), not its double; a literal or named constant alone is the double it is read as):
 *  - a value proven exact in float64 (every step's rounding error zero by Dekker's TwoSum and
 *    TwoProduct; Dekker, "A floating-point technique for extending the available precision",
 *    1971) is folded to it and costs nothing: sqrt(4) = 2, 1000^2 = 1e6, 2*pi, 1/4;
 *  - any other is folded to its accurate value c~ (accurate.ts) with |c − c~| <= r proven, and
 *    is charged (`constantCharge`).
 */
export interface FoldedConstant { text: string; value: number; radius: number }

/** e with its maximal constant subexpressions folded; `inexact` receives the charged ones. */
export function foldConstants(e: Expr, inexact: FoldedConstant[] = []): Expr {
  return fold(e, inexact, null);
}

/** e folded; with `names`, each inexact constant becomes a fresh variable (named in the order of `inexact`). */
function fold(e: Expr, inexact: FoldedConstant[], names: string[] | null): Expr {
  if (e.op === 'const' || e.op === 'var') return e;
  if (!hasVariable(e)) {
    if (isLiteral(e)) return e;
    const before = inexact.length;
    const value = foldOne(e, inexact);
    if (names === null || inexact.length === before) return { op: 'const', value };
    names.push(`k__${before}`);
    return { op: 'var', name: `k__${before}` };
  }
  const rec = (x: Expr) => fold(x, inexact, names);
  switch (e.op) {
    case 'neg': case 'call': return { ...e, arg: rec(e.arg) };
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}

function foldOne(e: Expr, inexact: FoldedConstant[]): number {
  const exact = exactValue(e);
  if (exact !== null) return exact;
  const out = new Float64Array(1);
  const value = accurateEvaluator(e, [])([], out);
  const radius = out[0]!;
  const text = exprToString(e);
  if (!Number.isFinite(value) || !Number.isFinite(radius)) {
    const rule = 'have constant subexpressions that are finite real numbers';
    throw new InputError('expression', rule, text, { field: 'expr', code: 'undefined-on-domain' });
  }
  inexact.push({ text, value, radius });
  return value;
}

function hasVariable(e: Expr): boolean {
  switch (e.op) {
    case 'const': return false;
    case 'var': return true;
    case 'neg': case 'call': return hasVariable(e.arg);
    default: return hasVariable(e.a) || hasVariable(e.b);
  }
}

const isLiteral = (e: Expr): boolean => e.op === 'const' || (e.op === 'neg' && isLiteral(e.arg));

/** Magnitudes where TwoSum/TwoProduct are exact and nothing over- or underflows. */
const SAFE = (x: number) => x === 0 || (Math.abs(x) >= 2 ** -400 && Math.abs(x) <= 2 ** 400);

/** a·b exactly representable (TwoProduct's error term zero, ranges.ts), or null. */
function exactProduct(a: number, b: number): number | null {
  const p = a * b;
  return [a, b, p].every(SAFE) && productIsExact(a, b) ? p : null;
}

/** a + b exactly representable (TwoSum's error term zero, ranges.ts), or null. */
function exactSum(a: number, b: number): number | null {
  const s = a + b;
  return [a, b, s].every(SAFE) && sumIsExact(a, b) ? s : null;
}

/** The value of a constant formula when float64 computes it with no rounding at all, else null. */
export function exactValue(e: Expr): number | null {
  const both = (f: (a: number, b: number) => number | null) => {
    if (!('a' in e)) return null;
    const a = exactValue(e.a);
    const b = a === null ? null : exactValue(e.b);
    return a === null || b === null ? null : f(a, b);
  };
  switch (e.op) {
    case 'const': return SAFE(e.value) ? e.value : null;
    case 'var': return null;
    case 'neg': { const a = exactValue(e.arg); return a === null ? null : -a; }
    case 'add': return both(exactSum);
    case 'sub': return both((a, b) => exactSum(a, -b));
    case 'mul': return both(exactProduct);
    case 'div': return both((a, b) => (b !== 0 && exactProduct(a / b, b) === a ? a / b : null));
    case 'pow': return both(exactPower);
    case 'call': {
      const a = exactValue(e.arg);
      if (a === null) return null;
      if (e.fn === 'abs') return Math.abs(a);
      if (e.fn === 'relu') return Math.max(a, 0);
      if (e.fn === 'sqrt' && a >= 0) { const s = Math.sqrt(a); return exactProduct(s, s) === a ? s : null; }
      return null;
    }
    case 'call2': return e.fn === 'atan2' ? null : both((a, b) => (e.fn === 'min' ? Math.min(a, b) : Math.max(a, b)));
  }
}

/** a^n for a small integer n, when every product is exact (a negative n: 1/a^|n| exact). */
function exactPower(a: number, n: number): number | null {
  if (!Number.isInteger(n) || Math.abs(n) > 64) return n === 0.5 ? exactValue(sqrtOf(a)) : null;
  let p: number | null = 1;
  for (let i = 0; i < Math.abs(n) && p !== null; i++) p = exactProduct(p, a);
  if (p === null || n >= 0) return p;
  return p !== 0 && exactProduct(1 / p, p) === 1 ? 1 / p : null;
}

const sqrtOf = (a: number): Expr => ({ op: 'call', fn: 'sqrt', arg: { op: 'const', value: a } });

/**
 * A proven bound of |f(x, c) − f(x, c~)| over the box for the inexactly folded constants c of
 * e (foldConstants): by the mean value theorem along the segment from c~ to c, at most
 * Σ_i sup |∂f/∂k_i| · r_i with k_i the constant as a variable in [c~_i − r_i, c~_i + r_i], the
 * sup an interval enclosure (interval.ts) of the symbolic derivative (derivative.ts) over the
 * box × those intervals; with kinks (abs, min, max, relu), the max over the smooth branches
 * whose selectors may take each sign there. 0 when every constant folds exactly. A derivative
 * unbounded or undefined somewhere there is refused, naming the constant.
 */
export function constantCharge(e: Expr, box: Box): number {
  const inexact: FoldedConstant[] = [];
  const names: string[] = [];
  const withVars = fold(e, inexact, names);
  if (inexact.length === 0) return 0;
  const wide: Record<string, readonly [number, number]> = { ...box };
  inexact.forEach((c, i) => { wide[names[i]!] = [c.value - c.radius * 1.01, c.value + c.radius * 1.01]; });
  const branches = smoothBranches(withVars, wide);
  let charge = 0;
  inexact.forEach((c, i) => {
    const slope = Math.max(...branches.map((b) => slopeBound(b, names[i]!, wide, c)));
    charge += slope * c.radius;
  });
  return charge * (1 + 2 ** -40);
}

/** The smooth branches of e on the box: each kink whose selector's enclosure holds 0 takes both signs. */
function smoothBranches(e: Expr, box: Box): Expr[] {
  const sites = kinkSites(e);
  if (sites.length === 0) return [e];
  const choices = sites.map((s) => {
    const r = enclose(s.selector, box);
    return r.lo > 0 ? [1] : r.hi < 0 ? [-1] : [1, -1];
  });
  const count = choices.reduce((n, c) => n * c.length, 1);
  if (count > 256) {
    const rule = 'have at most 8 kinks (abs, min, max, relu) that may change branch where rounded constants occur';
    throw new InputError('expression', rule, exprToString(e), { field: 'expr', code: 'too-many-kinks' });
  }
  let signs: number[][] = [[]];
  for (const c of choices) signs = signs.flatMap((s) => c.map((x) => [...s, x]));
  return signs.map((s) => branchWithSigns(e, sites, s));
}

function slopeBound(branch: Expr, name: string, box: Box, c: FoldedConstant): number {
  const d = enclose(derivative(branch, name), box);
  let m = Math.max(Math.abs(d.lo), Math.abs(d.hi));
  if (d.undefinedPart || !Number.isFinite(m)) m = exponentSlope(branch, name, box) ?? NaN;
  if (!Number.isFinite(m)) {
    const rule = 'keep the effect of rounding each constant subexpression to float64 bounded (the formula\'s '
      + 'slope in it is unbounded on the box; write the constant as a number or narrow the box)';
    throw new InputError('expression', rule, c.text, { field: 'expr', code: 'unbounded-slope' });
  }
  return m;
}

/**
 * A bound of |∂e/∂k| for a constant k used once, as the exponent of a power a^k with a >= 0 on
 * the box and k > 0, where the enclosure of ∂e/∂k = (∂e/∂z)·a^k·ln a is unbounded (ln a at
 * a = 0, though a^k·ln a tends to 0 there: x^(2/3)·y): e depends on k only through z = a^k,
 * so (mean value theorem, twice) |Δe| <= sup |∂e/∂z| over z's enclosure × sup |a^k ln a| × |Δk|.
 * The second sup is powLogBound's; null when the rule does not apply or a sup is not finite.
 */
function exponentSlope(e: Expr, name: string, box: Box): number | null {
  const power = exponentUse(e, name);
  if (!power || uses(e, name) !== 1) return null;
  const base = enclose(power.a, box);
  const k = box[name]!;
  if (base.undefinedPart || !(base.lo >= 0) || !(k[0] > 0)) return null;
  const z = enclose(power, box);
  const dz = enclose(derivative(replaced(e, power, Z), Z.name), { ...box, [Z.name]: [z.lo, z.hi] });
  const slope = Math.max(Math.abs(dz.lo), Math.abs(dz.hi)) * powLogBound(base.hi, k[0], k[1]);
  return dz.undefinedPart || z.undefinedPart || !Number.isFinite(slope) ? null : slope;
}

const Z = { op: 'var', name: 'z__power' } as const;

/**
 * sup |a^k·ln a| over a in [0, A], k in [k0, k1] (0 < k0): on (0, 1], a^k·|ln a| peaks at
 * a = e^(−1/k) with 1/(e·k) <= 1/(e·k0); on [1, A] it grows, to A^k1·ln A at most. Widened by
 * 2^−40 for the rounding of Math.pow and Math.log.
 */
export function powLogBound(A: number, k0: number, k1: number): number {
  const low = 1 / (Math.E * k0);
  const high = A > 1 ? Math.pow(A, k1) * Math.log(A) : 0;
  return Math.max(low, high) * (1 + 2 ** -40);
}

/** The power node whose exponent is the variable `name`, if any. */
function exponentUse(e: Expr, name: string): Extract<Expr, { op: 'pow' }> | null {
  if (e.op === 'pow' && e.b.op === 'var' && e.b.name === name) return e;
  const parts = e.op === 'const' || e.op === 'var' ? [] : 'arg' in e ? [e.arg] : [e.a, e.b];
  for (const part of parts) {
    const found = exponentUse(part, name);
    if (found) return found;
  }
  return null;
}

/** How many times the variable `name` occurs in e. */
function uses(e: Expr, name: string): number {
  if (e.op === 'var') return e.name === name ? 1 : 0;
  if (e.op === 'const') return 0;
  return 'arg' in e ? uses(e.arg, name) : uses(e.a, name) + uses(e.b, name);
}

/** e with the node `node` (by identity) replaced by `by`. */
function replaced(e: Expr, node: Expr, by: Expr): Expr {
  if (e === node) return by;
  if (e.op === 'const' || e.op === 'var') return e;
  if ('arg' in e) return { ...e, arg: replaced(e.arg, node, by) } as Expr;
  return { ...e, a: replaced(e.a, node, by), b: replaced(e.b, node, by) } as Expr;
}

/**
 * g(c) for a function g of u (a graph node's function) at a constant c known within c.err
 * (coefficients.ts): its accurate value, within the proven radius when c is exact, else within
 * the interval enclosure of g over [c − err, c + err] (which holds every g(c_real)). A constant
 * left as a graph node after rewriting (exp(x - (x - 1)), sin(x - x + 1)) is folded so, never
 * approximated on a zero-width range. Not a finite real there: refused naming it.
 */
export function foldAt(g: Expr, c: Coef, text: string): Coef {
  const out = new Float64Array(1);
  const v = accurateEvaluator(g, ['u'])([c.v], out);
  const wide = c.err === 0 ? null : enclose(g, { u: [c.v - c.err, c.v + c.err] });
  const err = wide ? Math.max(wide.hi - v, v - wide.lo) : out[0]!;
  if (!Number.isFinite(v) || !Number.isFinite(err) || wide?.undefinedPart) {
    const rule = 'have constant subexpressions that are finite real numbers';
    throw new InputError('expression', rule, text, { field: 'expr', code: 'undefined-on-domain' });
  }
  return { v, err: err === 0 ? 0 : err * (1 + 2 ** -50) + 2 ** -1074 };
}

/** A certificate with the constants' charge added, rounded upward. */
export function withCharge(total: number, charge: number): number {
  return charge === 0 ? total : (total + charge) * (1 + 2 ** -50);
}

/** A request whose tolerances leave room for its constants' charges (one per output, `charges`). */
export type ChargedRequest = Request & { charges: number[] };

/**
 * The request with each output's constant charge (constantCharge over the box) taken from
 * its tolerance before planning; compile adds it back to the certificates (withCharge).
 * A tolerance the charge uses up is refused.
 */
export function chargeRequest(req: Request, box: Box): ChargedRequest {
  const charges = req.formulas.map((f) => constantCharge(f.expr, box));
  if (charges.every((c) => c === 0)) return { ...req, charges };
  const tolerances = req.tolerances.map((t, k) => {
    const left = (t - charges[k]!) * (1 - 2 ** -50);
    if (!(left > 0)) {
      const rule = `exceed ${charges[k]}, the proven effect of rounding the constant subexpressions to float64`;
      const argument = req.multi ? `--max-error ${req.names[k]}` : '--max-error';
      throw new InputError(argument, rule, t, { field: 'maxError', code: 'below-floor' });
    }
    return left;
  });
  return { ...req, tolerances, maxError: Math.min(...tolerances), charges };
}
