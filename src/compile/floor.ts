import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { UNIT_ROUNDOFF } from '../net/rounding.ts';
import type { Range } from './ranges.ts';
import type { Request } from './request.ts';

/**
 * The floor of a tolerance: a network's output is a float, so where f takes values around M
 * (its largest |f|) the output is rounded, and the certificate of a network evaluated in that
 * dtype counts that last rounding as u·M (the standard model of floating-point arithmetic,
 * u = 2^−53 in float64, 2^−24 in float32; net/rounding.ts): no certificate of such a network
 * is below u·M, whatever its construction. M is a lower bound — the largest |f| at points of
 * the region (corners, centre and a grid of the box, kept when `inRegion` admits them) — so a
 * request is refused only when it is below the floor for certain. Refused at once, before any
 * planning (a float32 build at 1e-3 of a product near 4e12 used to search until memory ran
 * out; T3 at 1 in float32, floor 1.43, searched for 28 s).
 */
export function checkToleranceFloor(
  exprs: Expr[], names: string[], inputs: string[], box: Range[], tolerances: number[], dtype: 'float64' | 'float32',
  inRegion: (lo: number[], hi: number[]) => boolean,
): void {
  const u = UNIT_ROUNDOFF[dtype];
  const points = regionPoints(box).filter((p) => inRegion(p, p));
  exprs.forEach((e, k) => {
    const f = compileFunction(e, inputs);
    const finite = (v: number) => (Number.isFinite(v) ? Math.abs(v) : 0);
    const m = points.reduce((s, p) => Math.max(s, finite(f(...p))), 0) * (1 - 2 ** -20);
    if (!(m > 0)) return;
    const floor = u * m;
    if (tolerances[k]! < floor) {
      const which = names.length > 1 ? ` (output ${names[k]})` : '';
      const rule = `be at least the ${dtype} floor of this function${which}, ${floor.toPrecision(3)} `
        + `(the rounding of an output of max |f| = ${m.toPrecision(3)} in ${dtype}, ${u === 2 ** -24 ? '2^-24'
          : '2^-53'} of it, which every ${dtype} certificate includes)`;
      const value = tolerances[k]!;
      throw new InputError('--max-error', rule, value, { field: 'maxError', code: 'below-dtype-floor', key: dtype });
    }
  });
}

/**
 * The floor checked on the box before any graph is built or planned, when the region is the
 * whole box (no stated --range, no --exclude band): every point of the box is then in it.
 * Planning such a request costs targets on ranges it cannot use (x·y with x in ±1e308: a
 * minute of decimal arithmetic before the floor was checked).
 */
export function checkFloorOnBox(
  req: Request, vars: Record<string, Range>, ranges: Record<string, Range> | undefined, dtype: 'float64' | 'float32',
): void {
  if (req.bands.length > 0 || Object.keys(ranges ?? {}).length > 0) return;
  const box = req.inputs.map((v) => vars[v]!);
  checkToleranceFloor(req.formulas.map((f) => f.expr), req.names, req.inputs, box, req.tolerances, dtype, () => true);
}

/** Corners (up to 2^10), the centre and 5 points per axis through the centre. */
function regionPoints(box: Range[]): number[][] {
  const n = box.length;
  const mid = box.map(([a, b]) => a / 2 + b / 2); // a + b overflows on ±1e308
  const out: number[][] = [mid];
  if (n <= 10) for (let c = 0; c < 2 ** n; c++) out.push(box.map(([a, b], i) => ((c >> i) & 1 ? b : a)));
  box.forEach(([a, b], i) => {
    for (const t of [0, 0.25, 0.5, 0.75, 1]) { const p = [...mid]; p[i] = a * (1 - t) + b * t; out.push(p); }
  });
  return out;
}
