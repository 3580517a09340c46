import { InputError } from '../errors.ts';
import { enclose } from '../expr/interval.ts';
import { exprToString } from '../expr/ast.ts';
import type { Graph } from './graph.ts';

export type Range = [number, number];

/**
 * Interval ranges of every node's exact value over the input box, tightened by ranges the
 * user gives (or that data imply) for subexpressions. A given range that misses the
 * propagated one entirely is a contradiction (input error).
 */
export function propagateRanges(g: Graph, box: Record<string, Range>, given: Map<number, { range: Range; argument: string }>): Range[] {
  const r: Range[] = [];
  for (const n of g.nodes) {
    let lo: number;
    let hi: number;
    switch (n.kind) {
      case 'input': [lo, hi] = box[n.name]!; break;
      case 'affine': {
        lo = n.constant; hi = n.constant;
        let exact = true;
        for (const t of n.terms) {
          const [a, b] = r[t.node]!;
          const [u, v] = t.coef >= 0 ? [a, b] : [b, a];
          exact &&= productIsExact(t.coef, u) && productIsExact(t.coef, v) && sumIsExact(lo, t.coef * u) && sumIsExact(hi, t.coef * v);
          lo += t.coef * u; hi += t.coef * v;
        }
        // No slack where every product and sum of the bounds was exact ((x + y)/2 on [-1, 1]² is within [-1, 1]: asin of it is defined).
        const slack = exact ? 0 : 1e-15 * (Math.abs(lo) + Math.abs(hi));
        // A sum of non-negative terms with non-negative weights is ≥ 0 exactly (x² + y²):
        // the slack for rounding the bounds must not push it below 0 (sqrt of it is defined).
        const nonNegative = n.constant >= 0 && n.terms.every((t) => t.coef >= 0 && r[t.node]![0] >= 0);
        lo = nonNegative ? Math.max(0, lo - slack) : lo - slack;
        hi += slack;
        break;
      }
      case 'abs': {
        const [a, b] = r[n.arg]!;
        lo = a >= 0 ? a : b <= 0 ? -b : 0; hi = Math.max(Math.abs(a), Math.abs(b));
        break;
      }
      case 'relu': { const [a, b] = r[n.arg]!; lo = Math.max(0, a); hi = Math.max(0, b); break; }
      case 'max': { const A = r[n.a]!, B = r[n.b]!; lo = Math.max(A[0], B[0]); hi = Math.max(A[1], B[1]); break; }
      case 'min': { const A = r[n.a]!, B = r[n.b]!; lo = Math.min(A[0], B[0]); hi = Math.min(A[1], B[1]); break; }
      case 'square': {
        const [a, b] = r[n.arg]!;
        const m = Math.max(Math.abs(a), Math.abs(b));
        const l = a >= 0 ? a : b <= 0 ? b : 0;
        lo = productIsExact(l, l) ? l * l : l * l * (1 - 4e-16);
        hi = productIsExact(m, m) ? m * m : m * m * (1 + 4e-16);
        break;
      }
      case 'norm': {
        // sqrt of the sum's range (which a given range may have narrowed), outward.
        const [a, b] = r[n.sum]!;
        lo = Math.sqrt(Math.max(0, a)) * (1 - 4e-16); hi = Math.sqrt(b) * (1 + 4e-16);
        break;
      }
      case 'unary': {
        const arg = r[n.arg]!;
        const e = enclose(n.fn, { u: arg });
        if (e.undefinedPart) {
          const argText = g.nodes[n.arg]!.text;
          throw new InputError('expression', `be defined on the range of every subexpression (give --range or --data to narrow "${argText}")`, `${exprToString(n.fn).replace(/\bu\b/g, `(${argText})`)} with ${argText} in [${arg[0]}, ${arg[1]}]`, { field: 'expr', code: 'undefined-on-range' });
        }
        lo = e.lo; hi = e.hi;
        break;
      }
    }
    const g0 = given.get(n.id);
    if (g0) {
      const [a, b] = g0.range;
      if (b < lo || a > hi) {
        throw new InputError(g0.argument, `overlap the range the inputs allow, [${lo}, ${hi}]`, `${a}:${b}`, { field: 'ranges', code: 'no-overlap' });
      }
      lo = Math.max(lo, a); hi = Math.min(hi, b);
    }
    r.push([lo, hi]);
  }
  return r;
}

const SPLIT = 134217729; // 2^27 + 1: Veltkamp's split (Dekker, "A floating-point technique for extending the available precision", 1971)

/** True when a·b is exactly a double (Dekker's TwoProduct error is 0); false near overflow or underflow, where the test is not valid. */
export function productIsExact(a: number, b: number): boolean {
  if (a === 0 || b === 0) return true;
  const p = a * b;
  if (!(Math.abs(a) < 2 ** 995 && Math.abs(b) < 2 ** 995 && Math.abs(p) > 2 ** -969 && Math.abs(p) < 2 ** 995)) return false;
  const ca = SPLIT * a; const ah = ca - (ca - a); const al = a - ah;
  const cb = SPLIT * b; const bh = cb - (cb - b); const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl === 0;
}

/** True when a + b is exactly a double (Knuth's TwoSum error is 0, the sum finite). */
export function sumIsExact(a: number, b: number): boolean {
  const s = a + b;
  const bb = s - a;
  return Number.isFinite(s) && (a - (s - bb)) + (b - bb) === 0;
}
