import { InputError } from '../errors.ts';
import { exprKey, exprToString, type Expr } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';
import { foldAt } from './constants.ts';
import { exactCoef, negCoef, productCoef, quotientCoef, sumCoef, type Coef } from './coefficients.ts';
import type { Fusion } from './fuse.ts';

/**
 * The formula as a graph of operations the compiler knows how to build, with equal
 * subexpressions shared (computed once):
 *  - exact, free:  input, affine (sums, negation, multiplication/division by constants)
 *  - exact, ReLU:  abs, relu, max, min (identities of docs/DESIGN.md §1)
 *  - approximated: square (of |u| on the half range), unary g(u) (sqrt, exp, u^p, 1/u, …)
 * Products u·v become ((u+v)² − (u−v)²)/4 and u/v becomes u·(1/v).
 */
export type GNode =
  | { id: number; kind: 'input'; name: string; text: string }
  /**
   * `factors`: this affine is the product of these two nodes, ((a+b)² − (a−b)²)/4 (ranges.ts
   * bounds it by their interval product). `rounding`: present when folding the formula's numbers
   * into the coefficients rounded (coefficients.ts): proven bounds of |real − float| of each
   * term's coefficient and of the constant, charged by the builder (nodes.ts buildAffine).
   */
  | {
    id: number; kind: 'affine'; terms: { node: number; coef: number }[]; constant: number; text: string;
    factors?: [number, number]; rounding?: { coefs: number[]; constant: number };
  }
  | { id: number; kind: 'abs' | 'relu'; arg: number; text: string }
  | { id: number; kind: 'max' | 'min'; a: number; b: number; text: string }
  | { id: number; kind: 'square'; arg: number; text: string }
  /** `fused`: one curve g(u) standing for a one-form subexpression (text), u = arg (compile/fuse.ts). */
  | { id: number; kind: 'unary'; fn: Expr; arg: number; text: string; fused?: true }
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
const TWO: Expr = { op: 'const', value: 2 };

/** How a subexpression is fused into one curve, or null to build it node by node (compile/fuseplan.ts). */
export type FusionHook = (e: Expr) => Fusion | null;

/**
 * `norms`: recognize Euclidean norms (sqrt of a sum of at least two squares of non-constant
 * terms; with the input `box`, also weighted squares b·c² with b ≥ 0 there) as 'norm' nodes;
 * otherwise they are squares and a sqrt. `fuse`: asked for every subexpression, largest
 * first; a fusion becomes one 'unary' node.
 */
export interface GraphOptions { norms?: boolean; fuse?: FusionHook; box?: Record<string, readonly [number, number]> }

export function buildGraph(expr: Expr, inputs: string[], o: GraphOptions = {}): Graph {
  const b = new GraphBuilder(o.norms ?? false, o.fuse, o.box);
  for (const name of inputs) b.add(`in(${name})`, (id) => ({ id, kind: 'input', name, text: name }));
  const output = b.visit(expr);
  return { nodes: b.nodes, output, inputs, byKey: b.byKey, intern: (e) => b.visit(e) };
}

/** A term: `err` bounds |real − coef| (coefficients.ts; absent: exact). */
type Term = { node: number; coef: number; err?: number };
type Binary = Extract<Expr, { a: Expr; b: Expr }>;

/** The graph being built: nodes keyed by their structure, so equal subexpressions are one node. */
class GraphBuilder {
  readonly nodes: GNode[] = [];
  readonly byKey = new Map<string, number>();
  constructor(
    private readonly norms: boolean, private readonly fuse?: FusionHook,
    private readonly box?: Record<string, readonly [number, number]>,
  ) {}

  /** The node of `key`, made by `make` when it is new. */
  add(key: string, make: (id: number) => GNode): number {
    const hit = this.byKey.get(key);
    if (hit !== undefined) return hit;
    const id = this.nodes.length;
    this.nodes.push(make(id));
    this.byKey.set(key, id);
    return id;
  }

  /**
   * Σ coef·node + constant, nested affine terms flattened and equal nodes merged; a lone exact
   * 1·x is x. Coefficients are folded with their rounding bounds (coefficients.ts); a term whose
   * coefficient cancelled to 0 with a rounding bound stays (its charge does).
   */
  affine(terms: Term[], constant: number | Coef, text: string): number {
    const acc = new Map<number, Coef>();
    const put = (node: number, k: Coef) => { const p = acc.get(node); acc.set(node, p ? sumCoef(p, k) : k); };
    let c = typeof constant === 'number' ? exactCoef(constant) : constant;
    for (const t of terms) {
      const k: Coef = { v: t.coef, err: t.err ?? 0 };
      const n = this.nodes[t.node]!;
      if (n.kind === 'affine') {
        c = sumCoef(c, productCoef(k, { v: n.constant, err: n.rounding?.constant ?? 0 }));
        n.terms.forEach((u, i) => put(u.node, productCoef(k, { v: u.coef, err: n.rounding?.coefs[i] ?? 0 })));
      } else put(t.node, k);
    }
    const merged = [...acc].filter(([, k]) => k.v !== 0 || k.err > 0).map(([node, k]) => ({ node, k }))
      .sort((p, q) => p.node - q.node);
    const exact = c.err === 0 && merged.every((t) => t.k.err === 0);
    if (exact && merged.length === 1 && merged[0]!.k.v === 1 && c.v === 0) return merged[0]!.node;
    const rounding = exact ? undefined : { coefs: merged.map((t) => t.k.err), constant: c.err };
    const tag = rounding ? `~${rounding.coefs.join(',')}~${rounding.constant}` : '';
    const key = `aff(${merged.map((t) => `${t.k.v}*${t.node}`).join('+')}+${c.v}${tag})`;
    const out = merged.map((t) => ({ node: t.node, coef: t.k.v }));
    const extra = rounding ? { rounding } : {};
    return this.add(key, (id) => ({ id, kind: 'affine', terms: out, constant: c.v, text, ...extra }));
  }

  /** The value of a constant node (an affine with no terms), or null. */
  private constantOf(id: number): Coef | null {
    const n = this.nodes[id]!;
    return n.kind === 'affine' && n.terms.length === 0 ? { v: n.constant, err: n.rounding?.constant ?? 0 } : null;
  }

  square(arg: number, text: string): number {
    const k = this.constantOf(arg);
    if (k) return this.affine([], productCoef(k, k), text);
    return this.add(`sq(${arg})`, (id) => ({ id, kind: 'square', arg, text }));
  }

  /** g(u); of a constant node, its value folded with its proven radius (constants.ts foldAt). */
  unary(fn: Expr, arg: number, text: string, fused?: true): number {
    const k = this.constantOf(arg);
    if (k) return this.affine([], foldAt(fn, k, text), text);
    const make = (id: number): GNode => ({ id, kind: 'unary', fn, arg, text, ...(fused ? { fused } : {}) });
    return this.add(`un(${exprKey(fn)},${arg})`, make);
  }

  /**
   * a·b = ((a+b)² − (a−b)²)/4, the affine node marked with its factors. The helper nodes are
   * named in formula text from the factors `ea`, `eb`: "x + y", "(x + y)^2", "x - y".
   */
  product(a: number, b: number, text: string, ea: Expr, eb: Expr): number {
    if (a === b) return this.square(a, text);
    const [ka, kb] = [this.constantOf(a), this.constantOf(b)];
    if (ka) return this.affine([{ node: b, coef: ka.v, err: ka.err }], 0, text);
    if (kb) return this.affine([{ node: a, coef: kb.v, err: kb.err }], 0, text);
    const sum: Expr = { op: 'add', a: ea, b: eb };
    const diff: Expr = { op: 'sub', a: ea, b: eb };
    const s = this.affine([{ node: a, coef: 1 }, { node: b, coef: 1 }], 0, exprToString(sum));
    const d = this.affine([{ node: a, coef: 1 }, { node: b, coef: -1 }], 0, exprToString(diff));
    const sq = (x: number, e: Expr) => this.square(x, exprToString({ op: 'pow', a: e, b: TWO }));
    const id = this.affine([{ node: sq(s, sum), coef: 0.25 }, { node: sq(d, diff), coef: -0.25 }], 0, text);
    const n = this.nodes[id]!;
    if (n.kind === 'affine' && n.terms.length === 2 && !n.factors) n.factors = [a, b];
    return id;
  }

  /** The node computing e. */
  visit(e: Expr): number {
    const text = exprToString(e);
    const k = constOf(e);
    if (k !== null) return this.affine([], k, text);
    const fused = this.fuse?.(e);
    if (fused) return this.unary(fused.fn, this.visit(fused.form), text, true);
    const norm = this.norms ? this.normOf(e, text) : null;
    if (norm !== null) return norm;
    switch (e.op) {
      case 'var': return this.add(`in(${e.name})`, (id) => ({ id, kind: 'input', name: e.name, text }));
      case 'neg': return this.affine([{ node: this.visit(e.arg), coef: -1 }], 0, text);
      case 'add': case 'sub': {
        const a = this.visit(e.a);
        const b = this.visit(e.b);
        return this.affine([{ node: a, coef: 1 }, { node: b, coef: e.op === 'add' ? 1 : -1 }], 0, text);
      }
      case 'mul': return this.visitMul(e, text);
      case 'div': return this.visitDiv(e, text);
      case 'pow': return this.visitPow(e, text);
      case 'call': {
        const a = this.visit(e.arg);
        const fn = e.fn;
        if (fn === 'abs' || fn === 'relu') return this.add(`${fn}(${a})`, (id) => ({ id, kind: fn, arg: a, text }));
        return this.unary({ op: 'call', fn: e.fn, arg: U }, a, text);
      }
      case 'call2': return this.visitCall2(e, text);
      default: {
        const rule = 'be a supported formula';
        throw new InputError('expression', rule, text, { field: 'expr', code: 'unsupported' });
      }
    }
  }

  /** A product: by a constant (affine) or of two nodes. */
  private visitMul(e: Binary, text: string): number {
    const ca = constOf(e.a);
    const cb = constOf(e.b);
    if (ca !== null) return this.affine([{ node: this.visit(e.b), coef: ca.v, err: ca.err }], 0, text);
    if (cb !== null) return this.affine([{ node: this.visit(e.a), coef: cb.v, err: cb.err }], 0, text);
    return this.product(this.visit(e.a), this.visit(e.b), text, e.a, e.b);
  }

  /** u/c is affine; u/v is u·(1/v), with 1/v a unary node. */
  private visitDiv(e: Binary, text: string): number {
    const cb = constOf(e.b);
    if (cb !== null) {
      const rule = 'not divide by zero';
      if (cb.v === 0) throw new InputError('expression', rule, text, { field: 'expr', code: 'division-by-zero' });
      const k = quotientCoef(exactCoef(1), cb);
      return this.affine([{ node: this.visit(e.a), coef: k.v, err: k.err }], 0, text);
    }
    const ca = constOf(e.a);
    const oneOver: Expr = { op: 'div', a: { op: 'const', value: 1 }, b: U };
    const recipExpr: Expr = { op: 'div', a: { op: 'const', value: 1 }, b: e.b };
    const recip = this.unary(oneOver, this.visit(e.b), exprToString(recipExpr));
    if (ca !== null) return this.affine([{ node: recip, coef: ca.v, err: ca.err }], 0, text);
    return this.product(this.visit(e.a), recip, text, e.a, recipExpr);
  }

  /** u^p for a constant p: u, 1, a square, sqrt or a unary power. */
  private visitPow(e: Binary, text: string): number {
    const p = constOf(e.b)?.v ?? null;
    if (p === null) {
      const rule = 'use only constant exponents in compile';
      throw new InputError('expression', rule, text, { field: 'expr', code: 'variable-exponent' });
    }
    const a = this.visit(e.a);
    if (p === 1) return a;
    if (p === 0) return this.affine([], 1, text);
    if (p === 2) return this.square(a, text);
    if (p === 0.5) return this.unary({ op: 'call', fn: 'sqrt', arg: U }, a, text);
    return this.unary({ op: 'pow', a: U, b: { op: 'const', value: p } }, a, text);
  }

  /** max(a, b), min(a, b); atan2 must have been lowered (compile/lower.ts). */
  private visitCall2(e: Extract<Expr, { op: 'call2' }>, text: string): number {
    if (e.fn === 'atan2') {
      const rule = 'have atan2 lowered to one-variable pieces before the graph (compile/lower.ts)';
      throw new InputError('expression', rule, text, { field: 'expr', code: 'not-lowered' });
    }
    const a = this.visit(e.a);
    const b = this.visit(e.b);
    return this.add(`${e.fn}(${a},${b})`, (id) => ({ id, kind: e.fn as 'max' | 'min', a, b, text }));
  }

  /** The 'norm' node of sqrt(Σ a_i²), or null when e is not that shape. */
  private normOf(e: Expr, text: string): number | null {
    const inner = sqrtArg(e);
    const squares = inner ? squaresOf(inner, this.box) : null;
    if (!inner || !squares || squares.length < 2) return null;
    const args = squares.map((x) => this.visit(x));
    const constant = (id: number) => { const n = this.nodes[id]!; return n.kind === 'affine' && n.terms.length === 0; };
    if (args.some(constant)) return null;
    const sum = this.visit(inner);
    return this.add(`norm(${args.join(',')})`, (id) => ({ id, kind: 'norm', args, sum, text }));
  }
}

/**
 * The value of e when it is a constant: a literal, or sums, products and quotients of
 * literals folded in float64 as the affine nodes fold their coefficients (2*6371000 is one
 * constant, not a product of two nodes), with the bound of its rounding (coefficients.ts); else null.
 */
function constOf(e: Expr): Coef | null {
  if (e.op === 'const') return exactCoef(e.value);
  if (e.op === 'neg') { const v = constOf(e.arg); return v === null ? null : negCoef(v); }
  if (e.op !== 'add' && e.op !== 'sub' && e.op !== 'mul' && e.op !== 'div') return null;
  const a = constOf(e.a);
  const b = a === null ? null : constOf(e.b);
  if (a === null || b === null) return null;
  const k = e.op === 'add' ? sumCoef(a, b) : e.op === 'sub' ? sumCoef(a, negCoef(b))
    : e.op === 'mul' ? productCoef(a, b) : quotientCoef(a, b);
  return Number.isFinite(k.v) ? k : null;
}

/** u when e is sqrt(u) or u^0.5. */
function sqrtArg(e: Expr): Expr | null {
  if (e.op === 'call' && e.fn === 'sqrt') return e.arg;
  if (e.op === 'pow' && e.b.op === 'const' && e.b.value === 0.5) return e.a;
  return null;
}

/**
 * [a_1, …, a_n] when e is a_1² + … + a_n² (squares written x^2 or x*x), else null. With the
 * input box, a term b·c² (or c²·b) whose b is ≥ 0 on the box (its interval enclosure) is
 * (sqrt(b)·c)²: the haversine's sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2) is a sum of two squares.
 */
function squaresOf(e: Expr, box?: Record<string, readonly [number, number]>): Expr[] | null {
  if (e.op === 'add') {
    const a = squaresOf(e.a, box);
    const b = a && squaresOf(e.b, box);
    return a && b ? [...a, ...b] : null;
  }
  const squared = (x: Expr) => (x.op === 'pow' && x.b.op === 'const' && x.b.value === 2 ? x.a : null);
  if (squared(e)) return [squared(e)!];
  if (e.op !== 'mul') return null;
  if (exprKey(e.a) === exprKey(e.b)) return [e.a];
  const [weight, c] = squared(e.b) ? [e.a, squared(e.b)!] : squared(e.a) ? [e.b, squared(e.a)!] : [null, null];
  if (!weight || !c || !box) return null;
  const w = enclose(weight, box);
  return w.undefinedPart || !(w.lo >= 0) ? null : [{ op: 'mul', a: { op: 'call', fn: 'sqrt', arg: weight }, b: c }];
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

/**
 * Nodes the outputs (`roots`) depend on; `withSums`: also the Σ a_i² behind each norm (a
 * --range may name it).
 */
export function ancestors(g: Graph, roots: number[] = [g.output], withSums = false): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = g.nodes[id]!;
    stack.push(...operands(n));
    if (withSums && n.kind === 'norm') stack.push(n.sum);
  }
  return seen;
}
