/**
 * The one number formatter of the CLI tables, the reports and the page: 4 significant digits,
 * exponent form below 1e-3 and from 1e6 on; integers under 1e9 as they are; NaN and ±Infinity
 * as JavaScript writes them.
 */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(3);
  return v.toPrecision(4);
}
