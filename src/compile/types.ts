import type { Network } from '../net/network.ts';
import type { Range } from './ranges.ts';

/** Options of `compileFormula`: a formula, the box of its inputs, and the max error to certify. */
export interface CompileOptions {
  /** Formula in one or more variables, e.g. "sqrt(dx^2+dy^2+dz^2)". */
  expr: string;
  /** Range [a, b] of every variable, a < b finite; the keys' order is the network's input order. */
  vars: Record<string, Range>;
  /** Ranges of subexpressions, keyed by their text (e.g. "dx^2+dy^2+dz^2"). */
  ranges?: Record<string, Range>;
  /**
   * Bands cut out of the region, "formula=center±halfwidth" (compile/bands.ts): the certificate
   * covers the rest, and jumps (sign, floor, step, comparisons, …) are accepted where the bands
   * keep their arguments away from every jump point (compile/jumpgap.ts).
   */
  exclude?: string[];
  /** Certified max error to reach over the region (> 0). */
  maxError: number;
  /** Most segments any one node may use. */
  maxSegments?: number;
  /** Fresh samples for the measured error (rows × vars, in `vars` order); default: uniform in the region. */
  samples?: Float64Array;
  /** How many fresh uniform samples measure the error when `samples` is not given. */
  measureCount?: number;
  /**
   * Seconds of work the request may take (default 60): refused at once (InputError on maxError)
   * when the estimate from its plan is longer, and stopped with a WorkError ('work-limit') when
   * its pieces' certificates and placements spend the work limit in proportion (compile/cost.ts).
   */
  maxSeconds?: number;
  /** Called as each long step starts (planning attempts, float32 analysis, measuring), for progress lines. */
  onProgress?: (step: string, detail: string) => void;
  /** Seed of those samples (a whole number >= 0). */
  seed?: number;
  /** Deep (sawtooth) squares: 'auto' picks per node what needs fewer units (default). */
  deep?: 'auto' | 'never' | 'always';
  /** Most hidden layers (default 64). */
  maxDepth?: number;
  /** Force this many sawtooth levels for every deep square (else sized to its budget). */
  deepLevels?: number;
  /**
   * The dtype the network must keep --max-error in. 'float32' certifies the float32 evaluation
   * (and builds sums of at most `maxFanIn` terms, 4 by default, so its rounding stays small).
   */
  dtype?: 'float64' | 'float32';
  /** Most terms per sum (at least 2; default 4 for float32, unlimited for float64). */
  maxFanIn?: number;
  /** What 'auto' minimizes: ReLUs (default) or parameters. */
  minimize?: 'relus' | 'params';
  /**
   * Euclidean norms sqrt(Σ a_i²) of affine forms: 'fold' builds them by angle folding
   * (compile/fold.ts), 'squares' as squares and a sqrt, 'auto' (default) builds both and keeps
   * the smaller network (by `minimize`).
   */
  norm?: 'auto' | 'fold' | 'squares';
  /**
   * Several outputs in one network (then `expr` is only a label): one graph with shared
   * subexpressions, one budget split, a certificate per output (`maxError` for those without
   * their own).
   */
  outputs?: OutputSpec[];
}

export interface OutputSpec { name: string; expr: string; maxError?: number }

/** The certificate and measurement of one output of a several-output network. */
export interface OutputReport {
  name: string;
  expr: string;
  maxError: number;
  certifiedMax: number;
  certifiedConstruction: number;
  roundingBound: number;
  certifiedMaxFloat32: number;
  measuredMax: number;
  measuredRms: number;
  outputRange: [number, number];
  /** The equal form built in place of `expr` (compile/rewritesearch.ts), when a rewrite was smaller. */
  rewritten?: string;
}

export interface NodeReport {
  id: number;
  text: string;
  kind: string;
  /** Exact range of the node's value, and the range its approximation was built on. */
  range: Range;
  builtOn?: Range;
  /** How the node was built: 'shallow' PWL, 'deep' sawtooth square (with its levels) or 'fold' (a norm). */
  construction?: 'shallow' | 'deep' | 'fold';
  levels?: number;
  /** A folded norm: the k of each fold, per level of its pairwise tree (compile/fold.ts). */
  folds?: number[][];
  /**
   * A fused node (compile/fuse.ts): the subexpression `text` built as one curve g(u), `fn` the
   * formula of g in u, read at the affine form `form` of the inputs.
   */
  fused?: { fn: string; form: string };
  /** Error budget given and certified error of this node's own approximation. */
  budget?: number;
  certified?: number;
  /** Error of the node's value including everything upstream (sound composition). */
  errorIn: number;
  relus: number;
  segments?: number;
}

/** What `compileFormula` built: the network, its certified and measured errors, per-node details. */
export interface CompileResult {
  expr: string;
  inputs: string[];
  network: Network;
  certifiedMax: number;
  /** The construction's own bound and the float64 rounding bound of the network. */
  certifiedConstruction: number;
  roundingBound: number;
  measuredMax: number;
  measuredRms: number;
  measuredSamples: number;
  /** Certified max error of the network evaluated in float32 (construction + float32 rounding). */
  certifiedMaxFloat32: number;
  /** Range of the formula's value over the certified region. */
  outputRange: [number, number];
  /** Known pre-activation ranges per hidden layer, for rounding analyses of exports. */
  hints: { lo: Float64Array; hi: Float64Array }[];
  /** Samples outside the certified region (never counted as measured inside it). */
  outsideRegion: number;
  nodes: NodeReport[];
  /** The certified region: the box, the stated ranges, and the bands cut out of it (--exclude texts). */
  region: { box: Record<string, Range>; ranges: Record<string, Range>; exclude?: string[] };
  /** The equal form built in place of `expr` (compile/rewritesearch.ts), when a rewrite was smaller. */
  rewritten?: string;
  /** Several outputs: one report each, in network output order (top-level errors are their maxima). */
  outputs?: OutputReport[];
}
