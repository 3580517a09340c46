import type { ApproxResult } from '../approx/approximate.ts';
import type { Float32Layout } from '../approx/clampform.ts';
import { networkSummary } from '../net/network.ts';
import { renderPairs } from './table.ts';

/** approx --json: the figures of the one-hidden-layer network and of its sizing. */
export function approxSummary(r: ApproxResult, seconds: number) {
  const s = networkSummary(r.network);
  return {
    expr: r.expr,
    variable: r.variable,
    relus: s.relus,
    layers: s.layers,
    params: s.params,
    segments: r.segments,
    knots: Array.from(r.pwl.x),
    placement: r.placement,
    fit: r.fit,
    maxError: { certified: r.certifiedMax, measured: r.measuredMax },
    rmsError: r.measuredRms,
    relativeMaxError: { certified: r.certifiedMax / r.scale, measured: r.measuredMax / r.scale },
    certifiedBreakdown: { pwl: r.certifiedPwl, float64Rounding: r.roundingBound },
    domain: { [r.variable]: r.domain }, ...(r.exclude ? { exclude: r.exclude } : {}),
    dtype: 'float64',
    seconds,
    sizingTrials: r.trials,
    ...(r.segmentsLowerBound !== undefined
      ? { segmentsLowerBound: r.segmentsLowerBound, minimal: r.segments <= r.segmentsLowerBound } : {}),
    ...(r.errorLowerBound !== undefined ? { maxErrorLowerBound: r.errorLowerBound } : {}),
  };
}

/** "minimal (no continuous PWL within E has fewer)" or "within k of minimal". */
export function minimality(segments: number, lowerBound: number): string {
  return segments <= lowerBound
    ? 'minimal (no continuous PWL within the tolerance has fewer)'
    : `within ${segments - lowerBound} of minimal (at least ${lowerBound} needed)`;
}

/** approx --json with --dtype float32: the clamp form's figures, over the one-layer network's. */
export function float32Summary(f: Float32Layout) {
  const s = networkSummary(f.network);
  return {
    relus: s.relus, layers: s.layers, params: s.params, layout: 'clamp (float32)',
    float32: { certifiedMax: f.certifiedMaxFloat32, measuredMax: f.measuredMaxFloat32,
      roundingBound: f.roundingBoundFloat32 },
    certifiedMaxFloat64Evaluation: f.certifiedMax,
  };
}

/** approx's table: the sizing, the network (the clamp form with float32) and its errors. */
export function renderApprox(r: ApproxResult, seconds: number, f32?: Float32Layout): string {
  const s = networkSummary(f32 ? f32.network : r.network);
  const certified = f32 ? f32.certifiedMax : r.certifiedMax;
  const outside = r.exclude ? ` outside ${r.exclude.join(', ')}` : '';
  return renderPairs([
    ['formula', `${r.expr} on [${r.domain[0]}, ${r.domain[1]}]${outside}`],
    ['placement / fit', `${r.placement} / ${r.fit}`],
    ['segments', r.segments],
    ...lowerBounds(r),
    ['ReLUs', f32 ? `${s.relus} (clamp form for float32: 2 per segment, sums of at most 4 terms)` : s.relus],
    ['hidden layers', s.layers],
    ['parameters', s.params],
    [`max error, certified${outside}`, certified],
    ['max error, measured', r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['relative max error (certified / max|f|)', certified / r.scale],
    ...(f32 ? [
      ['max error in float32, certified', f32.certifiedMaxFloat32],
      ['max error in float32, measured', f32.measuredMaxFloat32],
    ] as [string, number][] : []),
    ['seconds', seconds],
  ]);
}

/** The lower bounds the sizing proved: on the segments needed, and on the error of this many. */
function lowerBounds(r: ApproxResult): [string, string | number][] {
  return [
    ...(r.segmentsLowerBound !== undefined
      ? [['segments: lower bound', minimality(r.segments, r.segmentsLowerBound)]] as [string, string][] : []),
    ...(r.errorLowerBound !== undefined
      ? [['least max error with this many segments, at least', r.errorLowerBound]] as [string, number][] : []),
  ];
}
