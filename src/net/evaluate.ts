import type { Network } from './network.ts';

/**
 * Batch evaluation. `x` is row-major batch × inputs; the result is batch × outputs.
 *
 * float64: plain IEEE double arithmetic, summing each row's products in column order and
 * adding the bias last — the same order as the plain loop the JSON contract describes.
 * float32: every weight, input, product, partial sum and bias addition rounded to float32
 * (Math.fround), as a float32 runtime without fused multiply-add computes; a runtime that
 * reorders sums or fuses may differ in the last bits, which the float32 rounding bound
 * (net/rounding.ts) covers because it bounds any summation order.
 */
export function evaluate(net: Network, x: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64'): Float64Array {
  const nIn = net.inputs.length;
  const batch = Math.floor(x.length / nIn);
  if (batch * nIn !== x.length) {
    throw new RangeError(`input length (${x.length}) is not a multiple of the number of inputs (${nIn})`);
  }
  // Wide networks: evaluate in chunks of rows so no intermediate exceeds ~8M values.
  const widest = Math.max(nIn, ...net.layers.map((l) => l.outSize));
  const rowsPerChunk = Math.max(1, Math.floor(8_000_000 / widest));
  if (batch > rowsPerChunk) {
    const nOut = net.outputs.length;
    const out = new Float64Array(batch * nOut);
    const xs = Float64Array.from(x);
    for (let r = 0; r < batch; r += rowsPerChunk) {
      const end = Math.min(batch, r + rowsPerChunk);
      out.set(evaluateRows(net, xs.subarray(r * nIn, end * nIn), end - r, dtype), r * nOut);
    }
    return out;
  }
  return evaluateRows(net, x, batch, dtype);
}

function evaluateRows(net: Network, x: ArrayLike<number>, batch: number, dtype: 'float64' | 'float32'): Float64Array {
  let cur = Float64Array.from(x);
  if (dtype === 'float32') for (let i = 0; i < cur.length; i++) cur[i] = Math.fround(cur[i]!);
  for (const layer of net.layers) {
    const { inSize, outSize, weights, bias } = layer;
    const next = new Float64Array(batch * outSize);
    const relu = layer.activation === 'relu';
    const sparse = sparseRows(weights, outSize, inSize);
    if (sparse && cur.every(Number.isFinite)) {
      // Mostly-zero layers (clamp forms, carries): 0·x adds exactly 0 to any finite sum, so
      // visiting only the nonzero weights gives the same result, bit for bit.
      evaluateSparse(sparse, bias, cur, next, batch, inSize, outSize, relu, dtype);
      cur = next;
      continue;
    }
    if (dtype === 'float64') {
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        for (let r = 0; r < outSize; r++) {
          const wo = r * inSize;
          let s = 0;
          for (let c = 0; c < inSize; c++) s += weights[wo + c]! * cur[xo + c]!;
          s += bias[r]!;
          next[b * outSize + r] = relu && s < 0 ? 0 : s;
        }
      }
    } else {
      const f = Math.fround;
      const w32 = Float32Array.from(weights);
      const b32 = Float32Array.from(bias);
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        for (let r = 0; r < outSize; r++) {
          const wo = r * inSize;
          let s = 0;
          for (let c = 0; c < inSize; c++) s = f(s + f(w32[wo + c]! * cur[xo + c]!));
          s = f(s + b32[r]!);
          next[b * outSize + r] = relu && s < 0 ? 0 : s;
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Convenience for single-input, single-output networks. */
export function evaluate1d(
  net: Network, xs: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64',
): Float64Array {
  return evaluate(net, xs, dtype);
}

interface SparseRows { start: Int32Array; col: Int32Array; val: Float64Array }

/** Nonzero weights by row, when at most a quarter of the weights are nonzero. */
function sparseRows(weights: Float64Array, outSize: number, inSize: number): SparseRows | null {
  if (outSize * inSize < 4096) return null;
  let nnz = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) nnz++;
  if (nnz * 4 > weights.length) return null;
  const start = new Int32Array(outSize + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < outSize; r++) {
    start[r] = k;
    for (let c = 0; c < inSize; c++) {
      const w = weights[r * inSize + c]!;
      if (w !== 0) { col[k] = c; val[k++] = w; }
    }
  }
  start[outSize] = k;
  return { start, col, val };
}

function evaluateSparse(m: SparseRows, bias: Float64Array, cur: Float64Array, next: Float64Array, batch: number,
  inSize: number, outSize: number, relu: boolean, dtype: 'float64' | 'float32'): void {
  const f = Math.fround;
  const val = dtype === 'float32' ? Float64Array.from(m.val, f) : m.val;
  const b = dtype === 'float32' ? Float64Array.from(bias, f) : bias;
  for (let i = 0; i < batch; i++) {
    const xo = i * inSize;
    for (let r = 0; r < outSize; r++) {
      let s = 0;
      if (dtype === 'float64') {
        for (let k = m.start[r]!; k < m.start[r + 1]!; k++) s += val[k]! * cur[xo + m.col[k]!]!;
        s += b[r]!;
      } else {
        for (let k = m.start[r]!; k < m.start[r + 1]!; k++) s = f(s + f(val[k]! * cur[xo + m.col[k]!]!));
        s = f(s + b[r]!);
      }
      next[i * outSize + r] = relu && s < 0 ? 0 : s;
    }
  }
}
