import { exprKey, type Expr } from '../expr/ast.ts';

/**
 * Small constructors of formulas for the rewrite rules (rewrite.ts) that simplify only where
 * the result is the same real number for every input: x − x = 0, x + 0 = x, exp(0) = 1,
 * cos(0) = 1, sin(0) = 0, |−x| = |x|, 1·x = x. No constant arithmetic that could round.
 */
export const num = (value: number): Expr => ({ op: 'const', value });
export function call(fn: 'exp' | 'log' | 'abs' | 'sin' | 'cos', arg: Expr): Expr {
  if (isConst(arg, 0) && fn !== 'log') return num(fn === 'exp' || fn === 'cos' ? 1 : 0);
  if (fn === 'abs' && arg.op === 'neg') return { op: 'call', fn, arg: arg.arg };
  return { op: 'call', fn, arg };
}
export const max = (a: Expr, b: Expr): Expr => ({ op: 'call2', fn: 'max', a, b });

export function isConst(e: Expr, value: number): boolean {
  return e.op === 'const' && e.value === value;
}

export function add(a: Expr, b: Expr): Expr {
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  return { op: 'add', a, b };
}

export function sub(a: Expr, b: Expr): Expr {
  if (exprKey(a) === exprKey(b)) return num(0);
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return { op: 'neg', arg: b };
  return { op: 'sub', a, b };
}

export function mul(a: Expr, b: Expr): Expr {
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  return { op: 'mul', a, b };
}

export const div = (a: Expr, b: Expr): Expr => (isConst(b, 1) ? a : { op: 'div', a, b });

/** A signed term of a sum. */
export interface Term { sign: 1 | -1; e: Expr }

/** The terms of a sum (add, sub and neg flattened): x − (y − z) is [+x, −y, +z]. */
export function termsOf(e: Expr, sign: 1 | -1 = 1, out: Term[] = []): Term[] {
  if (e.op === 'add' || e.op === 'sub') {
    termsOf(e.a, sign, out);
    termsOf(e.b, e.op === 'add' ? sign : (-sign as 1 | -1), out);
  } else if (e.op === 'neg') termsOf(e.arg, -sign as 1 | -1, out);
  else out.push({ sign, e });
  return out;
}

export function sumOf(terms: readonly Term[]): Expr {
  let acc: Expr | null = null;
  for (const t of terms) {
    if (acc === null) acc = t.sign > 0 ? t.e : { op: 'neg', arg: t.e };
    else acc = t.sign > 0 ? add(acc, t.e) : sub(acc, t.e);
  }
  return acc ?? num(0);
}

/** The factors of a product chain (mul flattened; a quotient is one factor). */
export function factorsOf(e: Expr, out: Expr[] = []): Expr[] {
  if (e.op === 'mul') { factorsOf(e.a, out); factorsOf(e.b, out); } else out.push(e);
  return out;
}

export function productOf(factors: readonly Expr[]): Expr {
  return factors.reduce<Expr | null>((acc, f) => (acc === null ? f : mul(acc, f)), null) ?? num(1);
}

/**
 * The exponent a of a term that is exp(a), or 0 for the constant 1 (= exp(0)); null for any
 * other term.
 */
export function exponentOf(e: Expr): Expr | null {
  if (e.op === 'call' && e.fn === 'exp') return e.arg;
  return isConst(e, 1) ? num(0) : null;
}

/** The exponents of a sum whose terms are all exp(a_i) or 1, added (at least two), else null. */
export function expSum(e: Expr): Expr[] | null {
  const terms = termsOf(e);
  if (terms.length < 2 || terms.some((t) => t.sign < 0)) return null;
  const exps = terms.map((t) => exponentOf(t.e));
  return exps.every((x) => x !== null) && exps.some((x) => !isConst(x!, 0)) ? (exps as Expr[]) : null;
}
