import { WorkError } from '../errors.ts';
import { cancellingSubexpression } from '../expr/accurate.ts';
import { exprToString } from '../expr/ast.ts';
import type { Pwl } from './pwl.ts';
import type { Target } from './target.ts';
import { ToleranceError } from './tolerance.ts';

/**
 * f cannot be evaluated accurately enough: even 100-digit decimal arithmetic leaves a proven
 * error bound (radius) above what the tolerance can absorb, or f is undefined there.
 */
export function inaccurate(t: Target, at: number, radius: number, what: string): WorkError {
  const v = Math.abs(t.f(at));
  if (radius <= 2 ** -40 * v) {
    return new WorkError(
      `${what} is below what float64 resolves of f's values: |f| reaches ${v.toPrecision(4)} at ` +
      `${t.variable} = ${at}, where float64 numbers are ${(v * 2 ** -52).toPrecision(3)} apart; raise ` +
      `the tolerance or rescale f.`);
  }
  const sub = cancellingSubexpression(t.expr, [t.variable], [at]);
  const where = sub ? `; ${exprToString(sub)} cancels there` : '';
  const how = Number.isFinite(radius)
    ? `only within ±${radius.toPrecision(3)}`
    : 'not at all (a pole or the edge of its domain)';
  return new WorkError(
    `f cannot be evaluated accurately enough on the domain for ${what}: at ${t.variable} = ${at} its ` +
    `value is bounded ${how}, even in 100-digit arithmetic${where}.`);
}

/**
 * More segments never make a bound finite when a segment's enclosure of f is not: refused at
 * once with that segment (x^x at 0, where interval arithmetic meets 0^0), not after a search
 * up to the segment limit.
 */
export function refuseUnenclosable(t: Target, p: Pwl, arg: string, given: number): never {
  let at = `[${t.a}, ${t.b}]`;
  for (let i = 0; i + 1 < p.x.length; i++) {
    const e = t.encloseF(p.x[i]!, p.x[i + 1]!);
    if (e.undefinedPart || !Number.isFinite(e.lo) || !Number.isFinite(e.hi)) {
      at = `[${p.x[i]}, ${p.x[i + 1]}]`;
      break;
    }
  }
  throw new ToleranceError(
    `${arg} ${given} cannot be certified: the formula has no finite interval enclosure on ` +
    `${t.variable} in ${at}, and more segments cannot change that (the formula is undefined there for ` +
    `interval arithmetic, e.g. 0^0); move the domain's end away from that point.`,
    'enclosure',
    null,
  );
}

