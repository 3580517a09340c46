/**
 * The TensorFlow.js objects that knotnet's public signatures name, as knotnet's own structural
 * types: the .d.ts files of `knotnet/train` and `knotnet/runtime` then import nothing from
 * @tensorflow/tfjs (an optional dependency), so a TypeScript project without it type-checks
 * them (no TS2307, no skipLibCheck needed). The real objects satisfy these types: the
 * compiler checks it wherever knotnet hands one out. For the rest of their API, cast to the
 * tfjs type (`model as tf.Sequential`).
 */

/** A tensor (tf.Tensor): its shape, its values, its memory. */
export interface TfjsTensor {
  readonly shape: number[];
  /** The values, row-major (a typed array for numeric tensors). */
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/** A layer of a model (tf.layers.Layer): its class, its configuration and its weight tensors. */
export interface TfjsLayer {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): TfjsTensor[];
}

/** A loaded or built model (tf.LayersModel). */
export interface TfjsModel {
  /** Symbolic inputs and outputs; `shape` is [batch (null), width]. */
  readonly inputs: { readonly shape: (number | null)[] }[];
  readonly outputs: { readonly shape: (number | null)[] }[];
  readonly layers: TfjsLayer[];
  /** The model on a batch: a tensor (tf.Tensor, or a list of them for several outputs). */
  predict(x: TfjsTensor | TfjsTensor[]): unknown;
  /** What the model file stored under "userDefinedMetadata", if anything. */
  getUserDefinedMetadata(): object | undefined;
  /** Frees the weights' memory; the model is unusable afterwards. */
  dispose(): unknown;
}

/** A model built layer by layer (tf.Sequential), as the training comparison makes them. */
export type TfjsSequential = TfjsModel;

/** A loader TensorFlow.js reads a model through (tf.io.IOHandler; pass it to tf.loadLayersModel). */
export interface TfjsIOHandler {
  /** The model's topology, weight specs and weight bytes (tf.io.ModelArtifacts). */
  load(): Promise<object>;
}
