/**
 * `knotnet/train`: constructed networks against trained ones, with TensorFlow.js (an optional
 * dependency: install @tensorflow/tfjs, and @tensorflow/tfjs-backend-wasm for speed). Call
 * `initTfjs` from `knotnet/runtime` first to pick the backend. Models are typed by knotnet's
 * own TF.js types (TfjsSequential, …), so these types check without tfjs installed.
 *
 * @module knotnet/train
 */
export { compareWithTraining, heldOutErrors, runtimeErrors, sameSizeWidths, fineTuneRate, MLP_CAP, type CompareInput,
  type CompareRow } from './compare.ts';
export { askerModel, reluMlp, modelFromNetwork, networkFromModel, LEAKY_ALPHA } from './models.ts';
export { trainFor, scalingOf, type Scaling, type TrainPoint } from './train.ts';
export type { TfjsLayer, TfjsModel, TfjsSequential, TfjsTensor, TfjsIOHandler } from './tfjs-types.ts';
