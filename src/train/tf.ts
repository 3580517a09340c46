/**
 * TensorFlow.js for knotnet/train, loaded on first use: the subpath imports without the optional
 * package, and a function that needs it throws one sentence naming it (optional.ts). Loaded with
 * require, so the model builders stay synchronous: @tensorflow/tfjs is CommonJS to Node, and
 * `import()` of it (runtime/tfjs.ts) reaches the same module instance.
 */
import { createRequire } from 'node:module';
import type * as Tf from '@tensorflow/tfjs';
import { missingOptional, missingPackage } from '../optional.ts';

const PACKAGE = '@tensorflow/tfjs';
let loaded: typeof Tf | undefined;

/** The @tensorflow/tfjs module, loaded once; a WorkError naming it when it is not installed. */
export function tfjs(): typeof Tf {
  loaded ??= requireTfjs(() => createRequire(import.meta.url)(PACKAGE));
  return loaded;
}

/** `load()` taken as the tfjs module; a missing-module error about it becomes the WorkError (tests: a failing load). */
export function requireTfjs(load: () => unknown): typeof Tf {
  try {
    return load() as typeof Tf;
  } catch (e) {
    if (missingOptional(e) === PACKAGE) throw missingPackage(PACKAGE, 'knotnet/train (training with TensorFlow.js)');
    throw e;
  }
}
