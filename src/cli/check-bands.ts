/**
 * check on a file compiled with --exclude: the bands stored in its metadata ("exclude") cut
 * out of the region it samples and compares on, and the formula's jumps (sign, floor, …)
 * written as ramps that equal them outside the bands (compile/jumpgap.ts, the same proof as
 * compile's), so the measurement is against the true formula wherever a sample is kept.
 */
import { regionBands } from '../compile/bands.ts';
import { resolveJumps } from '../compile/jumpgap.ts';
import { formulaRegion, type Region, type RegionBand } from '../compile/region.ts';
import { InputError } from '../errors.ts';
import type { JumpSite } from '../expr/jumps.ts';
import { parseFormula, type Formula } from '../expr/parse.ts';
import type { RangeTest } from './check-measure.ts';

/** The formula as parsed: its jumps recorded (as placeholders) when the file stores bands. */
export interface ParsedWithJumps { formula: Formula; sites: JumpSite[] | undefined }

/** The formula as --expr: its variables must be the model's inputs `names`. */
export function parseWithBands(text: string, exclude: readonly string[] | undefined,
  names: readonly string[]): ParsedWithJumps {
  const sites = exclude?.length ? [] : undefined;
  const formula = parseFormula(text, '--expr', sites);
  for (const v of formula.variables) if (!names.includes(v)) throw new InputError('--expr',
    `use only the model's inputs (${names.join(', ')})`, v);
  return { formula, sites };
}

/**
 * The bands as region cuts and the formula with its jumps resolved over the box (every input
 * needs one when there are jumps). `certify`: check --certify, which takes no bands.
 */
export function resolveBands(
  p: ParsedWithJumps, exclude: readonly string[] | undefined, names: readonly string[],
  box: Record<string, [number, number]>, ranges: readonly RangeTest[], certify: boolean,
): { formula: Formula; bands: RegionBand[] } {
  if (!exclude?.length) return { formula: p.formula, bands: [] };
  const bands = regionBands(exclude, names);
  if (certify) {
    throw new InputError('--certify', 'go with a file without --exclude bands (certify proves over a whole box)',
      exclude.join(', '));
  }
  if (!p.sites?.length) return { formula: p.formula, bands };
  const missing = names.find((v) => !box[v]);
  if (missing !== undefined) {
    throw new InputError('--var', `give a range for every model input to place the jumps of the formula (missing ${
      missing})`, Object.keys(box).join(', ') || 'none');
  }
  const boxes = names.map((v) => box[v]!);
  const region = formulaRegion(names, boxes, ranges, bands);
  return { formula: { ...p.formula, expr: resolveJumps(p.formula.expr, p.sites, names, boxes, region) }, bands };
}

/**
 * --data rows where a file with bands is measured: inside the region its jumps were placed on
 * (the box and the stated ranges, outside the bands), where the ramps equal the jumps and the
 * stored certificate holds. Refused when no row is left.
 */
export function rowsInBandedRegion(x: Float64Array, d: number, region: Region, file: string): Float64Array {
  if (region.bands.length === 0) return x;
  const keep = new Float64Array(x.length);
  let n = 0;
  for (let i = 0; i < x.length; i += d) {
    const row = Array.from(x.subarray(i, i + d));
    if (region.contains(row)) { keep.set(row, n); n += d; }
  }
  if (n === 0) {
    throw new InputError(`--data ${file}`, 'have rows inside the region the file certifies (its box and ranges, ' +
      `outside its bands ${region.bands.map((b) => b.text).join(', ')})`, `${x.length / d} rows, none inside`);
  }
  return keep.slice(0, n);
}
