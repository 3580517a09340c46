import type { Expr, UnaryFn } from './ast.ts';

/**
 * Symbolic derivatives by the chain rule over our own tree, for formulas mathjs cannot
 * differentiate (erf, normcdf, atan2; cbrt, whose mathjs derivative x^(−2/3)/3 is undefined
 * for x < 0). Sums, products and quotients by their rules; g(u)' = g'(u)·u' with g' from the
 * table below; atan2(y, x)' = (x·y' − y·x')/(x² + y²). Zeros and ones are folded so that
 * repeated derivatives stay small. Kinks (abs, relu, min, max) are refused as in
 * derivative.ts: differentiate a branch of the formula.
 */
const NEEDS_CHAIN = new Set<string>(['erf', 'normcdf', 'cbrt', 'atan2']);
const SQRT_PI = Math.sqrt(Math.PI);

export function needsChainRule(e: Expr): boolean {
  switch (e.op) {
    case 'const': case 'var': return false;
    case 'neg': return needsChainRule(e.arg);
    case 'call': return NEEDS_CHAIN.has(e.fn) || needsChainRule(e.arg);
    case 'call2': return NEEDS_CHAIN.has(e.fn) || needsChainRule(e.a) || needsChainRule(e.b);
    default: return needsChainRule(e.a) || needsChainRule(e.b);
  }
}

const k = (value: number): Expr => ({ op: 'const', value });
const isK = (e: Expr, v: number) => e.op === 'const' && e.value === v;
const call = (fn: UnaryFn, arg: Expr): Expr => ({ op: 'call', fn, arg });
const add = (a: Expr, b: Expr): Expr => (isK(a, 0) ? b : isK(b, 0) ? a : { op: 'add', a, b });
const sub = (a: Expr, b: Expr): Expr => (isK(b, 0) ? a : isK(a, 0) ? neg(b) : { op: 'sub', a, b });
const neg = (a: Expr): Expr => (a.op === 'const' ? k(-a.value) : a.op === 'neg' ? a.arg : { op: 'neg', arg: a });
const mul = (a: Expr, b: Expr): Expr => {
  if (isK(a, 0) || isK(b, 0)) return k(0);
  if (isK(a, 1)) return b;
  if (isK(b, 1)) return a;
  if (a.op === 'const' && b.op === 'const') return k(a.value * b.value);
  return { op: 'mul', a, b };
};
const div = (a: Expr, b: Expr): Expr => (isK(a, 0) ? k(0) : isK(b, 1) ? a : { op: 'div', a, b });
const pow = (a: Expr, p: number): Expr => (p === 1 ? a : { op: 'pow', a, b: k(p) });

/** g'(u) for the unary functions. */
function outer(fn: UnaryFn, u: Expr): Expr {
  switch (fn) {
    case 'sqrt': return div(k(0.5), call('sqrt', u));
    case 'cbrt': return div(k(1), mul(k(3), pow(call('cbrt', u), 2)));
    case 'exp': return call('exp', u);
    case 'log': return div(k(1), u);
    case 'log1p': return div(k(1), add(k(1), u));
    case 'sin': return call('cos', u);
    case 'cos': return neg(call('sin', u));
    case 'tan': return pow(call('sec', u), 2);
    case 'sec': return mul(call('sec', u), call('tan', u));
    case 'tanh': return pow(call('sech', u), 2);
    case 'sech': return neg(mul(call('sech', u), call('tanh', u)));
    case 'sinh': return call('cosh', u);
    case 'cosh': return call('sinh', u);
    case 'sigmoid': return mul(call('sigmoid', u), sub(k(1), call('sigmoid', u)));
    case 'atan': return div(k(1), add(k(1), pow(u, 2)));
    case 'asin': return div(k(1), call('sqrt', sub(k(1), pow(u, 2))));
    case 'acos': return neg(div(k(1), call('sqrt', sub(k(1), pow(u, 2)))));
    case 'erf': return mul(k(2 / SQRT_PI), call('exp', neg(pow(u, 2))));
    case 'normcdf': return mul(k(1 / Math.sqrt(2 * Math.PI)), call('exp', mul(k(-0.5), pow(u, 2))));
    case 'abs': case 'relu': throw new RangeError(`${fn} has a kink: differentiate a branch of the formula`);
  }
}

export function chainDerivative(e: Expr, name: string): Expr {
  const d = (x: Expr) => chainDerivative(x, name);
  switch (e.op) {
    case 'const': return k(0);
    case 'var': return k(e.name === name ? 1 : 0);
    case 'neg': return neg(d(e.arg));
    case 'add': return add(d(e.a), d(e.b));
    case 'sub': return sub(d(e.a), d(e.b));
    case 'mul': return add(mul(d(e.a), e.b), mul(e.a, d(e.b)));
    case 'div': return div(sub(mul(d(e.a), e.b), mul(e.a, d(e.b))), pow(e.b, 2));
    case 'pow': {
      if (e.b.op === 'const') return mul(mul(k(e.b.value), pow(e.a, e.b.value - 1)), d(e.a));
      // a^b = exp(b·log a): (a^b)·(b'·log a + b·a'/a)
      return mul(e, add(mul(d(e.b), call('log', e.a)), div(mul(e.b, d(e.a)), e.a)));
    }
    case 'call': return mul(outer(e.fn, e.arg), d(e.arg));
    case 'call2': {
      if (e.fn !== 'atan2') throw new RangeError(`${e.fn} has a kink: differentiate a branch of the formula`);
      const [y, x] = [e.a, e.b];
      return div(sub(mul(x, d(y)), mul(y, d(x))), add(pow(x, 2), pow(y, 2)));
    }
  }
}
