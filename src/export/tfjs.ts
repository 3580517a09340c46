/**
 * Network → TensorFlow.js LayersModel artifacts ("layers-model" format): a model.json with a
 * Keras-style Sequential topology of Dense layers plus one little-endian float32 weight file.
 *
 * The topology mirrors what tfjs-layers 4.x itself writes from `model.save()` (class_name
 * "Sequential", config.layers of "Dense" with units/activation/use_bias, batch_input_shape on
 * the first layer), so `tf.loadLayersModel` reads it without converters. Keras stores a
 * Dense kernel as [in, out]; our rows are outputs, so each kernel is transposed.
 *
 * TensorFlow.js layers compute in float32 only, so weights are always float32.
 */
import { InputError } from '../errors.ts';
import { checkNetwork } from '../validate.ts';
import { validateNetwork, type Network } from '../net/network.ts';
import { concatBytes, toLittleEndian, transposeRows } from './bytes.ts';

export const TFJS_WEIGHTS_FILE = 'weights.bin';
export const TFJS_MODEL_FILE = 'model.json';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The model.json document (tfjs `ModelJSON`). */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  userDefinedMetadata: Record<string, unknown>;
}

export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  weightsBin: Uint8Array;
  weightsFileName: typeof TFJS_WEIGHTS_FILE;
}

/**
 * Builds the artifacts. `dtype` exists for symmetry with the other exporters and must be
 * float32; `metadata` lands in model.json's userDefinedMetadata beside the variable names.
 */
export function toTfjsLayers(net: Network, dtype: 'float32' = 'float32', metadata: Record<string,
  unknown> = {}): TfjsArtifacts {
  if ((dtype as string) !== 'float32') {
    throw new InputError('--dtype', 'be float32 for a TensorFlow.js export (tfjs layers store float32 weights only)',
      dtype, { field: 'dtype', code: 'not-float32' });
  }
  checkNetwork(net);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new InputError('metadata',
    'be a record', String(metadata), { field: 'metadata', code: 'wrong-type' });
  validateNetwork(net);
  const layers: Record<string, unknown>[] = [];
  const specs: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  net.layers.forEach((layer, i) => {
    const name = `dense_${i + 1}`;
    const config: Record<string, unknown> = {
      units: layer.outSize,
      activation: layer.activation,
      use_bias: true,
      kernel_initializer: { class_name: 'Zeros', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
      dtype: 'float32',
    };
    if (i === 0) config.batch_input_shape = [null, layer.inSize];
    layers.push({ class_name: 'Dense', config });
    specs.push({ name: `${name}/kernel`, shape: [layer.inSize, layer.outSize], dtype: 'float32' });
    specs.push({ name: `${name}/bias`, shape: [layer.outSize], dtype: 'float32' });
    chunks.push(toLittleEndian(transposeRows(layer.weights, layer.outSize, layer.inSize), 'float32',
      `layer ${i}'s weights`));
    chunks.push(toLittleEndian(layer.bias, 'float32', `layer ${i}'s bias`));
  });
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'knotnet',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'knotnet', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
      userDefinedMetadata: { ...metadata, inputs: [...net.inputs], outputs: [...net.outputs], dtype: 'float32' },
    },
    weightsBin: concatBytes(chunks),
    weightsFileName: TFJS_WEIGHTS_FILE,
  };
}
