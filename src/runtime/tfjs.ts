/**
 * Loads and runs TensorFlow.js LayersModels in Node without tfjs-node: a small IOHandler
 * reads model.json and its weight files from a directory (tfjs has no file:// handler
 * unless tfjs-node is installed), and the WebAssembly backend runs the model (the cpu
 * backend, plain JavaScript, is the fallback). Node-only: reads files.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { TFJS_MODEL_FILE } from '../export/tfjs.ts';
import { importOptional } from '../optional.ts';
import { readTfjsFolder } from './tfjs-files.ts';
import type { TfjsIOHandler, TfjsModel } from '../train/tfjs-types.ts';

export type TfjsBackend = 'wasm' | 'cpu';

let ready: Promise<TfjsBackend> | null = null;
let wasmPathsSet = false;
let tfModule: Promise<typeof Tf> | undefined;

/** TensorFlow.js, loaded on first use (an optional dependency). */
function loadTf(): Promise<typeof Tf> {
  tfModule ??= importOptional('@tensorflow/tfjs', 'TensorFlow.js', () => import('@tensorflow/tfjs'));
  return tfModule;
}

/**
 * The @tensorflow/tfjs module, loaded on first use (an optional dependency; a missing one is a
 * WorkError naming it). Typed `unknown` so that knotnet's types do not need tfjs's: cast it to
 * `typeof import('@tensorflow/tfjs')`.
 */
export function loadTfjs(): Promise<unknown> {
  return loadTf();
}

/**
 * Registers the wasm backend and points it at the installed binaries; must precede its
 * initialization. Importing the package registers the backend.
 */
async function configureWasmPaths(): Promise<void> {
  if (wasmPathsSet) return;
  const { setWasmPaths } = await importOptional('@tensorflow/tfjs-backend-wasm', 'The TensorFlow.js wasm backend',
    () => import('@tensorflow/tfjs-backend-wasm'));
  const require = createRequire(import.meta.url);
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  wasmPathsSet = true;
}

/**
 * Selects the backend once per process: `preferred` if it initializes, else cpu. The wasm
 * binaries are loaded from the installed @tensorflow/tfjs-backend-wasm/dist, which is what
 * setWasmPaths needs in Node (there is no page URL to resolve them against). PROD mode
 * silences tfjs's console advice to install tfjs-node, which is not an error of ours.
 */
export function initTfjs(preferred: TfjsBackend = 'wasm'): Promise<TfjsBackend> {
  ready ??= (async () => {
    const tf = await loadTf();
    tf.env().set('PROD', true);
    if (preferred === 'wasm') {
      try {
        await configureWasmPaths();
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return 'wasm';
        }
      } catch {
        // fall through to cpu
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return ready;
}

/** Switches the backend explicitly (tests compare backends); later initTfjs calls keep it. */
export async function useTfjsBackend(backend: TfjsBackend): Promise<TfjsBackend> {
  await initTfjs(backend);
  const tf = await loadTf();
  if (tf.getBackend() !== backend) {
    if (backend === 'wasm') await configureWasmPaths();
    if (!(await tf.setBackend(backend))) throw new Error(`the tfjs ${backend} backend did not initialize`);
    await tf.ready();
  }
  return backend;
}

/**
 * An IOHandler that loads `dir/modelFile` and the weight files its manifest names (paths in
 * the manifest are relative to the model file, as with tfjs's http handler), read and checked
 * by readTfjsFolder before TensorFlow.js sees them (paths inside the folder, limits, layers).
 */
export function tfjsDirHandler(dir: string, modelFile: string = TFJS_MODEL_FILE): TfjsIOHandler {
  return handlerFor(dir, modelFile);
}

function handlerFor(dir: string, modelFile: string): Tf.io.IOHandler & TfjsIOHandler {
  return {
    async load() {
      const tf = await loadTf();
      const { json, specs, weights } = await readTfjsFolder(dir, modelFile);
      return tf.io.getModelArtifactsForJSON(json, async () => [specs as Tf.io.WeightsManifestEntry[],
        weights.buffer as ArrayBuffer]);
    },
  };
}

/** Loads the LayersModel in `dir` (initializing a backend first if none was chosen). */
export async function loadTfjsFromDir(dir: string, modelFile: string = TFJS_MODEL_FILE): Promise<TfjsModel> {
  await initTfjs();
  const tf = await loadTf();
  return tf.loadLayersModel(handlerFor(dir, modelFile));
}

/** Runs `x` (row-major batch × nIn) through `model` in float32; the result is widened to float64. */
export async function runTfjs(model: TfjsModel, x: ArrayLike<number>, batch: number,
  nIn: number): Promise<Float64Array> {
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * nIn) {
    throw new RangeError(`input length (${x.length}) does not match batch × inputs (${batch} × ${nIn} = ` +
      `${batch * nIn})`);
  }
  const tf = await loadTf();
  const input = tf.tensor2d(Float32Array.from(x), [batch, nIn], 'float32');
  const output = model.predict(input) as Tf.Tensor;
  try {
    return Float64Array.from(await output.data<'float32'>());
  } finally {
    input.dispose();
    output.dispose();
  }
}
