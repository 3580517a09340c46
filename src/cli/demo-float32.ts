import { float32Adversary } from '../certify/adversary.ts';
import { parseFormula } from '../expr/parse.ts';
import { evaluate } from '../net/evaluate.ts';
import type { Network } from '../net/network.ts';
import { T3, t3Box } from '../reference.ts';
import { UNIT_ROUNDOFF } from '../net/floatformat.ts';

/** The unit roundoff of float32, 2^-24. */

/** The demo's T3 float32 figures, each under its honest name. */
export interface Float32Figures {
  /** The proven bound of the float32 evaluation (inputs, weights and every operation rounded). */
  certified: number;
  /** max |N_f32(x) − d(x)| over the shell samples (rounded to float32 by the network, truth at x). */
  measured: number;
  /** The worst error certify/adversary.ts finds from those samples: a proven lower bound of the error. */
  adversarial: number;
  /** u·max|d| = 2^-24·2.4e7: the size of one rounding of the output, not a bound of anything. */
  floor: number;
}

/** The adversary's budget in the demo: a few seconds beside the samples' own evaluations. */
const ASCENT = { starts: 8, evaluations: 20_000, seed: 32 };

/** Whether a point lies on the T3 shell (the network's certified region). */
export function onT3Shell(x: ArrayLike<number>): boolean {
  const s = x[0]! ** 2 + x[1]! ** 2 + x[2]! ** 2;
  return s >= T3.normSquaredRange[0] && s <= T3.normSquaredRange[1];
}

/**
 * T3's float32 figures of a network with float32 certificate `certified`: measured on the shell
 * samples (row-major, `distances` their exact distances), the adversary started from them, and the floor.
 */
export function t3Float32Figures(net: Network, certified: number, shell: Float64Array,
  distances: Float64Array): Float32Figures {
  const y32 = evaluate(net, shell, 'float32');
  let measured = 0;
  for (let i = 0; i < distances.length; i++) measured = Math.max(measured, Math.abs(y32[i]! - distances[i]!));
  const box = t3Box();
  const adv = float32Adversary({
    net, expr: parseFormula(T3.expr).expr, box: net.inputs.map((v) => box[v]!), inside: onT3Shell,
    samples: shell, starts: ASCENT.starts, maxEvaluations: distances.length + ASCENT.evaluations, seed: ASCENT.seed,
  });
  return { certified, measured, adversarial: adv.worst, floor: UNIT_ROUNDOFF.float32 * T3.outer };
}
