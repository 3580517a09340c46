/**
 * The answer's recipe for the distance, sized by formula for a max error E: equally spaced
 * knots for x² on [−R, R] per coordinate (interpolation error h²/4 for x²) and for sqrt on
 * the sum's range [sLo, sHi] (interpolation error h²·max|f''|/8, max|f''| = sLo^(−3/2)/4),
 * with the tolerance split between the two stages as well as possible:
 *   E = e_sqrt + d·e_sq / (2·sqrt(sLo)).
 * This is the baseline our constructions are measured against (not something we build).
 */
export function equalSpacingDistanceRelus(
  E: number, o: { dims: number; R: number; sLo: number; sHi: number },
): { relus: number; squareRelus: number; sqrtRelus: number } {
  const lip = 1 / (2 * Math.sqrt(o.sLo));
  const f2max = Math.pow(o.sLo, -1.5) / 4;
  let best = { relus: Infinity, squareRelus: 0, sqrtRelus: 0 };
  for (let k = 1; k < 1000; k++) {
    const eS = (E * k) / 1000;
    const eSq = (E - eS) / (o.dims * lip);
    const perCoord = Math.ceil((2 * o.R) / Math.sqrt(4 * eSq));
    const sqrtRelus = Math.ceil((o.sHi - o.sLo) / Math.sqrt((8 * eS) / f2max));
    const relus = o.dims * perCoord + sqrtRelus;
    if (relus < best.relus) best = { relus, squareRelus: o.dims * perCoord, sqrtRelus };
  }
  return best;
}
