/**
 * compile --adversary: beside the float32 certificate, the worst float32 error an adversarial
 * search finds (certify/adversary.ts: float32 inputs, three float32 evaluation orders, truth
 * proven within a radius) and the floor u·max|f|. The search is seeded and small: 20,000
 * samples of the certified region, then 8 compass searches of 20,000 evaluations in all.
 */
import { float32Adversary } from '../certify/adversary.ts';
import type { CompileResult } from '../compile/compile.ts';
import { magnitude } from '../compile/ranges.ts';
import { formulaRegion } from '../compile/region.ts';
import { InputError } from '../errors.ts';
import { parseFormula } from '../expr/parse.ts';
import { parseWithBands, resolveBands } from './check-bands.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

/** The unit roundoff of float32. */
const SEARCH = { samples: 20_000, starts: 8, evaluations: 20_000 };

/** What --adversary adds: the search's worst error (a proven lower bound) and the floor. */
export interface Float32Search {
  /**
   * The largest float32 error found: a lower bound of the true worst, never above the certificate;
   * null when rejection sampling found no start in the region (a sliver of the box).
   */
  adversarial: number | null;
  /** u·max|f|, max|f| from the output's certified range: one rounding of the output, not a bound. */
  floor: number;
  /** Points the search evaluated. */
  evaluations: number;
}

/** --adversary takes one output: the search compares the network with one formula. */
export function oneOutput(outputs: readonly { name: string }[] | undefined): void {
  if (outputs) {
    throw new InputError('--adversary', 'go with one output (the search compares one formula)',
      outputs.map((o) => o.name).join(', '), { field: 'adversary', code: 'unsupported' });
  }
}

/** Runs the adversary on a one-output compile result over its certified region (`seed`: the samples'). */
export function float32Search(r: CompileResult, seed: number): Float32Search {
  oneOutput(r.outputs);
  const names = r.inputs;
  const box = names.map((v) => r.region.box[v]!);
  const ranges = Object.entries(r.region.ranges)
    .map(([text, range]) => ({ text, expr: parseFormula(text, '--range').expr, range }));
  const parsed = parseWithBands(r.expr, r.region.exclude, names);
  const { formula, bands } = resolveBands(parsed, r.region.exclude, names, r.region.box, ranges, false);
  const region = formulaRegion(names, box, ranges, bands);
  const samples = region.sample(SEARCH.samples, seed).samples;
  const floor = UNIT_ROUNDOFF.float32 * magnitude(r.outputRange);
  if (!samples) return { adversarial: null, floor, evaluations: 0 };
  const adv = float32Adversary({
    net: r.network, expr: formula.expr, box, inside: (x) => region.holds(Array.from(x)), samples,
    starts: SEARCH.starts, maxEvaluations: SEARCH.samples + SEARCH.evaluations, seed,
  });
  return { adversarial: adv.worst, floor, evaluations: adv.evaluations };
}
