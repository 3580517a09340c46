import { InputError } from '../errors.ts';
import { exprKey, exprToString, type Expr } from '../expr/ast.ts';

/**
 * The formula as a graph of operations the compiler knows how to build, with equal
 * subexpressions shared (computed once):
 *  - exact, free:  input, affine (sums, negation, multiplication/division by constants)
 *  - exact, ReLU:  abs, relu, max, min (identities of shared/DESIGN.md §1)
 *  - approximated: square (of |u| on the half range), unary g(u) (sqrt, exp, u^p, 1/u, …)
 * Products u·v become ((u+v)² − (u−v)²)/4 and u/v becomes u·(1/v).
 */
export type GNode =
  | { id: number; kind: 'input'; name: string; text: string }
  /** `factors`: this affine is the product of these two nodes, ((a+b)² − (a−b)²)/4 (ranges.ts bounds it by their interval product). */
  | { id: number; kind: 'affine'; terms: { node: number; coef: number }[]; constant: number; text: string; factors?: [number, number] }
  | { id: number; kind: 'abs' | 'relu'; arg: number; text: string }
  | { id: number; kind: 'max' | 'min'; a: number; b: number; text: string }
  | { id: number; kind: 'square'; arg: number; text: string }
  | { id: number; kind: 'unary'; fn: Expr; arg: number; text: string }
  /** sqrt(Σ a_i²) of affine forms a_i (compile/fold.ts); `sum` is the node of Σ a_i², kept for ranges. */
  | { id: number; kind: 'norm'; args: number[]; sum: number; text: string };

export interface Graph {
  nodes: GNode[];
  output: number;
  inputs: string[];
  byKey: Map<string, number>;
  /** The node computing a subexpression (added to the graph if it is not already there). */
  intern: (e: Expr) => number;
}

const U: Expr = { op: 'var', name: 'u' };

/**
 * @param o.norms recognize Euclidean norms (sqrt of a sum of at least two squares of
 *   non-constant affine forms) as 'norm' nodes; otherwise they are squares and a sqrt.
 */
export function buildGraph(expr: Expr, inputs: string[], o: { norms?: boolean } = {}): Graph {
  const nodes: GNode[] = [];
  const byKey = new Map<string, number>();
  const add = (key: string, make: (id: number) => GNode): number => {
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    const id = nodes.length;
    nodes.push(make(id));
    byKey.set(key, id);
    return id;
  };
  const affine = (terms: { node: number; coef: number }[], constant: number, text: string): number => {
    // Flatten nested affine terms and merge equal nodes.
    const acc = new Map<number, number>();
    let c = constant;
    for (const t of terms) {
      const n = nodes[t.node]!;
      if (n.kind === 'affine') {
        c += t.coef * n.constant;
        for (const u of n.terms) acc.set(u.node, (acc.get(u.node) ?? 0) + t.coef * u.coef);
      } else acc.set(t.node, (acc.get(t.node) ?? 0) + t.coef);
    }
    const merged = [...acc].filter(([, k]) => k !== 0).map(([node, coef]) => ({ node, coef })).sort((p, q) => p.node - q.node);
    if (merged.length === 1 && merged[0]!.coef === 1 && c === 0) return merged[0]!.node;
    const key = `aff(${merged.map((t) => `${t.coef}*${t.node}`).join('+')}+${c})`;
    return add(key, (id) => ({ id, kind: 'affine', terms: merged, constant: c, text }));
  };
  const constOf = (e: Expr): number | null => {
    if (e.op === 'const') return e.value;
    if (e.op === 'neg') { const v = constOf(e.arg); return v === null ? null : -v; }
    return null;
  };
  const square = (arg: number, text: string) => add(`sq(${arg})`, (id) => ({ id, kind: 'square', arg, text }));
  const unary = (fn: Expr, arg: number, text: string) => add(`un(${exprKey(fn)},${arg})`, (id) => ({ id, kind: 'unary', fn, arg, text }));
  const product = (a: number, b: number, text: string): number => {
    if (a === b) return square(a, text);
    const s = affine([{ node: a, coef: 1 }, { node: b, coef: 1 }], 0, `(${text}) sum`);
    const d = affine([{ node: a, coef: 1 }, { node: b, coef: -1 }], 0, `(${text}) difference`);
    const id = affine([{ node: square(s, `(${nodes[s]!.text})^2`), coef: 0.25 }, { node: square(d, `(${nodes[d]!.text})^2`), coef: -0.25 }], 0, text);
    const n = nodes[id]!;
    if (n.kind === 'affine' && n.terms.length === 2 && !n.factors) n.factors = [a, b];
    return id;
  };

  const visit = (e: Expr): number => {
    const text = exprToString(e);
    const k = constOf(e);
    if (k !== null) return affine([], k, text);
    const norm = o.norms ? normOf(e, text) : null;
    if (norm !== null) return norm;
    switch (e.op) {
      case 'var': return add(`in(${e.name})`, (id) => ({ id, kind: 'input', name: e.name, text }));
      case 'neg': return affine([{ node: visit(e.arg), coef: -1 }], 0, text);
      case 'add': case 'sub': {
        const a = visit(e.a);
        const b = visit(e.b);
        return affine([{ node: a, coef: 1 }, { node: b, coef: e.op === 'add' ? 1 : -1 }], 0, text);
      }
      case 'mul': {
        const ca = constOf(e.a);
        const cb = constOf(e.b);
        if (ca !== null) return affine([{ node: visit(e.b), coef: ca }], 0, text);
        if (cb !== null) return affine([{ node: visit(e.a), coef: cb }], 0, text);
        return product(visit(e.a), visit(e.b), text);
      }
      case 'div': {
        const cb = constOf(e.b);
        if (cb !== null) {
          if (cb === 0) throw new InputError('expression', 'not divide by zero', text, { field: 'expr', code: 'division-by-zero' });
          return affine([{ node: visit(e.a), coef: 1 / cb }], 0, text);
        }
        const ca = constOf(e.a);
        const recip = unary({ op: 'div', a: { op: 'const', value: 1 }, b: U }, visit(e.b), `1/(${exprToString(e.b)})`);
        if (ca !== null) return affine([{ node: recip, coef: ca }], 0, text);
        return product(visit(e.a), recip, text);
      }
      case 'pow': {
        const p = constOf(e.b);
        if (p === null) throw new InputError('expression', 'use only constant exponents in compile', text, { field: 'expr', code: 'variable-exponent' });
        const a = visit(e.a);
        if (p === 1) return a;
        if (p === 0) return affine([], 1, text);
        if (p === 2) return square(a, text);
        if (p === 0.5) return unary({ op: 'call', fn: 'sqrt', arg: U }, a, text);
        return unary({ op: 'pow', a: U, b: { op: 'const', value: p } }, a, text);
      }
      case 'call': {
        const a = visit(e.arg);
        if (e.fn === 'abs' || e.fn === 'relu') return add(`${e.fn}(${a})`, (id) => ({ id, kind: e.fn as 'abs' | 'relu', arg: a, text }));
        return unary({ op: 'call', fn: e.fn, arg: U }, a, text);
      }
      case 'call2': {
        if (e.fn === 'atan2') throw new InputError('expression', 'have atan2 lowered to one-variable pieces before the graph (compile/lower.ts)', text, { field: 'expr', code: 'not-lowered' });
        const a = visit(e.a);
        const b = visit(e.b);
        return add(`${e.fn}(${a},${b})`, (id) => ({ id, kind: e.fn as 'max' | 'min', a, b, text }));
      }
      default: throw new InputError('expression', 'be a supported formula', text, { field: 'expr', code: 'unsupported' });
    }
  };
  /** The 'norm' node of sqrt(Σ a_i²), or null when e is not that shape. */
  const normOf = (e: Expr, text: string): number | null => {
    const inner = sqrtArg(e);
    const squares = inner ? squaresOf(inner) : null;
    if (!inner || !squares || squares.length < 2) return null;
    const args = squares.map(visit);
    if (args.some((id) => { const n = nodes[id]!; return n.kind !== 'input' && !(n.kind === 'affine' && n.terms.length > 0); })) return null;
    const sum = visit(inner);
    return add(`norm(${args.join(',')})`, (id) => ({ id, kind: 'norm', args, sum, text }));
  };
  for (const name of inputs) add(`in(${name})`, (id) => ({ id, kind: 'input', name, text: name }));
  const output = visit(expr);
  return { nodes, output, inputs, byKey, intern: visit };
}

/** u when e is sqrt(u) or u^0.5. */
function sqrtArg(e: Expr): Expr | null {
  if (e.op === 'call' && e.fn === 'sqrt') return e.arg;
  if (e.op === 'pow' && e.b.op === 'const' && e.b.value === 0.5) return e.a;
  return null;
}

/** [a_1, …, a_n] when e is a_1² + … + a_n² (squares written x^2 or x*x), else null. */
function squaresOf(e: Expr): Expr[] | null {
  if (e.op === 'add') {
    const a = squaresOf(e.a);
    const b = a && squaresOf(e.b);
    return a && b ? [...a, ...b] : null;
  }
  if (e.op === 'pow' && e.b.op === 'const' && e.b.value === 2) return [e.a];
  if (e.op === 'mul' && exprKey(e.a) === exprKey(e.b)) return [e.a];
  return null;
}

/** Operands of a node. */
export function operands(n: GNode): number[] {
  switch (n.kind) {
    case 'input': return [];
    case 'affine': return n.terms.map((t) => t.node);
    case 'abs': case 'relu': case 'square': case 'unary': return [n.arg];
    case 'max': case 'min': return [n.a, n.b];
    case 'norm': return n.args;
  }
}
