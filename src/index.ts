/**
 * knotnet: formulas to plain ReLU networks with a certified (proven) max error.
 *
 * The whole public surface of the core, in one place (after d3's index.js). Everything here is
 * pure computation: no `node:` modules, files, console or process, so it runs in Node and in
 * browsers alike. Bad options throw an `InputError` (nothing is printed); work that cannot be
 * done within limits throws a `WorkError`. Exports to bytes are also on `knotnet/export`;
 * loading exported files into onnxruntime-node or TensorFlow.js is `knotnet/runtime` (Node
 * only); the comparison with trained networks is `knotnet/train`.
 *
 * @module knotnet
 */

// Formulas: parsing, evaluation, interval enclosures.
export { parseFormula, type Formula } from './expr/parse.ts';
export type { JumpKind, JumpSite } from './expr/jumps.ts';
export { exprToString, variablesOf, UNARY_FUNCTIONS, BINARY_FUNCTIONS, type Expr, type UnaryFn,
  type BinaryFn } from './expr/ast.ts';
export { compileFunction } from './expr/evaluate.ts';
export { enclose, type Enclosure } from './expr/interval.ts';

// One input: a one-hidden-layer network, one ReLU per segment.
export { approximate, MAX_SEGMENTS_LIMIT, type ApproxOptions, type ApproxResult,
  type SizeBy } from './approx/approximate.ts';
export { float32Layout, CLAMP_SEGMENTS_LIMIT, type Float32Layout } from './approx/clampform.ts';
export { evalPwl, pwlToNetwork, type Pwl } from './approx/pwl.ts';
export type { Placement } from './approx/placement.ts';
export type { FitKind } from './approx/fit.ts';
export type { ProgressSink } from './approx/progress.ts';

// Several inputs: a formula compiled into one network with a certified end-to-end bound.
export { compileFormula, type CompileOptions, type CompileResult, type NodeReport, type OutputReport,
  type OutputSpec } from './compile/compile.ts';
export type { Range } from './compile/ranges.ts';
// Jumps (sign, floor, comparisons, …) certified outside stated bands (CompileOptions.exclude; one variable here).
export { approximateOutsideBands } from './compile/approxbands.ts';
export { sampleBox, sampleShell } from './compile/sample.ts';

// Networks: the dense-layer form, evaluation in float64/float32, rounding bounds, JSON.
export { denseLayer, validateNetwork, networkSummary, type Network, type DenseLayer,
  type Activation } from './net/network.ts';
export { evaluate, evaluate1d } from './net/evaluate.ts';
export { roundingErrorBound, layerRanges, UNIT_ROUNDOFF, type PreRangeHints } from './net/rounding.ts';
export type { Dtype } from './net/floatformat.ts';
export { networkToJson, networkFromJson, type NetworkJson, type NetworkMeta } from './net/json.ts';

// Exporters: pure functions network → bytes (also on knotnet/export).
export { toOnnx, toSafetensors, toTfjsLayers, buildArtifacts, type ExportDtype, type OnnxOptions,
  type SafetensorsOptions, type TfjsArtifacts, type ArtifactFile } from './export/index.ts';

// Any network against a formula: a proven bound of the max error over a box, and a worst input found.
export { certify, type CertifyNetworkOptions } from './certify/entry.ts';
export type { CertifyOptions, CertifyProgress, CertifyResult } from './certify/certify.ts';
export type { RangeCondition } from './certify/formula.ts';

// Errors: every entry point checks its options before any work; a bad one throws an InputError
// whose `field` names the option in the library's terms and whose `code` is stable (the codes are
// listed on InputError, errors.ts); work beyond limits throws a WorkError (with a code too).
export { ExitCode, InputError, SoundnessError, WorkError, assertMeasuredWithinCertified, formatIssue, type InputId,
  type InputIssue } from './errors.ts';
export { ToleranceError } from './approx/tolerance.ts';

// Seeded randomness (every sample in knotnet is reproducible).
export { rng } from './random.ts';
