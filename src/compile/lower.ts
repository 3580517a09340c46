import { InputError } from '../errors.ts';
import { exprKey, exprToString, type Expr } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';
import { foldConstants } from './constants.ts';
import { plainGraph, type GraphBuilder } from './rewritecost.ts';
import { rewriteForSize, type SizeRewrite } from './rewritesearch.ts';

type Box = Record<string, readonly [number, number]>;

/**
 * Folds the constant subexpressions to doubles (constants.ts: exact ones free, the others
 * charged by compile through constantCharge), then rewrites the parts of a formula the graph
 * does not build directly into ones it does, using the input box to pick branches (exact
 * identities, no approximation):
 *  - a^b with b not constant: exp(b·log a), for a > 0 on the region (else log's refusal);
 *  - atan2(y, x) by the half-plane its box lies in:
 *      x > 0:          atan(y/x)
 *      y > 0:          π/2 − atan(x/y)
 *      y < 0:         −π/2 − atan(x/y)
 *      x < 0, y ≥ 0:   π + atan(y/x)
 *    A box containing the origin (atan2 undefined there) or reaching the cut along the
 *    negative x-axis (a jump of 2π) is refused with a region that avoids it.
 */
export function lowerForCompile(e: Expr, box: Box): Expr {
  return lower(foldConstants(e), box);
}

function lower(e: Expr, box: Box): Expr {
  const rec = (x: Expr) => lower(x, box);
  switch (e.op) {
    case 'const': case 'var': return e;
    case 'neg': return { op: 'neg', arg: rec(e.arg) };
    case 'call': return { op: 'call', fn: e.fn, arg: rec(e.arg) };
    case 'pow': {
      const a = rec(e.a);
      const b = rec(e.b);
      if (isConstant(b)) return { op: 'pow', a, b };
      return { op: 'call', fn: 'exp', arg: { op: 'mul', a: b, b: { op: 'call', fn: 'log', arg: a } } };
    }
    case 'call2': {
      const a = rec(e.a);
      const b = rec(e.b);
      return e.fn === 'atan2' ? atan2Branch(a, b, box) : { op: 'call2', fn: e.fn, a, b };
    }
    default: return { ...e, a: rec(e.a), b: rec(e.b) } as Expr;
  }
}

/**
 * An output formula as compile builds it: lowered (lowerForCompile), then rewritten into the
 * equal form the planner estimates smallest at `maxError` (rewritesearch.ts; exact identities
 * on the box). `rewrite: false` keeps the form written (a --range or --exclude names its
 * subexpressions, which a rewrite could remove). The certificate holds for the formula as
 * written, since the two are equal on the box; measurement is against the written one.
 * `build` makes a form's graph as compile will (with fusion), for the size estimate.
 */
export function lowerOutput(
  e: Expr, box: Box, maxError: number, rewrite = true, build: GraphBuilder = plainGraph(Object.keys(box)),
): SizeRewrite {
  const lowered = lowerForCompile(e, box);
  if (!rewrite) return { original: lowered, expr: lowered, applied: [], originalEstimate: NaN, estimate: NaN };
  const key = `${exprKey(lowered)}|${JSON.stringify(box)}|${maxError}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const r = rewriteForSize(lowered, box, Object.keys(box), maxError, build);
  if (recent.size >= 16) recent.clear();
  recent.set(key, r);
  return r;
}

/** The last rewrites (compile with --norm auto prepares a formula more than once). */
const recent = new Map<string, SizeRewrite>();

function isConstant(e: Expr): boolean {
  return e.op === 'const' || (e.op === 'neg' && isConstant(e.arg));
}

const atan = (arg: Expr): Expr => ({ op: 'call', fn: 'atan', arg });
const plus = (c: number, x: Expr): Expr => ({ op: 'add', a: { op: 'const', value: c }, b: x });

function atan2Branch(y: Expr, x: Expr, box: Box): Expr {
  const Y = enclose(y, box);
  const X = enclose(x, box);
  const [ys, xs] = [exprToString(y), exprToString(x)];
  const text = `atan2(${ys}, ${xs}) with ${ys} in [${Y.lo}, ${Y.hi}] and ${xs} in [${X.lo}, ${X.hi}]`;
  if (X.lo > 0) return atan({ op: 'div', a: y, b: x });
  if (Y.lo > 0) return plus(Math.PI / 2, { op: 'neg', arg: atan({ op: 'div', a: x, b: y }) });
  if (Y.hi < 0) return plus(-Math.PI / 2, { op: 'neg', arg: atan({ op: 'div', a: x, b: y }) });
  if (X.hi < 0 && Y.lo >= 0) return plus(Math.PI, atan({ op: 'div', a: y, b: x }));
  if (X.lo <= 0 && X.hi >= 0 && Y.lo <= 0 && Y.hi >= 0) {
    const rule = 'keep atan2(y, x) away from the origin, where it is undefined '
      + '(give a region with x > 0, y > 0 or y < 0 throughout)';
    throw new InputError('expression', rule, text, { field: 'expr', code: 'undefined-on-domain' });
  }
  const rule = 'keep atan2(y, x) off its cut along the negative x-axis (y = 0, x < 0), where it jumps by 2π '
    + '(give a region with x > 0, y > 0 or y < 0 throughout, or y >= 0 with x < 0)';
  throw new InputError('expression', rule, text, { field: 'expr', code: 'discontinuous' });
}
