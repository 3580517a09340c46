import { InputError } from '../errors.ts';
import { denseLayer, type DenseLayer, type Network } from '../net/network.ts';
import { validNetwork } from './bytes.ts';

/**
 * A chain of dense layers and activations (as model files describe them) → the plain network
 * form, exactly in real arithmetic: nothing is multiplied out. A LeakyReLU becomes
 * relu(z) − α·relu(−z): its layer's units doubled ([W; −W], [b; −b], ReLU) and a linear
 * read-out layer [I, −α·I] (as src/train does, but without merging the read-out into the next
 * layer, which would round α·v). Linear Dense layers stay linear hidden layers for the same
 * reason. An activation outside ReLU/LeakyReLU/identity is refused by the caller, by name.
 */
export type Step =
  | { kind: 'dense'; weights: Float64Array; bias: Float64Array; inSize: number; outSize: number }
  | { kind: 'relu' }
  | { kind: 'leaky'; alpha: number };

export function plainFromSteps(steps: readonly Step[], inputs: string[] | null, outputs: string[] | null,
  source: string): Network {
  const layers: DenseLayer[] = [];
  for (const s of steps) {
    const last = layers[layers.length - 1];
    if (s.kind === 'dense') {
      layers.push(denseLayer('linear', s.inSize, s.outSize, s.weights, s.bias));
      continue;
    }
    if (!last) throw new InputError(source, 'start with a dense layer (an activation on the inputs is not supported)',
      s.kind, { field: 'bytes', code: 'unsupported' });
    if (last.activation === 'relu') continue; // relu∘relu = relu, leaky∘relu = relu
    if (s.kind === 'relu' || s.alpha === 0) { layers[layers.length - 1] = { ...last, activation: 'relu' }; continue; }
    if (!Number.isFinite(s.alpha)) throw new InputError(`${source} LeakyReLU alpha`, 'be a finite number', s.alpha,
      { field: 'bytes', code: 'malformed' });
    layers[layers.length - 1] = denseLayer('relu', last.inSize, 2 * last.outSize,
      [...last.weights, ...last.weights.map((v) => -v)], [...last.bias, ...last.bias.map((v) => -v)]);
    const n = last.outSize;
    const readout = new Float64Array(n * 2 * n);
    for (let r = 0; r < n; r++) { readout[r * 2 * n + r] = 1; readout[r * 2 * n + n + r] = -s.alpha; }
    layers.push(denseLayer('linear', 2 * n, n, readout, new Float64Array(n)));
  }
  if (layers.length === 0) throw new InputError(source, 'hold at least one dense layer', 'none',
    { field: 'bytes', code: 'malformed' });
  const end = layers[layers.length - 1]!;
  if (end.activation === 'relu') layers.push(denseLayer('linear', end.outSize, end.outSize, identity(end.outSize),
    new Float64Array(end.outSize)));
  const nIn = layers[0]!.inSize, nOut = layers[layers.length - 1]!.outSize;
  const net: Network = {
    inputs: inputs ?? Array.from({ length: nIn }, (_, i) => `x${i}`),
    outputs: outputs ?? Array.from({ length: nOut }, (_, i) => `y${i}`),
    layers,
  };
  return validNetwork(net, source, 'describe a chain of layers whose sizes fit');
}

function identity(n: number): Float64Array {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  return w;
}

/** Every hidden ReLU layer of `net` read as LeakyReLU(α) (a state dict does not record its activations). */
export function asLeaky(net: Network, alpha: number, source: string): Network {
  const steps: Step[] = [];
  net.layers.forEach((l, i) => {
    steps.push({ kind: 'dense', weights: l.weights, bias: l.bias, inSize: l.inSize, outSize: l.outSize });
    if (l.activation === 'relu' && i < net.layers.length - 1) steps.push({ kind: 'leaky', alpha });
  });
  return plainFromSteps(steps, net.inputs, net.outputs, source);
}
