import { exprKey, type Expr } from '../expr/ast.ts';
import { productIsExact, sumIsExact } from './ranges.ts';

/**
 * Fusion of one-form subexpressions (issue 28): a subexpression that depends on the inputs
 * only through one affine form L (one variable, or one combination such as x + y) is one
 * function g(L) of one variable, which the compiler builds as one curve (the minimum-link
 * PWL of g, approx/minimal.ts) instead of node by node. `1/(1+exp(-x))` is g(u) = 1/(1 + exp(u))
 * at u = -x; `sin(x+y)^2` is sin(u)^2 at u = x + y; `x*exp(x)` is u*exp(u) at u = x.
 *
 * Affine normalization first: sums, negation and multiplication or division by literal
 * constants fold into Σ c_i·x_i + c, so x + y and y + x are one form. Two forms are the
 * same when one is k·L + d of the other with k·L's coefficients and d exact in float64,
 * so g is the subexpression exactly (as a real function): no approximation enters here. A
 * form whose folding rounded (x/3, x*0.1*10) is fused only as u itself, which the graph builds
 * with its rounding charged (coefficients.ts); elsewhere in g it is not fused.
 */

/** A subexpression as one curve: g (a formula in `u`) read at the affine form `form` of the inputs. */
export interface Fusion { fn: Expr; form: Expr }

type Linear = Map<string, number>;
/** Σ lin·x + c as float64 folds it; `exact`: no step rounded (it is the real form the formula writes). */
interface Affine { lin: Linear; c: number; exact: boolean }

/**
 * What a subexpression depends on: nothing (a constant; `value` when it is a literal), one
 * affine form (its direction key), one form through something nonlinear ('curve'), or
 * several forms.
 */
export type FormInfo =
  | { kind: 'const'; value: number | null }
  | { kind: 'affine'; aff: Affine; dir: string }
  | { kind: 'curve'; dir: string }
  | { kind: 'many' };

const MANY: FormInfo = { kind: 'many' };
export const U: Expr = { op: 'var', name: 'u' };

/**
 * The form analysis of a formula's subexpressions, memoized per subexpression object.
 * `keep`: subexpressions that must stay nodes of their own (stated --range texts, jump
 * steps), so nothing containing them is fused.
 */
export class FormAnalysis {
  private readonly memo = new WeakMap<Expr, FormInfo>();
  private readonly keep: Set<string>;
  constructor(keep: Expr[] = []) { this.keep = new Set(keep.map(exprKey)); }

  info(e: Expr): FormInfo {
    let hit = this.memo.get(e);
    if (!hit) {
      hit = this.keep.size && this.keep.has(exprKey(e)) ? MANY : this.compute(e);
      this.memo.set(e, hit);
    }
    return hit;
  }

  private compute(e: Expr): FormInfo {
    switch (e.op) {
      case 'const': return { kind: 'const', value: e.value };
      case 'var': return affineInfo({ lin: new Map([[e.name, 1]]), c: 0, exact: true });
      case 'neg': return scaled(this.info(e.arg), -1) ?? this.info(e.arg);
      case 'add': case 'sub': return this.sum(e.a, e.b, e.op === 'add' ? 1 : -1);
      case 'mul': return this.product(e.a, e.b);
      case 'div': {
        const b = this.info(e.b);
        const d = b.kind === 'const' && b.value !== null && b.value !== 0 ? b.value : null;
        const k = d === null ? null : 1 / d;
        const by = k === null ? null : scaled(this.info(e.a), k, productIsExact(k, d!) && k * d! === 1);
        return by ?? nonlinear([this.info(e.a), b]);
      }
      case 'pow': return nonlinear([this.info(e.a), this.info(e.b)]);
      case 'call': return nonlinear([this.info(e.arg)]);
      case 'call2': return e.fn === 'atan2' ? MANY : nonlinear([this.info(e.a), this.info(e.b)]);
    }
  }

  private sum(ea: Expr, eb: Expr, sign: 1 | -1): FormInfo {
    const [a, b] = [this.info(ea), this.info(eb)];
    const A = affineOrLiteral(a);
    const B = affineOrLiteral(b);
    if (!A || !B) return nonlinear([a, b]);
    const lin = new Map(A.lin);
    let exact = A.exact && B.exact && sumIsExact(A.c, sign * B.c);
    for (const [v, k] of B.lin) {
      exact &&= sumIsExact(lin.get(v) ?? 0, sign * k);
      lin.set(v, (lin.get(v) ?? 0) + sign * k);
    }
    return affineInfo({ lin, c: A.c + sign * B.c, exact });
  }

  private product(ea: Expr, eb: Expr): FormInfo {
    const [a, b] = [this.info(ea), this.info(eb)];
    if (a.kind === 'const' && a.value !== null) return scaled(b, a.value) ?? b;
    if (b.kind === 'const' && b.value !== null) return scaled(a, b.value) ?? a;
    return nonlinear([a, b]);
  }
}

/**
 * An affine info (a constant when every coefficient cancelled: its value when the folding was
 * exact, else null, a constant known only as an expression), with its direction key.
 */
function affineInfo(aff: Affine): FormInfo {
  for (const [v, k] of aff.lin) if (k === 0) aff.lin.delete(v);
  if (aff.lin.size === 0) return { kind: 'const', value: aff.exact ? aff.c : null };
  return { kind: 'affine', aff, dir: directionKey(aff.lin) };
}

/** The direction of Σ c_i·x_i: coefficients (by variable name) divided by the first one. */
function directionKey(lin: Linear): string {
  const entries = [...lin].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
  const first = entries[0]![1];
  return entries.map(([v, k]) => `${v}:${k / first}`).join(',');
}

function affineOrLiteral(i: FormInfo): Affine | null {
  if (i.kind === 'affine') return i.aff;
  if (i.kind === 'const' && i.value !== null) return { lin: new Map(), c: i.value, exact: true };
  return null;
}

/**
 * k·i for an affine or literal i (as the graph folds it: every coefficient times k); else null.
 * `kExact`: k is the real factor the formula means (a literal, or 1/b exactly).
 */
function scaled(i: FormInfo, k: number, kExact = true): FormInfo | null {
  const A = affineOrLiteral(i);
  if (!A) return null;
  const exact = A.exact && kExact && productIsExact(A.c, k) && [...A.lin.values()].every((c) => productIsExact(c, k));
  return affineInfo({ lin: new Map([...A.lin].map(([v, c]) => [v, c * k])), c: A.c * k, exact });
}

/** A nonlinear operation of its operands: one form when all non-constant operands share one direction. */
function nonlinear(children: FormInfo[]): FormInfo {
  const dirs = new Set<string>();
  for (const c of children) {
    if (c.kind === 'many') return MANY;
    if (c.kind !== 'const') dirs.add(c.dir);
  }
  if (dirs.size === 0) return { kind: 'const', value: null };
  return dirs.size === 1 ? { kind: 'curve', dir: [...dirs][0]! } : MANY;
}

/** Operands of a formula node. */
function children(e: Expr): Expr[] {
  switch (e.op) {
    case 'const': case 'var': return [];
    case 'neg': case 'call': return [e.arg];
    default: return [e.a, e.b];
  }
}

/**
 * A one-form subexpression a single graph node already builds as one piece (exp(x), (x+y)^2,
 * 1/x, abs(x), max(x, 2x)): every operand that depends on the inputs is affine, and it is no
 * product or quotient of two such operands (x/(1+x) is a reciprocal and two squares node by
 * node, one curve fused). Fusing it gains nothing, and a square or an exact ReLU piece would
 * lose its cheaper construction.
 */
export function isSinglePiece(a: FormAnalysis, e: Expr): boolean {
  if (e.op !== 'call' && e.op !== 'call2' && e.op !== 'pow' && e.op !== 'div' && e.op !== 'mul') return false;
  const kinds = children(e).map((x) => a.info(x).kind);
  if (!kinds.every((k) => k === 'const' || k === 'affine')) return false;
  return (e.op !== 'mul' && e.op !== 'div') || kinds.includes('const');
}

/**
 * The subexpression e (one form, a 'curve') as g(u) at u = its first affine subexpression L;
 * every other affine subexpression written k·u + d exactly, a constant one (x - x + 1) as its
 * value. Null when one is not (a ratio or offset that rounds in float64).
 */
export function fusionOf(a: FormAnalysis, e: Expr): Fusion | null {
  if (a.info(e).kind !== 'curve') return null;
  const form = firstAffine(a, e)!;
  const L = (a.info(form) as Extract<FormInfo, { kind: 'affine' }>).aff;
  const key = exprKey(form);
  const rewrite = (x: Expr): Expr | null => {
    const i = a.info(x);
    if (i.kind === 'const' && (i.value !== null || !hasVariable(x))) {
      return hasVariable(x) ? { op: 'const', value: i.value! } : x;
    }
    if (i.kind === 'affine') return exprKey(x) === key ? U : relativeForm(i.aff, L);
    const args = children(x).map(rewrite);
    if (args.some((y) => y === null)) return null;
    if (x.op === 'neg' || x.op === 'call') return { ...x, arg: args[0]! };
    return { ...x, a: args[0]!, b: args[1]! } as Expr;
  };
  const fn = rewrite(e);
  return fn ? { fn, form } : null;
}

/** The first affine subexpression of e (left to right), the form the fused node reads. */
function firstAffine(a: FormAnalysis, e: Expr): Expr | null {
  if (a.info(e).kind === 'affine') return e;
  for (const x of children(e)) {
    const hit = firstAffine(a, x);
    if (hit) return hit;
  }
  return null;
}

/** Whether e reads an input. */
function hasVariable(e: Expr): boolean {
  return e.op === 'var' || children(e).some(hasVariable);
}

/** M as k·u + d for u = L (M = k·L + d exactly in float64, both folded exactly), or null. */
function relativeForm(M: Affine, L: Affine): Expr | null {
  if (!M.exact || !L.exact) return null;
  const [v, l0] = [...L.lin][0]!;
  const k = (M.lin.get(v) ?? 0) / l0;
  const vars = new Set([...L.lin.keys(), ...M.lin.keys()]);
  for (const w of vars) {
    const l = L.lin.get(w) ?? 0;
    if (!productIsExact(l, k) || l * k !== (M.lin.get(w) ?? 0)) return null;
  }
  if (!productIsExact(k, L.c) || !sumIsExact(M.c, -k * L.c)) return null;
  const d = M.c - k * L.c;
  const ku: Expr = k === 1 ? U : k === -1 ? { op: 'neg', arg: U } : { op: 'mul', a: { op: 'const', value: k }, b: U };
  return d === 0 ? ku : { op: 'add', a: ku, b: { op: 'const', value: d } };
}
