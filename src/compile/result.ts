import { assertMeasuredWithinCertified } from '../errors.ts';
import { float32Rounding, type RoundingScope } from './float32cert.ts';
import type { Graph } from './graph.ts';
import { defaultMeasureCount, formulaNodes, measureOnRegion } from './measure.ts';
import type { Best } from './plansearch.ts';
import { magnitude, type Range } from './ranges.ts';
import type { GivenRanges, Request } from './request.ts';
import type { CompileOptions, CompileResult } from './types.ts';
import { nameRecord } from '../expr/names.ts';
import { withCharge } from './constants.ts';

/** The compiled graph a result reports on: its nodes' ranges, the live nodes and the stated ranges. */
export interface Compiled { g: Graph; ranges: Range[]; live: Set<number>; given: GivenRanges }

/** The stated subexpression ranges by their text, as tightened by propagation (the region's record). */
function statedRanges(c: Compiled): Record<string, Range> {
  const out = nameRecord<Range>();
  for (const id of c.given.keys()) out[c.g.nodes[id]!.text] = c.ranges[id]!;
  return out;
}

/** The region a result's certificate covers: the box, the stated ranges and the --exclude bands (when any). */
export function certifiedRegion(o: CompileOptions, c: Compiled): CompileResult['region'] {
  return { box: o.vars, ranges: statedRanges(c), ...(o.exclude?.length ? { exclude: [...o.exclude] } : {}) };
}

/**
 * The result of a one-output compile: the best network measured on fresh samples of its
 * certified region (measure.ts; a measured error above the certified one is a bug, reported
 * as such), and its float32 bound (certified for a float32 build, computed here otherwise).
 * `charge` (constants.ts) bounds the effect of the formula's rounded constants: added to the
 * construction and to every certificate.
 */
export function singleResult(
  o: CompileOptions, req: Request, c: Compiled, best: Best, scope: RoundingScope, charge = 0,
): CompileResult {
  const { built, rounding } = best;
  const [total, total32] = [withCharge(best.total, charge), withCharge(best.total32, charge)];
  const construction = withCharge(built.errorOut, charge);
  const { g, ranges, live } = c;
  const inputs = req.inputs;
  const expr = req.formulas[0]!.expr;
  // The count decided once: shown here, taken by the measurement.
  const measureCount = o.measureCount ?? defaultMeasureCount(formulaNodes([expr]), inputs.length);
  o.onProgress?.('measuring', `${o.samples ? o.samples.length / inputs.length : measureCount} samples`);
  const absTol = 1e-3 * total;
  const m = measureOnRegion(expr, inputs, built.network, g, ranges, live,
    { ...o, measureCount, absTol, bands: req.bands });
  assertMeasuredWithinCertified(`compile ${o.expr}`, m.max, total, magnitude(ranges[g.output]!));
  return {
    expr: o.expr, inputs, network: built.network,
    certifiedMax: total, certifiedConstruction: construction, roundingBound: rounding,
    measuredMax: m.max, measuredRms: m.rms, measuredSamples: m.count, outsideRegion: m.outside,
    nodes: built.reports, region: certifiedRegion(o, c), hints: built.hints,
    certifiedMaxFloat32: scope.dtype === 'float32' ? total32 : construction + float32Rounding(scope, built),
    outputRange: ranges[g.output]!,
  };
}
