import { InputError } from '../errors.ts';
import { enclose, type Enclosure } from '../expr/interval.ts';
import { exprToString, type Expr } from '../expr/ast.ts';
import type { Graph } from './graph.ts';
import { productError, sumError } from './coefficients.ts';

export type Range = [number, number];

/**
 * Interval ranges of every node's exact value over the input box, tightened by ranges the
 * user gives (or that data imply) for subexpressions. A given range that misses the
 * propagated one entirely is a contradiction (input error).
 */
export function propagateRanges(
  g: Graph, box: Record<string, Range>, given: Map<number, { range: Range; argument: string }>,
  exactArgs?: Map<number, Range>,
): Range[] {
  let exact: Range[] | undefined;
  const exactRanges = () => (exact ??= propagate(g, box, given, { floatSlack: false }));
  return propagate(g, box, given, { floatSlack: true, exactRanges, ...(exactArgs ? { exactArgs } : {}) });
}

/**
 * How a propagation treats a unary node's argument. `floatSlack`: products' ranges widened
 * for their float64 evaluation as squares (so float samples stay inside the region); without
 * it, ranges of the true values only. `exactRanges`: those true-value ranges, asked for when an
 * argument's widened range leaves its function's domain; `exactArgs` records, per unary node,
 * the argument's true-value range where it was used.
 */
interface PropagationMode {
  floatSlack: boolean; exactRanges?: () => Range[]; exactArgs?: Map<number, Range>;
}

function propagate(
  g: Graph, box: Record<string, Range>, given: Map<number, { range: Range; argument: string }>, mode: PropagationMode,
): Range[] {
  const r: Range[] = [];
  const products = productsBySquare(g);
  for (const n of g.nodes) {
    const [lo, hi] = n.kind === 'unary' ? unaryRange(g, n, r, mode) : nodeRange(n, r, box, products, mode.floatSlack);
    const g0 = given.get(n.id);
    r.push(g0 ? withGiven(lo, hi, g0) : [lo, hi]);
  }
  return r;
}

type GNode = Graph['nodes'][number];

/** The range of one node from its operands' ranges `r` (outward where the bounds' arithmetic rounds). */
function nodeRange(
  n: Exclude<GNode, { kind: 'unary' }>, r: Range[], box: Record<string, Range>, products: Map<number, AffineNode[]>,
  floatSlack: boolean,
): Range {
  switch (n.kind) {
    case 'input': { const [lo, hi] = box[n.name]!; return [lo, hi]; }
    case 'affine': return affineRange(n, r, products, floatSlack);
    case 'abs': {
      const [a, b] = r[n.arg]!;
      return [a >= 0 ? a : b <= 0 ? -b : 0, Math.max(Math.abs(a), Math.abs(b))];
    }
    case 'relu': { const [a, b] = r[n.arg]!; return [Math.max(0, a), Math.max(0, b)]; }
    case 'max': { const A = r[n.a]!, B = r[n.b]!; return [Math.max(A[0], B[0]), Math.max(A[1], B[1])]; }
    case 'min': { const A = r[n.a]!, B = r[n.b]!; return [Math.min(A[0], B[0]), Math.min(A[1], B[1])]; }
    case 'square': {
      const [a, b] = r[n.arg]!;
      const m = Math.max(Math.abs(a), Math.abs(b));
      const l = a >= 0 ? a : b <= 0 ? b : 0;
      return [productIsExact(l, l) ? l * l : l * l * (1 - 4e-16), productIsExact(m, m) ? m * m : m * m * (1 + 4e-16)];
    }
    case 'norm': {
      // sqrt of the sum's range (which a given range may have narrowed), outward.
      const [a, b] = r[n.sum]!;
      return [Math.sqrt(Math.max(0, a)) * (1 - 4e-16), Math.sqrt(b) * (1 + 4e-16)];
    }
  }
}

/** Σ c_i·[a_i, b_i] + c, known products by their interval product, outward unless every step was exact. */
function affineRange(n: AffineNode, r: Range[], products: Map<number, AffineNode[]>, floatSlack: boolean): Range {
  let lo = n.constant;
  let hi = n.constant;
  let exact = true;
  const grouped = groupProducts(n, products, r);
  for (const t of grouped) {
    const [a, b] = t.range;
    const [u, v] = t.coef >= 0 ? [a, b] : [b, a];
    exact &&= productIsExact(t.coef, u) && productIsExact(t.coef, v)
      && sumIsExact(lo, t.coef * u) && sumIsExact(hi, t.coef * v);
    lo += t.coef * u; hi += t.coef * v;
  }
  // No slack where every product and sum of the bounds was exact ((x + y)/2 on [-1, 1]² is
  // within [-1, 1]: asin of it is defined).
  const slack = exact ? 0 : 1e-15 * (Math.abs(lo) + Math.abs(hi));
  // A sum of non-negative terms with non-negative weights is ≥ 0 exactly (x² + y², a product
  // of same-sign factors counted as one term): the slack for rounding the bounds must not
  // push it below 0 (sqrt of it is defined).
  const nonNegative = n.constant >= 0 && grouped.every((t) => t.coef >= 0 && t.range[0] >= 0);
  lo = nonNegative ? Math.max(0, lo - slack) : lo - slack;
  hi += slack;
  if (n.factors) [lo, hi] = intersect([lo, hi], productRange(r[n.factors[0]]!, r[n.factors[1]]!, n, r, floatSlack));
  return [lo, hi];
}

/**
 * The interval enclosure of g(u) over u's range. Where g is undefined on part of it (sqrt of
 * x·y on [0, 1]², whose range is widened below 0 for its float evaluation), over u's true-value
 * range intersected with it (recorded in exactArgs: the builder clamps its input to it,
 * approxnodes.ts); an input error where g is undefined on part of that too.
 */
function unaryRange(g: Graph, n: Extract<GNode, { kind: 'unary' }>, r: Range[], mode: PropagationMode): Range {
  const arg = r[n.arg]!;
  const pieces = n.fused ? FUSED_PIECES : 1;
  let e = encloseOnPieces(n.fn, { u: arg }, pieces);
  const exact = e.undefinedPart && mode.exactRanges ? intersect(arg, mode.exactRanges()[n.arg]!) : undefined;
  if (exact && exact[0] <= exact[1]) {
    const inside = encloseOnPieces(n.fn, { u: exact }, pieces);
    if (!inside.undefinedPart) {
      e = inside;
      mode.exactArgs?.set(n.id, exact);
    }
  }
  if (e.undefinedPart) {
    const argText = g.nodes[n.arg]!.text;
    const rule = `be defined on the range of every subexpression (give --range or --data to narrow "${argText}")`;
    const value = `${exprToString(n.fn).replace(/\bu\b/g, `(${argText})`)} with ${argText} in [${arg[0]}, ${arg[1]}]`;
    throw new InputError('expression', rule, value, { field: 'expr', code: 'undefined-on-range' });
  }
  return [e.lo, e.hi];
}

/** Pieces a fused curve's range is enclosed on (its formula repeats u: one interval overestimates). */
const FUSED_PIECES = 32;

/**
 * The enclosure of e over a box, a one-variable box cut in `pieces` equal parts and the parts'
 * enclosures joined (a cover of the box, so as sound as one enclosure, and far tighter where e
 * repeats its variable: u·exp(u) on [−10, 10] is [−0.37, 2.2e5], not [−2.2e5, 2.2e5]).
 */
export function encloseOnPieces(e: Expr, box: Record<string, Range>, pieces = FUSED_PIECES): Enclosure {
  const names = Object.keys(box);
  if (pieces <= 1 || names.length !== 1) return enclose(e, box);
  const [a, b] = box[names[0]!]!;
  let out: Enclosure = { lo: Infinity, hi: -Infinity, undefinedPart: false };
  for (let i = 0; i < pieces; i++) {
    const lo = i === 0 ? a : a + ((b - a) * i) / pieces;
    const hi = i === pieces - 1 ? b : a + ((b - a) * (i + 1)) / pieces;
    const part = enclose(e, { [names[0]!]: [Math.min(lo, hi), Math.max(lo, hi)] });
    const undefinedPart = out.undefinedPart || part.undefinedPart;
    out = { lo: Math.min(out.lo, part.lo), hi: Math.max(out.hi, part.hi), undefinedPart };
  }
  return out;
}

/**
 * The ranges with each argument recorded in `exactArgs` at its true-value range: what the
 * error budget models a unary piece on (the builder clamps its input to that range).
 */
export function withExactArgs(g: Graph, ranges: readonly Range[], exactArgs: ReadonlyMap<number, Range>): Range[] {
  const out = [...ranges];
  for (const [id, exact] of exactArgs) out[(g.nodes[id] as { arg: number }).arg] = exact;
  return out;
}

/** A propagated range [lo, hi] narrowed to a given one; a given range that misses it is an input error. */
function withGiven(lo: number, hi: number, given: { range: Range; argument: string }): Range {
  const [a, b] = given.range;
  if (b < lo || a > hi) {
    const rule = `overlap the range the inputs allow, [${lo}, ${hi}]`;
    throw new InputError(given.argument, rule, `${a}:${b}`, { field: 'ranges', code: 'no-overlap' });
  }
  return [Math.max(lo, a), Math.min(hi, b)];
}

/**
 * True when a·b is exactly a double (Dekker's TwoProduct error is 0); false near overflow or
 * underflow, where the test is not valid.
 */
export function productIsExact(a: number, b: number): boolean {
  return productError(a, b) === 0;
}

/** True when a + b is exactly a double (Knuth's TwoSum error is 0, the sum finite). */
export function sumIsExact(a: number, b: number): boolean {
  return sumError(a, b) === 0;
}

type AffineNode = Extract<Graph['nodes'][number], { kind: 'affine' }>;

/** Product nodes (affines with `factors`) indexed by the node of their (a+b)² term. */
function productsBySquare(g: Graph): Map<number, AffineNode[]> {
  const index = new Map<number, AffineNode[]>();
  for (const n of g.nodes) {
    if (n.kind === 'affine' && n.factors) index.set(n.terms[0]!.node, [...(index.get(n.terms[0]!.node) ?? []), n]);
  }
  return index;
}

/**
 * The terms of an affine node with each pair k/4·(a+b)² − k/4·(a−b)² that is a known product
 * P = a·b replaced by k·P: P's range (bounded by the interval product of a and b) is far
 * narrower than the two squares' ranges apart (the dependency problem: S·N(d) in [0, 120]
 * rather than [-2040, 2140] for S in [80, 120], N in [0, 1]).
 */
function groupProducts(
  n: AffineNode, products: Map<number, AffineNode[]>, r: Range[],
): { coef: number; range: Range }[] {
  const coefOf = new Map(n.terms.map((t) => [t.node, t.coef]));
  const out: { coef: number; range: Range }[] = [];
  for (const t of n.terms) {
    if (!coefOf.has(t.node)) continue;
    const p = pairedSquare(n, t, products.get(t.node), coefOf);
    if (p) {
      coefOf.delete(t.node); coefOf.delete(p.terms[1]!.node);
      out.push({ coef: 4 * t.coef, range: r[p.id]! });
    }
  }
  for (const t of n.terms) if (coefOf.has(t.node)) out.push({ coef: t.coef, range: r[t.node]! });
  return out;
}

/**
 * The product q = ¼(a+b)² − ¼(a−b)² whose (a+b)² term is t and whose (a−b)² term appears in n
 * at −t.coef: then the pair is k·q. A plain loop (the planner calls this for every sum).
 */
function pairedSquare(
  n: AffineNode, t: { node: number; coef: number }, candidates: AffineNode[] | undefined, coefOf: Map<number, number>,
): AffineNode | undefined {
  for (const q of candidates ?? []) {
    if (q.id < n.id && coefOf.get(q.terms[1]!.node) === -t.coef
      && q.terms[0]!.coef === 0.25 && q.terms[1]!.coef === -0.25) return q;
  }
  return undefined;
}

/**
 * Interval product of the factors' ranges, widened by 1e-10 of the squares' scale (what
 * evaluating the product as squares in float64 may add, so that samples whose float value of
 * a·b rounds past an exact end are still inside the region).
 */
function productRange(a: Range, b: Range, n: AffineNode, r: Range[], floatSlack: boolean): Range {
  const corners = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  const scale = n.terms.reduce((s, t) => s + Math.abs(t.coef) * magnitude(r[t.node]!), 0);
  // Without the float slack: the true product's range, outward only where a corner rounds.
  const exact = !floatSlack && a.every((u) => b.every((v) => productIsExact(u, v)));
  const slack = (floatSlack ? 1e-10 * scale : 0) + (exact ? 0 : 1e-15 * Math.max(...corners.map(Math.abs)));
  // Factors of one sign: the product is ≥ 0 exactly, whatever the slack (its sign is the formula's).
  const sameSign = (a[0] >= 0 && b[0] >= 0) || (a[1] <= 0 && b[1] <= 0);
  const lo = Math.min(...corners) - slack;
  return [sameSign ? Math.max(0, lo) : lo, Math.max(...corners) + slack];
}

function intersect(p: Range, q: Range): Range {
  return [Math.max(p[0], q[0]), Math.min(p[1], q[1])];
}

/** Largest |v| over a range: the magnitude float rounding scales with. */
export function magnitude(r: Range): number {
  return Math.max(Math.abs(r[0]), Math.abs(r[1]));
}
