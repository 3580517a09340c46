import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import type { Range } from './ranges.ts';

/**
 * The floor of a tolerance: a network's output is a float, so where f takes values around M
 * (its largest |f|) the output misses some of them by half a unit in the last place of M —
 * 2^(e−53) in float64, 2^(e−24) in float32, with 2^e ≤ M < 2^(e+1) — and no network
 * evaluated in that dtype can be certified closer. M is a lower bound — the largest |f| at
 * points of the region (corners, centre and a grid of the box, kept when `inRegion` admits
 * them) — so a request is refused only when it is below the floor for certain. Refused at
 * once, before any construction (a float32 build at 1e-3 of a product near 4e12 used to
 * search until memory ran out).
 */
export function checkToleranceFloor(
  exprs: Expr[], names: string[], inputs: string[], box: Range[], tolerances: number[], dtype: 'float64' | 'float32',
  inRegion: (lo: number[], hi: number[]) => boolean,
): void {
  const bits = dtype === 'float32' ? 24 : 53;
  const points = regionPoints(box).filter((p) => inRegion(p, p));
  exprs.forEach((e, k) => {
    const f = compileFunction(e, inputs);
    const m = points.reduce((s, p) => Math.max(s, Math.abs(f(...p)) || 0), 0) * (1 - 2 ** -20);
    if (!(m > 0) || !Number.isFinite(m)) return;
    const floor = 2 ** (Math.floor(Math.log2(m)) - bits);
    if (tolerances[k]! < floor) {
      const which = names.length > 1 ? ` (output ${names[k]})` : '';
      const rule = `be at least the ${dtype} floor of this function${which}, ${floor.toPrecision(3)} `
        + `(half a ${dtype} unit in the last place at max |f| = ${m.toPrecision(3)})`;
      const value = tolerances[k]!;
      throw new InputError('--max-error', rule, value, { field: 'maxError', code: 'below-dtype-floor', key: dtype });
    }
  });
}

/** Corners (up to 2^10), the centre and 5 points per axis through the centre. */
function regionPoints(box: Range[]): number[][] {
  const n = box.length;
  const mid = box.map(([a, b]) => (a + b) / 2);
  const out: number[][] = [mid];
  if (n <= 10) for (let c = 0; c < 2 ** n; c++) out.push(box.map(([a, b], i) => ((c >> i) & 1 ? b : a)));
  box.forEach(([a, b], i) => {
    for (const t of [0, 0.25, 0.5, 0.75, 1]) { const p = [...mid]; p[i] = a + (b - a) * t; out.push(p); }
  });
  return out;
}
