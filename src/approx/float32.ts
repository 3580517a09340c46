/**
 * The float32 layout of a 1-D approximation lives in clampform.ts (the clamp form it builds);
 * this module keeps the old import path for cli/approx.ts, web/ui and src/index.ts.
 */
export { CLAMP_SEGMENTS_LIMIT, float32Layout, type Float32Layout } from './clampform.ts';
