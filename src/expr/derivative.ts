import { exprKey, type Expr, type UnaryFn } from './ast.ts';

/**
 * Symbolic derivative d e / d name by the textbook rules, applied once per distinct node
 * (memoized by identity, so shared subexpressions are differentiated once and the result
 * shares them too) with only exact local simplifications (0 and 1 terms dropped, integer
 * products folded when exact). No general simplifier: mathjs's took exponential time on
 * long sums and nested functions, and rounded constants (d/dx 1e-16·x³ came back as 0).
 * Kinks (abs, relu, min, max) have no derivative at the kink: differentiate a *branch* of
 * the formula (see `branchAt`) on an interval where the branch is known to hold.
 */
export function derivative(e: Expr, name: string): Expr {
  const memo = new Map<Expr, Expr>();
  const d = (x: Expr): Expr => {
    let r = memo.get(x);
    if (!r) { r = rule(x, d, name); memo.set(x, r); }
    return r;
  };
  return d(e);
}

const ZERO: Expr = { op: 'const', value: 0 };
const ONE: Expr = { op: 'const', value: 1 };
const num = (value: number): Expr => ({ op: 'const', value });
const isConst = (e: Expr, v?: number) => e.op === 'const' && (v === undefined || e.value === v);

function neg(a: Expr): Expr {
  if (a.op === 'const') return num(-a.value);
  return a.op === 'neg' ? a.arg : { op: 'neg', arg: a };
}
function add(a: Expr, b: Expr): Expr {
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  return { op: 'add', a, b };
}
function sub(a: Expr, b: Expr): Expr {
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return neg(b);
  return { op: 'sub', a, b };
}
function mul(a: Expr, b: Expr): Expr {
  if (isConst(a, 0) || isConst(b, 0)) return ZERO;
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (a.op === 'const' && b.op === 'const' && Number.isSafeInteger(a.value * b.value) && Number.isInteger(a.value)
    && Number.isInteger(b.value)) return num(a.value * b.value);
  return { op: 'mul', a, b };
}
function div(a: Expr, b: Expr): Expr {
  if (isConst(a, 0)) return ZERO;
  if (isConst(b, 1)) return a;
  return { op: 'div', a, b };
}
const call = (fn: UnaryFn, arg: Expr): Expr => ({ op: 'call', fn, arg });
const sq = (a: Expr): Expr => ({ op: 'pow', a, b: num(2) });

/** d(e) from the derivatives of its operands (`d`, memoized). */
function rule(e: Expr, d: (x: Expr) => Expr, name: string): Expr {
  switch (e.op) {
    case 'const': return ZERO;
    case 'var': return e.name === name ? ONE : ZERO;
    case 'neg': return neg(d(e.arg));
    case 'add': return add(d(e.a), d(e.b));
    case 'sub': return sub(d(e.a), d(e.b));
    case 'mul': return add(mul(d(e.a), e.b), mul(e.a, d(e.b)));
    case 'div': {
      const da = d(e.a), db = d(e.b);
      return sub(div(da, e.b), isConst(db, 0) ? ZERO : div(mul(e.a, db), sq(e.b)));
    }
    case 'pow': return powRule(e.a, e.b, d);
    case 'call2': {
      if (e.fn !== 'atan2') throw new RangeError(`${e.fn} has a kink: differentiate a branch of the formula`);
      // atan2(y, x)' = (x·y' − y·x') / (x² + y²)
      return div(sub(mul(e.b, d(e.a)), mul(e.a, d(e.b))), add(sq(e.b), sq(e.a)));
    }
    case 'call': {
      const da = d(e.arg);
      return isConst(da, 0) ? ZERO : mul(outer(e.fn, e.arg), da);
    }
  }
}

/** (a^b)': a constant exponent c gives c·a^(c−1)·a' (no log a, defined for a ≤ 0). */
function powRule(a: Expr, b: Expr, d: (x: Expr) => Expr): Expr {
  const da = d(a), db = d(b);
  if (isConst(db, 0)) {
    if (isConst(da, 0)) return ZERO;
    const c = b.op === 'const' ? b.value : b.op === 'neg' && b.arg.op === 'const' ? -b.arg.value : null;
    const lower = c === null ? { op: 'pow', a, b: sub(b, ONE) } as Expr : c - 1 === 1 ? a : c - 1 === 0 ? ONE
      : { op: 'pow', a, b: num(c - 1) } as Expr;
    return mul(mul(c === null ? b : num(c), lower), da);
  }
  // a^b·(b'·log a + b·a'/a)
  return mul({ op: 'pow', a, b }, add(mul(db, call('log', a)), isConst(da, 0) ? ZERO : div(mul(b, da), a)));
}

/** f'(u) for each unary function f. */
function outer(fn: UnaryFn, u: Expr): Expr {
  switch (fn) {
    case 'sqrt': return div(ONE, mul(num(2), call('sqrt', u)));
    case 'exp': return call('exp', u);
    case 'log': return div(ONE, u);
    case 'log1p': return div(ONE, add(ONE, u));
    case 'sin': return call('cos', u);
    case 'cos': return neg(call('sin', u));
    case 'tan': return sq(call('sec', u));
    case 'tanh': return sq(call('sech', u));
    case 'sigmoid': { const s = call('sigmoid', u); return mul(s, sub(ONE, s)); }
    case 'sec': return mul(call('sec', u), call('tan', u));
    case 'sech': return neg(mul(call('sech', u), call('tanh', u)));
    case 'cosh': return call('sinh', u);
    case 'sinh': return call('cosh', u);
    case 'cbrt': return div(ONE, mul(num(3), sq(call('cbrt', u))));
    case 'atan': return div(ONE, add(ONE, sq(u)));
    case 'asin': return div(ONE, call('sqrt', sub(ONE, sq(u))));
    case 'acos': return neg(div(ONE, call('sqrt', sub(ONE, sq(u)))));
    // The constants 2/√π and 1/√(2π) are float64 roundings (relative error < 2^−53).
    case 'erf': return mul(num(2 / Math.sqrt(Math.PI)), call('exp', neg(sq(u))));
    case 'normcdf': return mul(num(1 / Math.sqrt(2 * Math.PI)), call('exp', mul(num(-0.5), sq(u))));
    case 'abs': case 'relu': throw new RangeError(`${fn} has a kink: differentiate a branch of the formula`);
  }
}

/** A kink of the formula: the expression whose sign selects the branch. */
export interface KinkSite {
  /** Branch selector s: the kink is where s = 0. abs(u), relu(u): s = u; min/max(a, b): s = a − b. */
  selector: Expr;
  /** The selector's structural key (exprKey): what identifies it to `branchAt`, which builds min/max selectors anew. */
  key: string;
}

function site(selector: Expr): KinkSite {
  return { selector, key: exprKey(selector) };
}

/** Every kink site in the formula, outermost first. */
export function kinkSites(e: Expr, out: KinkSite[] = []): KinkSite[] {
  switch (e.op) {
    case 'const': case 'var': break;
    case 'neg': kinkSites(e.arg, out); break;
    case 'call':
      if (e.fn === 'abs' || e.fn === 'relu') out.push(site(e.arg));
      kinkSites(e.arg, out);
      break;
    case 'call2':
      if (e.fn !== 'atan2') out.push(site({ op: 'sub', a: e.a, b: e.b }));
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
 * The selector it receives is structurally equal to a `KinkSite.selector` but, for min and max, a
 * new object: look signs up by structure (`branchWithSigns`), never by identity.
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

/**
 * The smooth branch of the formula where kink site j has the sign `signs[j]` (sites as
 * `kinkSites` returns them), the sites matched to the selectors `branchAt` meets by structural
 * key. Throws a RangeError when a selector is not among the sites (a caller's bug: a default
 * sign would silently differentiate the wrong branch).
 */
export function branchWithSigns(e: Expr, sites: readonly KinkSite[], signs: readonly number[]): Expr {
  const signOf = new Map(sites.map((s, j) => [s.key, signs[j]!]));
  return branchAt(e, (selector) => {
    const sign = signOf.get(exprKey(selector));
    if (sign === undefined) throw new RangeError(`no sign given for the kink selector ${exprKey(selector)}`);
    return sign;
  });
}
