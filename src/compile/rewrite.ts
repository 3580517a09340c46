import { exprKey, type Expr } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';
import {
  add, call, div, expSum, exponentOf, factorsOf, isConst, max, mul, num, productOf, sub, sumOf, termsOf, type Term,
} from './rewriteform.ts';

/**
 * The rewrite rules: exact identities of real arithmetic, each applied at one node of a
 * formula and giving the equal forms it knows (none where it does not apply). Side
 * conditions (signs) are proven on the input box by interval enclosure (expr/interval.ts),
 * so every rewrite is equal to the original at every point of the box, never an
 * approximation. Which rewrites are kept is chosen by size (rewritesearch.ts).
 */
export interface RewriteRule {
  name: string;
  apply: (e: Expr, box: Box) => Expr[];
}

export type Box = Record<string, readonly [number, number]>;

/** Most terms a log-sum-exp or a quotient of exponentials is rewritten for (the nested form doubles per term). */
const MAX_EXP_TERMS = 6;

/**
 * log(e^a + e^b) = a + softplus(b − a), softplus(u) = log(1 + e^u) written
 * max(0, u) + log(1 + exp(−|u|)) (since 1 + e^u = e^max(0,u)·(1 + e^−|u|)): an exact node, and
 * one curve of a bounded argument, or (fused) one curve of b − a. More terms nest pairwise:
 * log(Σ_{i≤k} e^a_i) = m + softplus(a_k − m) with m the log-sum-exp of the first k − 1.
 * A constant 1 is exp(0); log1p(Σ exp(a_i)) is log(1 + Σ exp(a_i)).
 */
const logSumExp: RewriteRule = {
  name: 'log-sum-exp',
  apply(e) {
    if (e.op !== 'call' || (e.fn !== 'log' && e.fn !== 'log1p')) return [];
    const inner = e.fn === 'log' ? e.arg : add(num(1), e.arg);
    const exps = expSum(inner);
    return exps && exps.length <= MAX_EXP_TERMS ? [nestedLogSumExp(exps)] : [];
  },
};

/** log(Σ exp(a_i)) nested pairwise, m + softplus(a − m). */
function nestedLogSumExp(exps: readonly Expr[]): Expr {
  return exps.slice(1).reduce((m, a) => add(m, softplus(sub(a, m))), exps[0]!);
}

/** log(1 + e^u) = max(0, u) + log(1 + exp(−|u|)). */
function softplus(u: Expr): Expr {
  return add(max(num(0), u), call('log', add(num(1), call('exp', { op: 'neg', arg: call('abs', u) }))));
}

/**
 * exp(a)/Σ exp(b_j) = exp(a − b_k)/Σ exp(b_j − b_k), divided through by any term k (one
 * candidate each): exp(x)/(exp(x)+exp(y)) = 1/(1 + exp(y − x)); also divided through by
 * exp(max_j b_j) (every exponent ≤ 0), and as exp(a − log Σ exp(b_j)) with the log-sum-exp
 * rewritten (one curve of a form bounded above).
 */
const quotientOfExps: RewriteRule = {
  name: 'quotient of exponentials',
  apply(e) {
    if (e.op !== 'div') return [];
    const a = exponentOf(e.a);
    const bs = expSum(e.b);
    if (a === null || !bs || bs.length > MAX_EXP_TERMS) return [];
    const pivots = [...new Map(bs.map((b) => [exprKey(b), b])).values()];
    const top = pivots.reduce((m, b) => max(m, b));
    const divided = [...pivots, ...(pivots.length > 1 ? [top] : [])].map((bk) => div(call('exp', sub(a, bk)),
      sumOf(bs.map((b) => ({ sign: 1, e: call('exp', sub(b, bk)) })))));
    return [...divided, call('exp', sub(a, nestedLogSumExp(bs)))];
  },
};

/** exp(a)·exp(b) = exp(a + b) (all exp factors of a product), exp(a)/exp(b) = exp(a − b), exp(a)^c = exp(c·a). */
const expProduct: RewriteRule = {
  name: 'exp product',
  apply(e) {
    if (e.op === 'div') {
      const [a, b] = [expArg(e.a), expArg(e.b)];
      return a && b ? [call('exp', sub(a, b))] : [];
    }
    if (e.op === 'pow' && e.b.op === 'const') {
      const a = expArg(e.a);
      return a ? [call('exp', mul(e.b, a))] : [];
    }
    if (e.op !== 'mul') return [];
    const factors = factorsOf(e);
    const exps = factors.map(expArg).filter((a) => a !== null);
    if (exps.length < 2) return [];
    const rest = factors.filter((f) => expArg(f) === null);
    return [productOf([...rest, call('exp', sumOf(exps.map((x) => ({ sign: 1, e: x }))))])];
  },
};

const expArg = (e: Expr): Expr | null => (e.op === 'call' && e.fn === 'exp' ? e.arg : null);

/** +1 or −1 when e keeps that strict sign on the whole box (proven by enclosure), else 0. */
function strictSign(e: Expr, box: Box): 1 | -1 | 0 {
  const r = enclose(e, box);
  if (r.undefinedPart) return 0;
  return r.lo > 0 ? 1 : r.hi < 0 ? -1 : 0;
}

/**
 * Logarithms and exponentials that cancel or split, where the signs are proven on the box:
 * log(exp(a)) = a; exp(log(a)) = a for a > 0; log(a^c) = c·log(a) for a > 0;
 * log(Π f_i) = Σ log(|f_i|) and log(a/b) = log|a| − log|b| when every factor has a strict
 * sign and the product is positive (|f| written f or −f by its sign).
 */
const logSplit: RewriteRule = {
  name: 'log split',
  apply(e, box) {
    if (e.op === 'call' && e.fn === 'exp' && e.arg.op === 'call' && e.arg.fn === 'log') {
      return strictSign(e.arg.arg, box) > 0 ? [e.arg.arg] : [];
    }
    if (e.op !== 'call' || e.fn !== 'log') return [];
    const x = e.arg;
    if (x.op === 'call' && x.fn === 'exp') return [x.arg];
    if (x.op === 'pow' && x.b.op === 'const') return strictSign(x.a, box) > 0 ? [mul(x.b, call('log', x.a))] : [];
    const parts: Term[] = x.op === 'div' ? [{ sign: 1, e: x.a }, { sign: -1, e: x.b }]
      : x.op === 'mul' ? factorsOf(x).map((f) => ({ sign: 1, e: f })) : [];
    if (parts.length < 2) return [];
    const signs = parts.map((p) => strictSign(p.e, box));
    if (signs.includes(0) || signs.filter((s) => s < 0).length % 2 === 1) return [];
    const magnitude = (p: Term, i: number): Expr => (signs[i]! > 0 ? p.e : { op: 'neg', arg: p.e });
    return [sumOf(parts.map((p, i) => ({ sign: p.sign, e: call('log', magnitude(p, i)) })))];
  },
};

type Trig = { fn: 'sin' | 'cos'; arg: Expr };
const trigOf = (e: Expr): Trig | null =>
  (e.op === 'call' && (e.fn === 'sin' || e.fn === 'cos') ? { fn: e.fn, arg: e.arg } : null);
const half = (e: Expr): Expr => div(e, num(2));

/**
 * Product-to-sum: sin a·cos b = (sin(a+b) + sin(a−b))/2, cos a·cos b = (cos(a−b) + cos(a+b))/2,
 * sin a·sin b = (cos(a−b) − cos(a+b))/2 (one candidate per pair of trig factors of a product),
 * and sin²a = (1 − cos 2a)/2, cos²a = (1 + cos 2a)/2: two curves of forms instead of a product.
 */
const trigProduct: RewriteRule = {
  name: 'trig product to sum',
  apply(e) {
    if (e.op === 'pow' && isConst(e.b, 2)) {
      const t = trigOf(e.a);
      if (!t) return [];
      const c2 = call('cos', mul(num(2), t.arg));
      return [half(t.fn === 'sin' ? sub(num(1), c2) : add(num(1), c2))];
    }
    if (e.op !== 'mul') return [];
    const factors = factorsOf(e);
    const out: Expr[] = [];
    for (let i = 0; i < factors.length; i++) {
      for (let j = i + 1; j < factors.length; j++) {
        const [p, q] = [trigOf(factors[i]!), trigOf(factors[j]!)];
        if (!p || !q) continue;
        const rest = factors.filter((_, k) => k !== i && k !== j);
        out.push(productOf([...rest, productToSum(p, q)]));
      }
    }
    return out;
  },
};

function productToSum(p: Trig, q: Trig): Expr {
  const [s, d] = [add(p.arg, q.arg), sub(p.arg, q.arg)];
  if (p.fn === 'sin' && q.fn === 'sin') return half(sub(call('cos', d), call('cos', s)));
  if (p.fn === 'cos' && q.fn === 'cos') return half(add(call('cos', d), call('cos', s)));
  if (p.fn === 'sin') return half(add(call('sin', s), call('sin', d)));
  return half(sub(call('sin', s), call('sin', d)));
}

/** Most terms a sum is distributed over. */
const MAX_DISTRIBUTED_TERMS = 4;

/** f·(t_1 ± … ± t_n) = f·t_1 ± … ± f·t_n (one candidate per sum factor of a product). */
const distribute: RewriteRule = {
  name: 'distribute',
  apply(e) {
    if (e.op !== 'mul') return [];
    const factors = factorsOf(e);
    const out: Expr[] = [];
    factors.forEach((f, i) => {
      const terms = termsOf(f);
      if (terms.length < 2 || terms.length > MAX_DISTRIBUTED_TERMS) return;
      const rest = factors.filter((_, k) => k !== i);
      out.push(sumOf(terms.map((t) => ({ sign: t.sign, e: productOf([...rest, t.e]) }))));
    });
    return out;
  },
};

export const REWRITE_RULES: readonly RewriteRule[] = [
  logSumExp, quotientOfExps, expProduct, logSplit, trigProduct, distribute,
];

/** A formula after one rewrite, and the rule's name. */
export interface Rewrite { expr: Expr; rule: string }

/** Every formula one rule application away from e (at any node). */
export function oneStepRewrites(e: Expr, box: Box, rules: readonly RewriteRule[] = REWRITE_RULES): Rewrite[] {
  const out: Rewrite[] = [];
  for (const r of rules) for (const x of r.apply(e, box)) out.push({ expr: x, rule: r.name });
  const inside = (child: Expr, wrap: (c: Expr) => Expr) => {
    for (const w of oneStepRewrites(child, box, rules)) out.push({ expr: wrap(w.expr), rule: w.rule });
  };
  switch (e.op) {
    case 'const': case 'var': break;
    case 'neg': case 'call': inside(e.arg, (arg) => ({ ...e, arg }) as Expr); break;
    default:
      inside(e.a, (a) => ({ ...e, a }) as Expr);
      inside(e.b, (b) => ({ ...e, b }) as Expr);
  }
  return out;
}
