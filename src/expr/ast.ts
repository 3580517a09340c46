/**
 * The formula tree every layer works on: a small, closed set of operations that the
 * evaluators, the interval enclosure and the compiler all understand.
 */

export type UnaryFn =
  | 'sqrt' | 'abs' | 'exp' | 'log' | 'log1p' | 'sin' | 'cos' | 'tan' | 'tanh' | 'sigmoid' | 'relu'
  | 'atan' | 'asin' | 'acos' | 'cbrt' | 'sinh' | 'cosh' | 'erf' | 'normcdf'
  // Produced by symbolic differentiation only (tan' = sec², tanh' = sech²).
  | 'sec' | 'sech';
export type BinaryFn = 'min' | 'max' | 'atan2';
export const UNARY_FUNCTIONS: readonly UnaryFn[] = ['sqrt', 'abs', 'exp', 'log', 'log1p', 'sin', 'cos', 'tan', 'tanh',
  'sigmoid', 'relu', 'atan', 'asin', 'acos', 'cbrt', 'sinh', 'cosh', 'erf', 'normcdf'];
/** Functions that may appear in derivatives but are not part of the user grammar. */
export const INTERNAL_FUNCTIONS: readonly UnaryFn[] = ['sec', 'sech'];
/** min and max take two or more arguments (folded left); atan2(y, x) exactly two. */
export const BINARY_FUNCTIONS: readonly BinaryFn[] = ['min', 'max', 'atan2'];

export type Expr =
  | { op: 'const'; value: number }
  | { op: 'var'; name: string }
  | { op: 'neg'; arg: Expr }
  | { op: 'add' | 'sub' | 'mul' | 'div'; a: Expr; b: Expr }
  | { op: 'pow'; a: Expr; b: Expr }
  | { op: 'call'; fn: UnaryFn; arg: Expr }
  | { op: 'call2'; fn: BinaryFn; a: Expr; b: Expr };

export const constant = (value: number): Expr => ({ op: 'const', value });
export const variable = (name: string): Expr => ({ op: 'var', name });

/** Variables in order of first appearance. */
export function variablesOf(e: Expr, out: string[] = []): string[] {
  switch (e.op) {
    case 'const': break;
    case 'var': if (!out.includes(e.name)) out.push(e.name); break;
    case 'neg': case 'call': variablesOf(e.arg, out); break;
    default: variablesOf(e.a, out); variablesOf(e.b, out);
  }
  return out;
}

const PREC: Record<string, number> = { add: 1, sub: 1, mul: 2, div: 2, neg: 3, pow: 4 };
const SYM: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', pow: '^' };

/** Canonical text, parsable again by parseFormula. */
export function exprToString(e: Expr): string {
  switch (e.op) {
    case 'const': return Number.isInteger(e.value) || Math.abs(e.value) >= 1e-3 ? String(e.value)
      : e.value.toExponential();
    case 'var': return e.name;
    case 'neg': return `-${wrap(e.arg, PREC.neg!)}`;
    case 'call': return `${e.fn}(${exprToString(e.arg)})`;
    case 'call2': return `${e.fn}(${exprToString(e.a)}, ${exprToString(e.b)})`;
    default: {
      const p = PREC[e.op]!;
      const right = e.op === 'sub' || e.op === 'div' || e.op === 'pow' ? p + 0.5 : p;
      const left = e.op === 'pow' ? p + 0.5 : p;
      return `${wrap(e.a, left)} ${SYM[e.op]} ${wrap(e.b, right)}`;
    }
  }
}

function wrap(e: Expr, minPrec: number): string {
  const p = e.op in PREC ? PREC[e.op]! : 5;
  const s = exprToString(e);
  return p < minPrec || (e.op === 'const' && e.value < 0) ? `(${s})` : s;
}

/** Structural key, used to share equal subexpressions. */
export function exprKey(e: Expr): string {
  switch (e.op) {
    case 'const': return `#${e.value}`;
    case 'var': return `$${e.name}`;
    case 'neg': return `neg(${exprKey(e.arg)})`;
    case 'call': return `${e.fn}(${exprKey(e.arg)})`;
    case 'call2': return `${e.fn}(${exprKey(e.a)},${exprKey(e.b)})`;
    default: return `${e.op}(${exprKey(e.a)},${exprKey(e.b)})`;
  }
}
