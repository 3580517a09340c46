/**
 * The error metadata of a float32 file. A file's `certifiedMax` is the certificate of the
 * network as that file evaluates it, so a float32 file stores its float32 bound there (the
 * float64 one as `certifiedMaxFloat64`), and so does each entry of `outputs` (several-output
 * files, whose entries carry both bounds). One mapping for every writer (the CLI's exports, the
 * page's downloads): a float32 file that stored a float64 bound would claim less than is proven.
 */
export function float32ErrorMeta(
  error: Record<string, unknown>, certified64: number, certified32: number, rounding32?: number,
): Record<string, unknown> {
  const { measuredMax, measuredRms, ...rest } = error;
  return {
    ...rest, certifiedMaxFloat64: certified64, certifiedMax: certified32, ...float64Measured(measuredMax, measuredRms),
    ...(rounding32 !== undefined ? { float32RoundingBound: rounding32 } : {}),
    ...(Array.isArray(error.outputs) ? { outputs: error.outputs.map(float32Output) } : {}),
  };
}

/** One output's entry: its float32 bound as the file's own (certifiedMax), the float64 one beside it. */
function float32Output(o: unknown): unknown {
  const { certifiedMax, certifiedMaxFloat32, measuredMax, measuredRms, ...rest } = o as Record<string, unknown>;
  return { ...rest, certifiedMax: certifiedMaxFloat32, certifiedMaxFloat64: certifiedMax,
    ...float64Measured(measuredMax, measuredRms) };
}

/**
 * The sampled errors, measured in float64 evaluation, under float64 names: in a float32 file a
 * `measuredMax` beside the float32 `certifiedMax` would read as a float32 measurement.
 */
function float64Measured(max: unknown, rms: unknown): Record<string, unknown> {
  return { ...(max !== undefined ? { measuredMaxFloat64: max } : {}),
    ...(rms !== undefined ? { measuredRmsFloat64: rms } : {}) };
}
