import { derivative as mathDerivative, parse } from 'mathjs';
import { exprToString, variablesOf, type Expr } from './ast.ts';
import { fromMathjs } from './parse.ts';
import { chainDerivative, needsChainRule } from './chain.ts';

/**
 * Symbolic derivatives through mathjs. Functions mathjs cannot differentiate are rewritten
 * first into ones it can: log1p(u) = log(1 + u), sigmoid(u) = 1 / (1 + exp(−u)). Kinks
 * (abs, relu, min, max) have no derivative at the kink: differentiate a *branch* of the
 * formula (see `branchAt`) on an interval where the branch is known to hold.
 */
export function derivative(e: Expr, name: string): Expr {
  if (needsChainRule(e)) return chainDerivative(e, name);
  // Constants go to mathjs as symbols and come back as the same doubles: its simplification
  // rounds numbers through fractions and drops small ones, so d/dx 1e-16·x³ came back as 0
  // and d/dx 1.0000000000001·x² as 2·x (f'' enclosures of another function, unsound bounds).
  const taken = new Set(variablesOf(e));
  let prefix = '__c';
  while ([...taken].some((v) => v.startsWith(prefix))) prefix += '_';
  const values: number[] = [];
  const text = exprToString(symbolizeConstants(rewriteForDerivative(e), prefix, values));
  const d = mathDerivative(parse(text), name);
  return substituteConstants(fromMathjs(d), prefix, values);
}

/**
 * Replaces constants by symbols prefix0, prefix1, … (values collected), except small
 * integers, which mathjs handles exactly, and constant exponents, which must stay numbers
 * (x^c would be differentiated as a general power, with log x).
 */
function symbolizeConstants(e: Expr, prefix: string, values: number[]): Expr {
  const rec = (x: Expr) => symbolizeConstants(x, prefix, values);
  switch (e.op) {
    case 'const':
      if (Number.isInteger(e.value) && Math.abs(e.value) <= 2 ** 20) return e;
      values.push(e.value);
      return { op: 'var', name: `${prefix}${values.length - 1}` };
    case 'var': return e;
    case 'neg': return { op: 'neg', arg: rec(e.arg) };
    case 'call': return { op: 'call', fn: e.fn, arg: rec(e.arg) };
    case 'pow': {
      const literal = e.b.op === 'const' || (e.b.op === 'neg' && e.b.arg.op === 'const');
      return { op: 'pow', a: rec(e.a), b: literal ? e.b : rec(e.b) };
    }
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}

function substituteConstants(e: Expr, prefix: string, values: number[]): Expr {
  const rec = (x: Expr) => substituteConstants(x, prefix, values);
  switch (e.op) {
    case 'const': return e;
    case 'var': {
      if (!e.name.startsWith(prefix)) return e;
      const i = Number(e.name.slice(prefix.length));
      return Number.isInteger(i) && i < values.length ? { op: 'const', value: values[i]! } : e;
    }
    case 'neg': return { op: 'neg', arg: rec(e.arg) };
    case 'call': return { op: 'call', fn: e.fn, arg: rec(e.arg) };
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}

function rewriteForDerivative(e: Expr): Expr {
  switch (e.op) {
    case 'const': case 'var': return e;
    case 'neg': return { op: 'neg', arg: rewriteForDerivative(e.arg) };
    case 'call': {
      const a = rewriteForDerivative(e.arg);
      if (e.fn === 'log1p') return { op: 'call', fn: 'log', arg: { op: 'add', a: { op: 'const', value: 1 }, b: a } };
      if (e.fn === 'sigmoid') {
        return { op: 'div', a: { op: 'const', value: 1 }, b: { op: 'add', a: { op: 'const', value: 1 }, b: { op: 'call', fn: 'exp', arg: { op: 'neg', arg: a } } } };
      }
      if (e.fn === 'abs' || e.fn === 'relu') throw new RangeError(`${e.fn} has a kink: differentiate a branch of the formula`);
      return { op: 'call', fn: e.fn, arg: a };
    }
    case 'call2': throw new RangeError(`${e.fn} has a kink: differentiate a branch of the formula`);
    default: return { ...e, a: rewriteForDerivative(e.a), b: rewriteForDerivative(e.b) } as Expr;
  }
}

/** A kink of the formula: the expression whose sign selects the branch. */
export interface KinkSite {
  /** Branch selector s: the kink is where s = 0. abs(u), relu(u): s = u; min/max(a, b): s = a − b. */
  selector: Expr;
}

/** Every kink site in the formula, outermost first. */
export function kinkSites(e: Expr, out: KinkSite[] = []): KinkSite[] {
  switch (e.op) {
    case 'const': case 'var': break;
    case 'neg': kinkSites(e.arg, out); break;
    case 'call':
      if (e.fn === 'abs' || e.fn === 'relu') out.push({ selector: e.arg });
      kinkSites(e.arg, out);
      break;
    case 'call2':
      if (e.fn !== 'atan2') out.push({ selector: { op: 'sub', a: e.a, b: e.b } });
      kinkSites(e.a, out); kinkSites(e.b, out);
      break;
    default: kinkSites(e.a, out); kinkSites(e.b, out);
  }
  return out;
}

/**
 * The smooth branch of the formula that holds where each kink selector has the sign it has
 * at the given point: abs(u) → ±u, relu(u) → u or 0, min/max(a, b) → a or b.
 * `signOf(selector)` returns the sign to use (ties may pick either branch: both agree there).
 */
export function branchAt(e: Expr, signOf: (selector: Expr) => number): Expr {
  const rec = (x: Expr): Expr => branchAt(x, signOf);
  switch (e.op) {
    case 'const': case 'var': return e;
    case 'neg': return { op: 'neg', arg: rec(e.arg) };
    case 'call': {
      const a = rec(e.arg);
      if (e.fn === 'abs') return signOf(e.arg) >= 0 ? a : { op: 'neg', arg: a };
      if (e.fn === 'relu') return signOf(e.arg) >= 0 ? a : { op: 'const', value: 0 };
      return { op: 'call', fn: e.fn, arg: a };
    }
    case 'call2': {
      if (e.fn === 'atan2') return { op: 'call2', fn: 'atan2', a: rec(e.a), b: rec(e.b) };
      const s = signOf({ op: 'sub', a: e.a, b: e.b });
      const pickA = e.fn === 'max' ? s >= 0 : s <= 0;
      return pickA ? rec(e.a) : rec(e.b);
    }
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}
