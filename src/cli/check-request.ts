/**
 * What `check` samples and compares on, shared by its one-output and several-output paths:
 * the sampling box and stated ranges (flags first, then what the file stores), the inputs
 * (--data rows or samples of that region) and the region the stored certificates cover.
 */
import { formulaRegion, type RegionBand } from '../compile/region.ts';
import { InputError } from '../errors.ts';
import { parseFormula } from '../expr/parse.ts';
import { parseCount, parseSeed, parseVarRange, parseVarRanges } from './args.ts';
import { rowsInBandedRegion } from './check-bands.ts';
import { sampleRegion, type Measured, type RangeTest } from './check-measure.ts';
import { readCsv } from './csv.ts';
import type { StoredFacts } from './stored.ts';

/** check's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface CheckFlags {
  expr?: string; out: string[]; var: string[]; range: string[]; data?: string; n: string; seed: string;
  maxError: string[]; certify?: boolean; json?: boolean; quiet?: boolean;
}

/** The sampling region: a box per input and the stated ranges of subexpressions. */
export interface CheckRegion {
  box: Record<string, [number, number]>; rangeTexts: string[]; ranges: RangeTest[];
}

/** The box and ranges to sample: --var/--range where given, else the stored ones; missing ones named. */
export function resolveRegion(model: string, names: readonly string[], stored: StoredFacts,
  flags: CheckFlags): CheckRegion {
  const box = { ...stored.box, ...parseVarRanges(flags.var, '--var') };
  // --var or --range given: the sampling region is the one stated; neither: the stored one.
  const stated = flags.var.length > 0 || flags.range.length > 0;
  const rangeTexts = stated ? flags.range : Object.entries(stored.ranges).map(([k, [a, b]]) => `${k}=${a}:${b}`);
  if (!flags.data) {
    for (const v of names) if (!box[v]) throw new InputError('--var',
      `give a range for every model input (missing ${v}, and ${model} stores none for it)`, givenNames(box));
  }
  if (flags.certify) for (const v of names) if (!box[v]) throw new InputError('--certify',
    `go with a range for every model input (--var, or stored in the file; missing ${v})`, givenNames(box));
  return { box, rangeTexts, ranges: rangeTexts.map((t) => rangeTest(t, names)) };
}

/** The inputs a box gives ranges for, as the InputError's value. */
const givenNames = (box: Record<string, unknown>): string => Object.keys(box).join(', ') || 'none';

function rangeTest(text: string, names: readonly string[]): RangeTest {
  const p = parseVarRange(text, '--range');
  const g = parseFormula(p.name, '--range');
  for (const v of g.variables) if (!names.includes(v)) throw new InputError('--range',
    `use only the model's inputs (${names.join(', ')})`, v);
  return { expr: g.expr, range: p.range, text };
}

function dataRows(file: string, names: readonly string[]): Float64Array {
  const csv = readCsv(file);
  const cols = names.map((v) => {
    const c = csv.header.indexOf(v);
    if (c < 0) throw new InputError(`--data ${file} header`, `name every model input (missing ${v})`,
      csv.header.join(','));
    return c;
  });
  const x = new Float64Array(csv.count * names.length);
  for (let i = 0; i < csv.count; i++) cols.forEach((c,
    j) => { x[i * names.length + j] = csv.rows[i * csv.header.length + c]!; });
  return x;
}

/** The inputs to check on: the --data rows, else -n samples of the box (and the stated ranges). */
export function checkInputs(req: CheckRegion & { names: string[]; bands: RegionBand[] },
  flags: CheckFlags): Float64Array {
  const { names } = req;
  const box = names.map((v) => req.box[v] ?? [-Infinity, Infinity] as [number, number]);
  const region = formulaRegion(names, box, req.ranges, req.bands);
  if (flags.data) return rowsInBandedRegion(dataRows(flags.data, names), names.length, region, flags.data);
  const n = parseCount(flags.n, '-n', 10_000_000);
  const seed = parseSeed(flags.seed);
  // Region.sample draws sampleBox(box, n, seed) itself when no range cuts the box.
  return sampleRegion(region, n, seed);
}

/**
 * The region the stored certificates cover (the stored box and ranges, outside the bands), as
 * a test of a row; undefined when the file stores no box for some input (nothing to compare on).
 */
export function storedRegion(stored: StoredFacts, names: string[],
  bands: RegionBand[]): ((row: number[]) => boolean) | undefined {
  const certBox = names.map((v) => stored.box[v]);
  if (!certBox.every((b) => b !== undefined)) return undefined;
  const certRanges = Object.entries(stored.ranges).map(([k, r]) => rangeTest(`${k}=${r[0]}:${r[1]}`, names));
  const region = formulaRegion(names, certBox as [number, number][], certRanges, bands);
  return (row) => region.contains(row);
}

/**
 * Refuses a measurement with sampled inputs where the formula is undefined (the box is wrong
 * for it: --var), or --data rows where it is defined nowhere. `subject` names the formula in
 * the rule ("the formula", "y1's formula"), `formula` shows it at the bad input.
 */
export function refuseUndefined(m: Measured, x: Float64Array, names: readonly string[],
  box: Record<string, [number, number]>, data: string | undefined, o: { subject: string; formula: string }): void {
  if (m.undefinedCount > 0 && !data) {
    const at = JSON.stringify(Object.fromEntries(names.map((v, j) => [v, x[m.undefinedAt * names.length + j]])));
    const boxText = Object.entries(box).map(([k, [a, b]]) => `${k}=${a}:${b}`).join(' ');
    throw new InputError('--var', `give a box where ${o.subject} is defined (${o.formula} is undefined or not finite ` +
      `at ${at})`, boxText);
  }
  if (m.counted === 0) throw new InputError('--data', `contain inputs where ${o.subject} is defined`, data);
}
