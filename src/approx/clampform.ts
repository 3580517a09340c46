import { assertMeasuredWithinCertified, InputError } from '../errors.ts';
import { checkPwl, numberPair, ofType } from '../validate.ts';
import type { Network } from '../net/network.ts';
import { evaluate } from '../net/evaluate.ts';
import { roundingErrorBound, roundingErrorBoundSplit } from '../net/rounding.ts';
import { Program } from '../net/program.ts';
import { clampDriftBound, type Pwl } from './pwl.ts';
import type { ApproxResult } from './approximate.ts';

/**
 * The clamp form of a 1-D PWL: the network laid out for float32 (values, not slopes times
 * inputs, are what its sums carry), with its float64 and float32 certificates.
 */

/** A 1-D approximation laid out for float32, with its float64 and float32 certificates. */
export interface Float32Layout {
  network: Network;
  /** Proven max |f − network| with float64 evaluation, and with float32 evaluation. */
  certifiedMax: number;
  certifiedMaxFloat32: number;
  roundingBound: number;
  roundingBoundFloat32: number;
  /** max |f − float32 evaluation| on a grid of 8 points per segment plus the knots. */
  measuredMaxFloat32: number;
}

/** Segments up to which the float32 layout is built: its second hidden layer is n × n, dense. */
export const CLAMP_SEGMENTS_LIMIT = 2048;

/** Analyses spent on the float32 bound (branch and bound over sub-intervals of the domain). */
const SPLIT_EVALUATIONS = 512;
/** Weights visited by the float32 analyses at most (a few seconds), unless 16 analyses need more. */
const WEIGHT_BUDGET = 2e8;

/**
 * The clamp form of r's PWL (clampProgram) and its certificates: the PWL's own proven
 * error, the drift of forming the weights, and the float64/float32 rounding of the network
 * bounded over sub-intervals (so a unit clamped to a constant on a sub-interval carries no
 * error there).
 */
export function float32Layout(r: ApproxResult, f: (x: number) => number): Float32Layout {
  if (typeof r !== 'object' || r === null) throw new InputError('r', 'be the result of approximate', String(r),
    { field: 'r', code: 'wrong-type' });
  checkPwl(r.pwl, 'r.pwl');
  numberPair(r.domain, 'r.domain');
  ofType(f, 'f', 'function');
  const [a, b] = r.domain;
  const { network, hints } = clampProgram(r.pwl, r.domain, r.variable);
  const base = r.certifiedPwl + clampDriftBound(r.pwl);
  const roundingBound = roundingErrorBound(network, [a], [b], 'float64', hints)[0]!;
  // Each analysis costs about one pass over the weights (the clamp layer is n × n): fewer
  // sub-intervals for large networks keep the layout within seconds.
  const params = network.layers.reduce((s, l) => s + l.weights.length, 0);
  const evaluations = Math.max(16, Math.min(SPLIT_EVALUATIONS, Math.floor(WEIGHT_BUDGET / params)));
  const roundingBoundFloat32 = roundingErrorBoundSplit(network, [a], [b], 'float32', hints, { evaluations });
  const xs: number[] = [];
  const n = r.pwl.x.length - 1;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 8; k++) xs.push(r.pwl.x[i]! + ((r.pwl.x[i + 1]! - r.pwl.x[i]!) * k) / 8);
  }
  xs.push(b);
  const y = evaluate(network, Float64Array.from(xs), 'float32');
  let measuredMaxFloat32 = 0;
  xs.forEach((x, i) => {
    const e = Math.abs(f(x) - y[i]!);
    measuredMaxFloat32 = Math.max(measuredMaxFloat32, Number.isNaN(e) ? Infinity : e);
  });
  const certifiedMaxFloat32 = base + roundingBoundFloat32;
  assertMeasuredWithinCertified(`approx ${r.expr} (float32 layout)`, measuredMaxFloat32, certifiedMaxFloat32, r.scale);
  const certifiedMax = base + roundingBound;
  return { network, certifiedMax, certifiedMaxFloat32, roundingBound, roundingBoundFloat32, measuredMaxFloat32 };
}

/** Terms per sum in the float32 layout: wider sums become trees of exact partial sums. */
const FAN_IN = 4;

/**
 * The PWL in the clamp form, laid out for float32:
 *   u_i = relu(x − k_i),  v_i = relu(h_i − u_i),  y = y_n − Σ s_i·v_i
 * with h_i = k_{i+1} − k_i and slope s_i, since h_i − v_i = clamp(x − k_i, 0, h_i). Each term
 * s_i·v_i is at most the segment's rise |Δy_i|, so float32 roundings are charged at the size
 * of the values, not at |slope|·|x| as in pwlToNetwork, where steep first segments (sqrt near
 * 0) cancel in large sums. Sums keep at most FAN_IN terms (Program's trees of exact partial
 * sums) and the output is its lower bound plus one ReLU. Inside [k0, kn] it equals the PWL;
 * left of k0 it is y0, right of kn it is y_n. 2 ReLUs per segment plus the partial sums.
 */
function clampProgram(p: Pwl, domain: [number, number], variable: string) {
  const n = p.x.length - 1;
  const prog = new Program(1, FAN_IN);
  const x = prog.inputForm(0);
  const terms = new Map<number, number>();
  let layer = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i <= n; i++) { lo = Math.min(lo, p.y[i]!); hi = Math.max(hi, p.y[i]!); }
  for (let i = 0; i < n; i++) {
    const h = p.x[i + 1]! - p.x[i]!;
    const u = prog.addUnit(x, -p.x[i]!, [domain[0] - p.x[i]!, domain[1] - p.x[i]!]);
    const minusU = { layer: u.layer, terms: new Map([[u.index, -1]]), constant: 0 };
    const v = prog.addUnit(minusU, h, [h - Math.max(0, domain[1] - p.x[i]!), h]);
    terms.set(v.index, -(p.y[i + 1]! - p.y[i]!) / h);
    layer = v.layer;
  }
  const margin = 1e-9 * (Math.abs(lo) + Math.abs(hi)) + 1e-300;
  const out = { layer, terms, constant: p.y[n]! };
  const network = prog.toNetwork(out, lo - margin, [variable], 'y', hi + margin, true);
  return { network, hints: prog.preRanges() };
}
