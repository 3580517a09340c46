import { roundingErrorBound, RoundingSplit } from '../net/rounding.ts';
import type { Assembled } from './assemble.ts';
import { BASE_CONE_FINE_EVALUATIONS, BASE_CONE_FINEST_EVALUATIONS } from './foldbase.ts';
import type { Region } from './region.ts';

/**
 * Rounding bounds of a built network, against the same network in exact arithmetic: float64
 * (part of every certificate) and float32 (the certificate of a --dtype float32 build, and the
 * float32 figure reported beside a float64 one). A folded norm of coordinates has its own
 * analysis (foldround.ts); a float32 build is bounded over sub-boxes that may meet the region
 * (branch and bound, RoundingSplit), any other over the whole box at once
 * (roundingErrorBound, net/rounding.ts).
 */
export interface RoundingScope {
  dtype: 'float64' | 'float32';
  boxLo: number[];
  boxHi: number[];
  region: Region;
  onProgress?: ((step: string, detail: string) => void) | undefined;
}

/** Sub-boxes analysed for a float32 build's rounding bound; more near the tolerance. */
export const FLOAT32_SPLIT_EVALUATIONS = 256;
export const FLOAT32_FINE_EVALUATIONS = 2048;

/** The float64 rounding bound of the (first) output. */
export function float64Rounding(s: RoundingScope, built: Assembled): number {
  if (built.foldRounding) return built.foldRounding('float64');
  return roundingErrorBound(built.network, s.boxLo, s.boxHi, 'float64', built.hints)[0]!;
}

/** The float32 rounding bound of the (first) output, reported as a progress step. */
export function float32Rounding(s: RoundingScope, built: Assembled): number {
  return float32Analysis(s, built)(FLOAT32_SPLIT_EVALUATIONS);
}

/**
 * The float32 rounding bound of the (first) output for a budget of sub-box evaluations, each
 * call reported as a progress step; a float32 build's branch and bound goes on from where the
 * previous call stopped (RoundingSplit), the others do not depend on the budget.
 */
function float32Analysis(s: RoundingScope, built: Assembled): (evaluations: number) => number {
  let split: RoundingSplit | undefined;
  let fold: number | undefined; // a fold's bound does not depend on the budget: computed once
  return (evaluations) => {
    s.onProgress?.('float32 analysis', `rounding bound of ${built.summary.relus} ReLUs`);
    if (built.foldRounding) return (fold ??= built.foldRounding('float32'));
    if (s.dtype !== 'float32') return roundingErrorBound(built.network, s.boxLo, s.boxHi, 'float32', built.hints)[0]!;
    split ??= new RoundingSplit(built.network, s.boxLo, s.boxHi, 'float32', built.hints,
      (lo, hi) => s.region.mayMeet(lo, hi));
    return split.refine(evaluations);
  };
}

/**
 * The certified float32 max error of a float32 build (construction + float32 rounding); near
 * the tolerance (within 25% above it) a finer split may prove what the coarse one could not.
 */
export function certifyFloat32(s: RoundingScope, built: Assembled, maxError: number): number {
  const analysis = float32Analysis(s, built);
  const total32 = built.errorOut + analysis(FLOAT32_SPLIT_EVALUATIONS);
  // The float32 fold layout (foldbase.ts): finer direction patches (its bound falls from about 19·u·|y| to
  // 7·u·|y|, and the plan search sizes the next attempt by it) unless the coarse total is well within the
  // tolerance or its rounding part alone more than three times it; finer still where the rounding part is
  // below 1.25 times the tolerance but the total above it (this attempt, or the next with less construction
  // error, may fit: T3 at 10, 115 ReLUs, 9.88 at 32,000 patches, 8.44 at 100,000).
  const rounding32 = total32 - built.errorOut;
  if (built.foldBase && built.foldRounding && s.dtype === 'float32' && total32 > 0.8 * maxError
    && rounding32 < 3 * maxError) {
    s.onProgress?.('float32 analysis', `finer direction patches for ${built.summary.relus} ReLUs`);
    const fine = Math.min(total32, built.errorOut + built.foldRounding('float32', BASE_CONE_FINE_EVALUATIONS));
    if (fine <= maxError || fine - built.errorOut >= 1.25 * maxError) return fine;
    s.onProgress?.('float32 analysis', `finest direction patches for ${built.summary.relus} ReLUs`);
    return Math.min(fine, built.errorOut + built.foldRounding('float32', BASE_CONE_FINEST_EVALUATIONS));
  }
  if (total32 > maxError && total32 < 1.25 * maxError) {
    return Math.min(total32, built.errorOut + analysis(FLOAT32_FINE_EVALUATIONS));
  }
  return total32;
}
