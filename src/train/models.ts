import { tfjs } from './tf.ts';
import { denseLayer, type DenseLayer, type Network } from '../net/network.ts';
import type { TfjsLayer, TfjsSequential } from './tfjs-types.ts';

/**
 * TensorFlow.js models for the comparison, and their exact conversion to knotnet Networks
 * (so every network is measured by the same evaluator and exported by the same exporters).
 */

/** The asker's Keras model: 3 → Dense 6 linear → Dense 12 LeakyReLU → Dense 12 LeakyReLU → 1. */
export function askerModel(nIn: number, seed: number): TfjsSequential {
  const tf = tfjs();
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [nIn], units: 6, activation: 'linear', kernelInitializer: init(1) }));
  m.add(tf.layers.dense({ units: 12, kernelInitializer: init(2) }));
  m.add(tf.layers.leakyReLU({ alpha: LEAKY_ALPHA }));
  m.add(tf.layers.dense({ units: 12, kernelInitializer: init(3) }));
  m.add(tf.layers.leakyReLU({ alpha: LEAKY_ALPHA }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: init(4) }));
  return m;
}

/** Keras' LeakyReLU default slope. */
export const LEAKY_ALPHA = 0.3;

/** A ReLU MLP with the given hidden widths (He initialization, seeded). */
export function reluMlp(nIn: number, widths: number[], seed: number): TfjsSequential {
  const tf = tfjs();
  const m = tf.sequential();
  widths.forEach((units, i) => m.add(tf.layers.dense({ ...(i === 0 ? { inputShape: [nIn] } : {}), units,
    activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + i }) })));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }));
  return m;
}

/** A tfjs model holding a knotnet network's weights (kernels transposed to [in, out]). */
export function modelFromNetwork(net: Network): TfjsSequential {
  const tf = tfjs();
  const m = tf.sequential();
  net.layers.forEach((l, i) => {
    const layer = tf.layers.dense({ ...(i === 0 ? { inputShape: [l.inSize] } : {}), units: l.outSize,
      activation: l.activation === 'relu' ? 'relu' : 'linear' });
    m.add(layer);
    const kernel = new Float32Array(l.inSize * l.outSize);
    for (let r = 0; r < l.outSize; r++) for (let c = 0; c < l.inSize; c++) kernel[c * l.outSize
      + r] = l.weights[r * l.inSize + c]!;
    layer.setWeights([tf.tensor2d(kernel, [l.inSize, l.outSize]), tf.tensor1d(Float32Array.from(l.bias))]);
  });
  return m;
}

/** Reads a tfjs Dense layer as ours (rows = outputs). */
function readDense(layer: TfjsLayer, activation: 'relu' | 'linear'): DenseLayer {
  const [k, b] = layer.getWeights();
  const [inSize, outSize] = k!.shape as [number, number];
  const kernel = k!.dataSync();
  const w = new Float64Array(inSize * outSize);
  for (let r = 0; r < outSize; r++) for (let c = 0; c < inSize; c++) w[r * inSize + c] = kernel[c * outSize + r]!;
  return denseLayer(activation, inSize, outSize, w, b!.dataSync());
}

/**
 * Converts a trained model to a plain ReLU Network, exactly (in real arithmetic):
 * Dense(relu) and Dense(linear) layers map one to one; a linear hidden layer is merged into
 * the next; LeakyReLU(z) = relu(z) − α·relu(−z) doubles the units of its layer.
 * Input standardization x' = (x − μ)/σ and output y = μ_y + σ_y·y' fold into the first and
 * last layers.
 */
export function networkFromModel(
  model: TfjsSequential, inputs: string[], scaling?: { mu: number[]; sigma: number[]; yMu: number; ySigma: number },
): Network {
  const layers: DenseLayer[] = [];
  let pendingLinear: DenseLayer | null = null;
  const ls = model.layers;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    const cls = l.getClassName();
    if (cls !== 'Dense') throw new RangeError(`unexpected layer ${cls}`);
    const act = (l.getConfig().activation as string) ?? 'linear';
    const leaky = ls[i + 1]?.getClassName() === 'LeakyReLU';
    let d = readDense(l, act === 'relu' ? 'relu' : 'linear');
    if (pendingLinear) { d = compose(pendingLinear, d); pendingLinear = null; }
    if (leaky) {
      i++;
      // Units doubled: relu(z) and relu(−z); the next layer reads them with weights (v, −α·v).
      layers.push(denseLayer('relu', d.inSize, 2 * d.outSize, [...d.weights, ...d.weights.map((v) => -v)], [...d.bias,
        ...d.bias.map((v) => -v)]));
      pendingLinear = denseLayer('linear', 2 * d.outSize, d.outSize, leakyReadout(d.outSize),
        new Float64Array(d.outSize));
      continue;
    }
    if (act !== 'relu' && i < ls.length - 1) { pendingLinear = d; continue; }
    layers.push(d);
  }
  if (pendingLinear) layers.push(pendingLinear);
  if (scaling) {
    const first = layers[0]!;
    const w = Float64Array.from(first.weights);
    const b = Float64Array.from(first.bias);
    for (let r = 0; r < first.outSize; r++) for (let c = 0; c < first.inSize; c++) {
      const k = r * first.inSize + c;
      b[r]! -= (w[k]! * scaling.mu[c]!) / scaling.sigma[c]!;
      w[k] = w[k]! / scaling.sigma[c]!;
    }
    layers[0] = { ...first, weights: w, bias: b };
    const last = layers[layers.length - 1]!;
    layers[layers.length - 1] = { ...last, weights: last.weights.map((v) => v * scaling.ySigma),
      bias: last.bias.map((v) => v * scaling.ySigma + scaling.yMu) };
  }
  return { inputs, outputs: ['y'], layers };
}

/** [I, −α·I]: reads leaky(z) back from (relu(z), relu(−z)). */
function leakyReadout(n: number): Float64Array {
  const w = new Float64Array(n * 2 * n);
  for (let r = 0; r < n; r++) { w[r * 2 * n + r] = 1; w[r * 2 * n + n + r] = -LEAKY_ALPHA; }
  return w;
}

/** b∘a for a linear layer a followed by b: weights W_b·W_a, bias W_b·b_a + b_b. */
function compose(a: DenseLayer, b: DenseLayer): DenseLayer {
  const w = new Float64Array(b.outSize * a.inSize);
  const bias = Float64Array.from(b.bias);
  for (let r = 0; r < b.outSize; r++) {
    for (let m = 0; m < a.outSize; m++) {
      const v = b.weights[r * b.inSize + m]!;
      if (v === 0) continue;
      bias[r]! += v * a.bias[m]!;
      for (let c = 0; c < a.inSize; c++) w[r * a.inSize + c]! += v * a.weights[m * a.inSize + c]!;
    }
  }
  return denseLayer(b.activation, a.inSize, b.outSize, w, bias);
}
