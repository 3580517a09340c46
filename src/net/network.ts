/**
 * A plain feed-forward network: dense layers y = act(W·x + b), ReLU hidden layers and a
 * linear last layer. Weights are float64, row-major: `weights[r * inSize + c]` is the weight
 * from input c to output r (rows = outputs of the layer, as in the JSON form).
 */
import { checkNetwork } from '../validate.ts';

export type Activation = 'relu' | 'linear';

export interface DenseLayer {
  activation: Activation;
  inSize: number;
  outSize: number;
  /** Row-major, outSize × inSize. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface Network {
  inputs: string[];
  outputs: string[];
  layers: DenseLayer[];
}

export function denseLayer(
  activation: Activation,
  inSize: number,
  outSize: number,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
): DenseLayer {
  if (weights.length !== inSize * outSize) {
    throw new RangeError(`weights length (${weights.length}) does not match outSize × inSize (${outSize} × ${inSize} ` +
      `= ${outSize * inSize})`);
  }
  if (bias.length !== outSize) {
    throw new RangeError(`bias length (${bias.length}) does not match outSize (${outSize})`);
  }
  return { activation, inSize, outSize, weights: Float64Array.from(weights), bias: Float64Array.from(bias) };
}

/** Checks that consecutive layers fit and that only the last layer is linear-or-relu free. */
export function validateNetwork(net: Network): void {
  if (net.layers.length === 0) throw new RangeError('a network needs at least one layer');
  let width = net.inputs.length;
  net.layers.forEach((layer, i) => {
    if (layer.inSize !== width) {
      throw new RangeError(`layer ${i} takes ${layer.inSize} inputs but the previous layer gives ${width}`);
    }
    width = layer.outSize;
  });
  if (width !== net.outputs.length) {
    throw new RangeError(`the last layer gives ${width} outputs but the network names ${net.outputs.length}`);
  }
  const last = net.layers[net.layers.length - 1]!;
  if (last.activation !== 'linear') throw new RangeError('the last layer must be linear');
}

/** Hidden units (ReLUs): the outputs of every layer but the last. */
export function countRelus(net: Network): number {
  let n = 0;
  for (let i = 0; i < net.layers.length - 1; i++) n += net.layers[i]!.outSize;
  return n;
}

export function countHiddenLayers(net: Network): number {
  return net.layers.length - 1;
}

export function countParams(net: Network): number {
  let n = 0;
  for (const l of net.layers) n += l.weights.length + l.bias.length;
  return n;
}

export function networkSummary(net: Network): { relus: number; layers: number; params: number; widths: number[] } {
  checkNetwork(net);
  return {
    relus: countRelus(net),
    layers: countHiddenLayers(net),
    params: countParams(net),
    widths: net.layers.map((l) => l.outSize),
  };
}

/**
 * The first weight or bias that is not a finite number, described ("layer 1 weight [0, 3] =
 * NaN"), or null when all are finite. A network carrying one is never written or passed.
 */
export function nonFiniteParameter(net: Network): string | null {
  for (let i = 0; i < net.layers.length; i++) {
    const l = net.layers[i]!;
    for (let k = 0; k < l.weights.length; k++) {
      if (!Number.isFinite(l.weights[k]!)) return `layer ${i
        + 1} weight [${Math.floor(k / l.inSize)}, ${k % l.inSize}] = ${l.weights[k]}`;
    }
    for (let k = 0; k < l.bias.length; k++) if (!Number.isFinite(l.bias[k]!)) return `layer ${i
      + 1} bias [${k}] = ${l.bias[k]}`;
  }
  return null;
}

/**
 * Output `j` of a network as a network of its own: the same hidden layers, the last layer cut
 * to row j (exact: every output is its own row of the linear last layer).
 */
export function singleOutput(net: Network, j: number): Network {
  const last = net.layers[net.layers.length - 1]!;
  const row = last.weights.slice(j * last.inSize, (j + 1) * last.inSize);
  const cut = denseLayer(last.activation, last.inSize, 1, row, [last.bias[j]!]);
  return { ...net, outputs: [net.outputs[j]!], layers: [...net.layers.slice(0, -1), cut] };
}
