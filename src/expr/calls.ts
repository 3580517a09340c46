import { InputError, type InputId } from '../errors.ts';

/** The identity of a formula error (as parse.ts's idOf: field expr, or ranges for a --range text). */
export function idOf(argument: string, code: string): InputId {
  return { code, ...(argument === 'expression' ? { field: 'expr' } : argument === '--range' ? { field: 'ranges' }
    : {}) };
}
import { BINARY_FUNCTIONS, UNARY_FUNCTIONS, type BinaryFn, type Expr, type UnaryFn } from './ast.ts';

/**
 * Function calls of the grammar turned into tree nodes, with the argument-count rules:
 *  - unary functions (ast.ts) take one argument;
 *  - min, max take two or more (folded left: min(a, b, c) = min(min(a, b), c));
 *  - atan2(y, x) takes two;
 *  - hypot(a, b, …) is written as sqrt(a^2 + b^2 + …) (the norm shape the compiler knows);
 *  - clamp(x, lo, hi) is min(max(x, lo), hi), exact by the ReLU identities of max and min;
 *  - the other spellings users type: ln(x) is log(x), pow(a, b) is a^b, log(x, b) is
 *    log(x)/log(b), log10(x) and log2(x) are log(x)/log(10) and log(x)/log(2) (a constant the
 *    compiler folds, its rounding charged).
 * Functions with jumps (sign, floor, …) are refused: no continuous network is within E of a
 * jump of height above 2E. An unknown name lists the known names close to it.
 */
export const REWRITTEN_FUNCTIONS = ['hypot', 'clamp', 'ln', 'pow', 'log10', 'log2'] as const;
export const DISCONTINUOUS_FUNCTIONS = ['sign', 'floor', 'ceil', 'round', 'fix', 'step', 'heaviside'] as const;
export const JUMP_RULE = 'be continuous: a continuous network cannot be within E of a jump (on a region on one side ' +
  'of it write the formula of that side, or write the jump as a ramp such as clamp((x - c)/w, 0, 1); ' +
  'compile and approx certify the region outside bands given with --exclude, e.g. --exclude "x=0.5+-1e-3")';

export function knownFunctions(): string[] {
  return [...UNARY_FUNCTIONS, ...BINARY_FUNCTIONS, ...REWRITTEN_FUNCTIONS];
}

export function callExpr(name: string, args: Expr[], argument: string, internalOk: (name: string) => boolean): Expr {
  const count = (rule: string, ok: boolean) => {
    if (!ok) throw new InputError(argument, `call ${name} with ${rule}`, `${name} with ${args.length}`,
      idOf(argument, 'arity'));
  };
  const spelled = otherSpelling(name, args, count);
  if (spelled) return spelled;
  if ((UNARY_FUNCTIONS as readonly string[]).includes(name) || internalOk(name)) {
    count('exactly 1 argument', args.length === 1);
    return { op: 'call', fn: name as UnaryFn, arg: args[0]! };
  }
  if (name === 'atan2') {
    count('exactly 2 arguments (y, x)', args.length === 2);
    return { op: 'call2', fn: 'atan2', a: args[0]!, b: args[1]! };
  }
  if ((BINARY_FUNCTIONS as readonly string[]).includes(name)) {
    count('at least 2 arguments', args.length >= 2);
    return args.slice(1).reduce<Expr>((acc, b) => ({ op: 'call2', fn: name as BinaryFn, a: acc, b }), args[0]!);
  }
  if (name === 'hypot') {
    count('at least 1 argument', args.length >= 1);
    const squares = args.map((a): Expr => ({ op: 'pow', a, b: { op: 'const', value: 2 } }));
    return { op: 'call', fn: 'sqrt', arg: squares.slice(1).reduce<Expr>((s, q) => ({ op: 'add', a: s, b: q }),
      squares[0]!) };
  }
  if (name === 'clamp') {
    count('exactly 3 arguments (x, lo, hi)', args.length === 3);
    const [x, lo, hi] = args as [Expr, Expr, Expr];
    if (lo.op === 'const' && hi.op === 'const' && !(lo.value <= hi.value)) {
      throw new InputError(argument, 'call clamp(x, lo, hi) with lo <= hi',
        `clamp with lo = ${lo.value}, hi = ${hi.value}`, idOf(argument, 'empty-interval'));
    }
    return { op: 'call2', fn: 'min', a: { op: 'call2', fn: 'max', a: x, b: lo }, b: hi };
  }
  if ((DISCONTINUOUS_FUNCTIONS as readonly string[]).includes(name)) throw new InputError(argument, JUMP_RULE, name,
    idOf(argument, 'discontinuous'));
  const close = closeNames(name, knownFunctions());
  const rule = close.length > 0 ? `use only known functions (close to "${name}": ${close.join(', ')})`
    : `use only known functions (${knownFunctions().join(', ')})`;
  throw new InputError(argument, rule, name, idOf(argument, 'unknown-function'));
}

/** log(x)/log(base): the base's logarithm a constant subexpression. */
const logBase = (x: Expr, base: Expr): Expr => ({ op: 'div', a: { op: 'call', fn: 'log', arg: x },
  b: { op: 'call', fn: 'log', arg: base } });

/** ln, pow, log(x, b), log10, log2 as the tree of the function they spell (callExpr's comment); else null. */
function otherSpelling(name: string, args: Expr[], count: (rule: string, ok: boolean) => void): Expr | null {
  switch (name) {
    case 'ln': count('exactly 1 argument', args.length === 1); return { op: 'call', fn: 'log', arg: args[0]! };
    case 'pow': count('exactly 2 arguments (base, exponent)', args.length === 2);
      return { op: 'pow', a: args[0]!, b: args[1]! };
    case 'log': return args.length === 2 ? logBase(args[0]!, args[1]!) : null;
    case 'log10': case 'log2': count('exactly 1 argument', args.length === 1);
      return logBase(args[0]!, { op: 'const', value: name === 'log10' ? 10 : 2 });
    default: return null;
  }
}

/**
 * Known names within a small edit distance of `name` (1 up to 4 letters, else 2), or starting with
 * its first 3 letters, nearest first.
 */
export function closeNames(name: string, known: string[]): string[] {
  const n = name.toLowerCase();
  const limit = n.length <= 4 ? 1 : 2;
  const scored = known.map((k) => ({ k, d: editDistance(n, k) }))
    .filter(({ k, d }) => d <= limit || (n.length >= 3 && k.startsWith(n.slice(0, 3))));
  return scored.sort((p, q) => p.d - q.d).map((s) => s.k);
}

/** Edit distance with adjacent transpositions (optimal string alignment; Damerau 1964). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_,
    j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
