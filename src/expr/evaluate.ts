import { exprTree, nameList } from '../validate.ts';
import type { Expr } from './ast.ts';
import { erf, normcdf } from './special.ts';
import { chunkFunctions, sameFunction } from './straightline.ts';

/** Functions JavaScript's Math lacks (special.ts), passed to the compiled code. */
const SPECIAL = { erf, normcdf };

/**
 * Compiles a formula to a plain JavaScript function of its variables (in the order given):
 * thousands of times faster than walking the tree, which matters when knots are placed
 * and errors measured on millions of points. Each distinct node becomes one `const` of the
 * body (nodes shared by identity, as derivatives share them, are computed once; long formulas
 * run in pieces small enough to be optimized, straightline.ts), and the body is built without
 * recursion, so long sums and deep nesting cost linear time and no stack.
 */
export function compileFunction(e: Expr, variables: string[]): (...args: number[]) => number {
  nameList(variables, 'variables');
  exprTree(e, 'expr');
  const names = variables.map((_, i) => `v${i}`);
  const groups: string[] = [];
  const slot = new Map<Expr, number>();
  const groupOf: number[] = [];
  // A node computed in the same piece is a local; one from an earlier piece is read from Z.
  const ref = (c: Expr): string => {
    const k = slot.get(c);
    if (k === undefined) return nodeJs(c, variables, ref);
    return sameFunction(groupOf[k]!, groups.length) ? `t${k}` : `Z[${k}]`;
  };
  // Iterative post-order: a node is emitted once all of its operands have slots.
  const stack: Expr[] = [e];
  while (stack.length) {
    const n = stack[stack.length - 1]!;
    if (slot.has(n) || n.op === 'const' || n.op === 'var') { stack.pop(); continue; }
    const missing = operands(n).filter((c) => !slot.has(c) && c.op !== 'const' && c.op !== 'var');
    if (missing.length) { stack.push(...missing); continue; }
    stack.pop();
    const k = groupOf.length;
    groups.push(`const t${k} = ${nodeJs(n, variables, ref)}; Z[${k}] = t${k};`);
    slot.set(n, k);
    groupOf.push(groups.length - 1);
  }
  const parts = chunkFunctions<unknown>(['Special', 'Z', ...names], groups);
  const calls = parts.map((_, i) => `P[${i}](Special, Z, ${names.join(', ')});`).join(' ');
  const top = slot.get(e);
  const result = top === undefined ? nodeJs(e, variables, ref) : `Z[${top}]`;
  // eslint-disable-next-line no-new-func
  const make = new Function('Special', 'P', 'Z', `return (${names.join(', ')}) => { ${calls} return ${result}; ` +
    `};`) as (s: typeof SPECIAL, p: unknown[], z: Float64Array) => (...args: number[]) => number;
  return make(SPECIAL, parts, new Float64Array(groupOf.length));
}

/** One-variable convenience. */
export function compileFunction1(e: Expr, variable: string): (x: number) => number {
  return compileFunction(e, [variable]) as (x: number) => number;
}

function operands(e: Expr): Expr[] {
  switch (e.op) {
    case 'const': case 'var': return [];
    case 'neg': case 'call': return [e.arg];
    default: return [e.a, e.b];
  }
}

/** JavaScript for one node, its operands already named by `ref`. */
function nodeJs(e: Expr, vars: string[], ref: (c: Expr) => string): string {
  switch (e.op) {
    case 'const': return `(${e.value})`;
    case 'var': {
      const i = vars.indexOf(e.name);
      if (i < 0) throw new RangeError(`variable ${e.name} is not among ${vars.join(', ')}`);
      return `v${i}`;
    }
    case 'neg': return `(-${ref(e.arg)})`;
    case 'add': return `(${ref(e.a)} + ${ref(e.b)})`;
    case 'sub': return `(${ref(e.a)} - ${ref(e.b)})`;
    case 'mul': return `(${ref(e.a)} * ${ref(e.b)})`;
    case 'div': return `(${ref(e.a)} / ${ref(e.b)})`;
    case 'pow': {
      // x^2 as x*x: exact-rounded like a multiplication, and defined for negative x.
      if (e.b.op === 'const' && e.b.value === 2) return `(${ref(e.a)} * ${ref(e.a)})`;
      return `Math.pow(${ref(e.a)}, ${ref(e.b)})`;
    }
    case 'call2': return `Math.${e.fn}(${ref(e.a)}, ${ref(e.b)})`;
    case 'call': {
      const a = ref(e.arg);
      switch (e.fn) {
        case 'sigmoid': return `(1 / (1 + Math.exp(-${a})))`;
        case 'relu': return `(${a} > 0 ? ${a} : ${a} === ${a} ? 0 : ${a})`;
        case 'sec': return `(1 / Math.cos(${a}))`;
        case 'sech': return `(1 / Math.cosh(${a}))`;
        case 'erf': case 'normcdf': return `Special.${e.fn}(${a})`;
        default: return `Math.${e.fn}(${a})`;
      }
    }
  }
}
