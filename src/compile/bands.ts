import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { enclose } from '../expr/interval.ts';
import { parseFormula } from '../expr/parse.ts';
import type { RegionBand } from './region.ts';

/** A band to exclude, as stated: "formula=center±halfWidth" (or +- for ±). */
export interface Band { text: string; expr: Expr; center: number; halfWidth: number }

const BAND = /^(.+?)=([^=]+?)(?:±|\+-)(.+)$/;

/**
 * One --exclude text read: a formula of the inputs (any, continuous), "=", the center and
 * "±" (or "+-") the half-width, both finite numbers, the half-width > 0.
 */
export function parseBand(text: string, inputs: readonly string[]): Band {
  const m = BAND.exec(text);
  if (!m) throw new InputError('--exclude', 'be formula=center±halfwidth, e.g. x=0.5±1e-3 (or x=0.5+-1e-3)', text,
    { field: 'exclude', code: 'malformed' });
  const [, lhs, c, w] = m as unknown as [string, string, string, string];
  const center = Number(c), halfWidth = Number(w);
  if (c.trim() === '' || !Number.isFinite(center)) {
    throw new InputError('--exclude', 'have a finite number as its center', text,
      { field: 'exclude', code: 'malformed' });
  }
  if (w.trim() === '' || !Number.isFinite(halfWidth) || !(halfWidth > 0)) {
    throw new InputError('--exclude', 'have a positive finite half-width after ±', text,
      { field: 'exclude', code: 'not-positive' });
  }
  const f = parseFormula(lhs.trim(), '--exclude');
  const unknown = f.variables.find((v) => !inputs.includes(v));
  if (unknown !== undefined) {
    throw new InputError('--exclude', `use only the inputs (${inputs.join(', ')})`, `${text} (${unknown})`,
      { field: 'exclude', code: 'unknown-name' });
  }
  return { text, expr: f.expr, center, halfWidth };
}

/** The band as a region's cut: its value by float64 evaluation, its enclosure by intervals (null where undefined). */
export function regionBand(b: Band, inputs: readonly string[]): RegionBand {
  const f = compileFunction(b.expr, [...inputs]);
  return {
    text: b.text, center: b.center, halfWidth: b.halfWidth, expr: b.expr,
    value: (p) => f(...p),
    enclose: (lo, hi) => {
      const e = enclose(b.expr, Object.fromEntries(inputs.map((v, i) => [v, [lo[i]!, hi[i]!] as const])));
      return e.undefinedPart ? null : [e.lo, e.hi];
    },
  };
}

/** The bands of several --exclude texts over `inputs`, as region cuts. */
export function regionBands(texts: readonly string[] | undefined, inputs: readonly string[]): RegionBand[] {
  return (texts ?? []).map((t) => regionBand(parseBand(t, inputs), inputs));
}
