/**
 * How many cases a property test runs: `quick` in `npm test`, or KNOTNET_PROPERTY_RUNS when
 * set (the long run, README "Set up"; e.g. KNOTNET_PROPERTY_RUNS=200). Seeds stay fixed.
 */
export function propertyRuns(quick: number): number {
  const n = Number(process.env.KNOTNET_PROPERTY_RUNS ?? 0);
  return Number.isInteger(n) && n > 0 ? n : quick;
}
