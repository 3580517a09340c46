import type { Expr } from './ast.ts';

/**
 * Straight-line generated code, run in pieces. V8 optimizes a function only below a bytecode
 * size limit, so one generated function per formula leaves a formula of thousands of nodes in
 * the interpreter (a 1,000-term sum: 1.7 ms per ball evaluation, about 0.8 µs per node). Here
 * the code is cut into functions of at most {@link GROUPS_PER_FUNCTION} node groups, each
 * small enough to be optimized; values stay locals within a function and cross from one
 * function to a later one through a Float64Array `Z` (a fixed slot per value). A small
 * formula is one function.
 */
export const GROUPS_PER_FUNCTION = 128;

/**
 * The functions, in order, each running consecutive groups of statements with the parameters
 * given (one group = the statements of one node; a group is never cut), each ending with `tail`.
 */
export function chunkFunctions<F>(params: string[], groups: string[], tail = ''): F[] {
  const out: F[] = [];
  for (let i = 0; i < groups.length || i === 0; i += GROUPS_PER_FUNCTION) {
    // eslint-disable-next-line no-new-func
    out.push(new Function(...params, `${groups.slice(i, i + GROUPS_PER_FUNCTION).join('\n')}\n${tail}`) as F);
  }
  return out;
}

/** Whether groups g and h run in the same function. */
export function sameFunction(g: number, h: number): boolean {
  return Math.floor(g / GROUPS_PER_FUNCTION) === Math.floor(h / GROUPS_PER_FUNCTION);
}

/** The exponent of a power when it is a constant c or −c, else null. */
export function constantExponent(b: Expr): number | null {
  if (b.op === 'const') return b.value;
  return b.op === 'neg' && b.arg.op === 'const' ? -b.arg.value : null;
}

/** The index of a variable in the generated code's argument array. */
export function variableIndex(name: string, variables: string[]): number {
  const j = variables.indexOf(name);
  if (j < 0) throw new RangeError(`variable ${name} is not among ${variables.join(', ')}`);
  return j;
}
