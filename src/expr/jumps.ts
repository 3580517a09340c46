import { InputError } from '../errors.ts';
import { exprToString, variablesOf, type Expr } from './ast.ts';
import { idOf } from './calls.ts';

/**
 * Functions with jumps, kept apart from the continuous grammar. A jump function J of an
 * argument g is constant between its jump points and steps by `height` at each:
 *  - sign(g): −1 below 0, 1 above (height 2); step(g) and heaviside(g): 0 below 0, 1 above;
 *  - a < b and a <= b are step(b − a), a > b and a >= b are step(a − b) (they differ only at
 *    the jump, which an excluded band must cover);
 *  - floor, ceil: every integer; round (half up, as Math.round): every half-integer; fix (toward
 *    zero): every integer but 0.
 * The parser (parse.ts, given a `jumps` list) puts a placeholder variable in place of each
 * call; `rampFor` later writes the call as a continuous ramp, equal to J wherever g keeps at
 * least the ramp's width ρ away from every jump point (compile/jumpgap.ts proves that gap).
 */
export type JumpKind = 'sign' | 'step' | 'floor' | 'ceil' | 'round' | 'fix';
const JUMP_FUNCTIONS: Record<string, JumpKind> = {
  sign: 'sign', step: 'step', heaviside: 'step', floor: 'floor', ceil: 'ceil', round: 'round', fix: 'fix',
};
/** The kind of a jump function's name, or undefined. */
export const jumpKindOf = (name: string): JumpKind | undefined =>
  (Object.hasOwn(JUMP_FUNCTIONS, name) ? JUMP_FUNCTIONS[name] : undefined);

/** One jump call of a formula: its kind, its argument and its text (for messages). */
export interface JumpSite { kind: JumpKind; arg: Expr; text: string; placeholder: string }

/** The placeholder's name cannot be typed by a user (parse.ts accepts only [A-Za-z_][A-Za-z0-9_]*). */
export const isJumpPlaceholder = (name: string): boolean => name.startsWith('#jump');

/**
 * The site of a jump call `kind(arg)` (text `text`), recorded in `jumps`; its placeholder variable
 * goes in the tree. A jump inside another jump's argument is refused.
 */
export function jumpSite(kind: JumpKind, arg: Expr, text: string, jumps: JumpSite[], argument: string): Expr {
  if (variablesOf(arg).some(isJumpPlaceholder)) {
    throw new InputError(argument, 'not nest a jump (sign, floor, step, a comparison, …) inside another', text,
      idOf(argument, 'nested-jump'));
  }
  const placeholder = `#jump${jumps.length}`;
  jumps.push({ kind, arg, text, placeholder });
  return { op: 'var', name: placeholder };
}

/** The site of a comparison `a op b` (op one of < <= > >=) as a step. */
export function comparisonSite(op: string, a: Expr, b: Expr, jumps: JumpSite[], argument: string): Expr {
  const below = op === '<' || op === '<=';
  const arg: Expr = below ? { op: 'sub', a: b, b: a } : { op: 'sub', a, b };
  return jumpSite('step', arg, `${exprToString(a)} ${op} ${exprToString(b)}`, jumps, argument);
}

/** Value of J at a point that is not a jump point. */
export function jumpValue(kind: JumpKind, g: number): number {
  switch (kind) {
    case 'sign': return Math.sign(g);
    case 'step': return g > 0 ? 1 : 0;
    case 'floor': return Math.floor(g);
    case 'ceil': return Math.ceil(g);
    case 'round': return Math.round(g);
    case 'fix': return Math.trunc(g);
  }
}

/** Most jump points one call may have over its argument's range. */
export const MAX_JUMPS = 1000;

/**
 * The jump points of J over an argument range [lo, hi] (sorted), the same step height at
 * each. A jump at an end of the range counts only where J jumps inside the range: floor and
 * round are right-continuous (an end at lo is no jump), ceil left-continuous (an end at hi),
 * fix like floor above 0 and like ceil below; sign and step count 0 at either end.
 */
export function jumpPoints(kind: JumpKind, lo: number, hi: number): { points: number[]; height: number } {
  const height = kind === 'sign' ? 2 : 1;
  if (kind === 'sign' || kind === 'step') return { points: lo <= 0 && hi >= 0 ? [0] : [], height };
  const shift = kind === 'round' ? 0.5 : 0;
  const first = Math.ceil(lo - shift);
  const last = Math.floor(hi - shift);
  // Past 2^53 consecutive integers are not all doubles (k + 1 === k): counted as too many, never looped over.
  if (last > first && Math.max(Math.abs(first), Math.abs(last)) >= 2 ** 53) {
    return { points: Array.from({ length: MAX_JUMPS + 1 }, (_, i) => first + i), height };
  }
  const points: number[] = [];
  // At most MAX_JUMPS + 1 points are kept (more is refused by the callers); two candidates may be skipped.
  const candidates = Math.min(last - first + 1, MAX_JUMPS + 3);
  for (let i = 0; i < candidates && points.length <= MAX_JUMPS; i++) {
    const p = first + i + shift;
    const rightContinuous = kind === 'floor' || kind === 'round' || (kind === 'fix' && p > 0);
    if ((kind === 'fix' && p === 0) || (rightContinuous ? p === lo : p === hi)) continue;
    points.push(p);
  }
  return { points, height };
}

/**
 * J(g) as a continuous ramp over an argument range [lo, hi] with jump points `points`:
 * J(p₀ − ½) + h·Σ_k min(max((g − k)·c, 0), 1), c = 1/ρ. Each term is 0 for g ≤ k and 1 for
 * g ≥ k + ρ, so the ramp equals J exactly wherever |g − k| ≥ ρ for every k; it is
 * continuous, piecewise linear in g with slope at most h·c, and built from the exact ReLU
 * identities of min and max (2 units a point). No point: J is constant on the range. `steps`
 * collects each clamp min(max(t, 0), 1) (compile treats it as exact, compile/jumpgap.ts).
 */
export function rampFor(
  site: JumpSite, lo: number, hi: number, points: readonly number[], rho: number, steps?: Expr[],
): Expr {
  const c = (n: number): Expr => ({ op: 'const', value: n });
  if (points.length === 0) return c(jumpValue(site.kind, (lo + hi) / 2));
  const { height } = jumpPoints(site.kind, points[0]!, points[0]!);
  const slope = 1 / rho;
  const terms = points.map((k): Expr => {
    const shifted: Expr = k === 0 ? site.arg : { op: 'sub', a: site.arg, b: c(k) };
    const scaled: Expr = { op: 'mul', a: shifted, b: c(slope) };
    const step: Expr = { op: 'call2', fn: 'min', a: { op: 'call2', fn: 'max', a: scaled, b: c(0) }, b: c(1) };
    steps?.push(step);
    return step;
  });
  const sum = terms.slice(1).reduce<Expr>((s, t) => ({ op: 'add', a: s, b: t }), terms[0]!);
  const left = jumpValue(site.kind, points[0]! - 0.5);
  const scaledSum: Expr = height === 1 ? sum : { op: 'mul', a: c(height), b: sum };
  return left === 0 ? scaledSum : { op: 'add', a: c(left), b: scaledSum };
}

/** The tree with each placeholder variable replaced by its expression in `by`. */
export function substitute(e: Expr, by: ReadonlyMap<string, Expr>): Expr {
  switch (e.op) {
    case 'const': return e;
    case 'var': return by.get(e.name) ?? e;
    case 'neg': return { op: 'neg', arg: substitute(e.arg, by) };
    case 'call': return { ...e, arg: substitute(e.arg, by) };
    default: return { ...e, a: substitute(e.a, by), b: substitute(e.b, by) };
  }
}
