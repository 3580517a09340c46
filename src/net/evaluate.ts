import { InputError } from '../errors.ts';
import { checkNetwork, choice, DTYPES } from '../validate.ts';
import type { DenseLayer, Network } from './network.ts';

/** Values per chunk buffer: small enough to stay in cache and to reuse, large enough to amortize the loops. */
const CHUNK_VALUES = 1 << 16;

/**
 * Batch evaluation. `x` is row-major batch × inputs; the result is batch × outputs.
 *
 * float64: plain IEEE double arithmetic, summing each row's products in column order and
 * adding the bias last — the same order as the plain loop the JSON contract describes.
 * float32: every weight, input, product, partial sum and bias addition rounded to float32
 * (Math.fround), as a float32 runtime without fused multiply-add computes; a runtime that
 * reorders sums or fuses may differ in the last bits, which the float32 rounding bound
 * (net/rounding.ts) covers because it bounds any summation order.
 * Rows go through the layers in chunks of about 2^16 values per layer, in two buffers reused
 * from chunk to chunk (allocating one large array per layer costs more than the arithmetic).
 */
export function evaluate(net: Network, x: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64'): Float64Array {
  checkNetwork(net);
  choice(dtype, 'dtype', DTYPES);
  const nIn = net.inputs.length;
  const nOut = net.outputs.length;
  const batch = Math.floor(x?.length / nIn);
  if (!(batch * nIn === x?.length)) throw new InputError('x', `hold whole rows of the ${nIn} inputs (batch × inputs)`,
    `${String(x?.length)} values`, { field: 'x', code: 'wrong-length' });
  const widest = Math.max(nIn, ...net.layers.map((l) => l.outSize));
  const rowsPerChunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_VALUES / widest)));
  const plans = net.layers.map((l) => planLayer(l, dtype));
  const buffers = [new Float64Array(rowsPerChunk * widest), new Float64Array(rowsPerChunk * widest)] as const;
  const out = new Float64Array(batch * nOut);
  for (let r = 0; r < batch; r += rowsPerChunk) {
    const rows = Math.min(batch, r + rowsPerChunk) - r;
    const input = buffers[0];
    for (let i = 0; i < rows * nIn; i++) {
      input[i] = dtype === 'float32' ? Math.fround(x[r * nIn + i]!) : x[r * nIn + i]!;
    }
    let which = 0;
    for (const plan of plans) {
      evaluateLayer(plan, buffers[which]!, buffers[1 - which]!, rows, dtype);
      which = 1 - which;
    }
    out.set(buffers[which]!.subarray(0, rows * nOut), r * nOut);
  }
  return out;
}

/** Convenience for single-input, single-output networks. */
export function evaluate1d(
  net: Network, xs: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64',
): Float64Array {
  return evaluate(net, xs, dtype);
}

/**
 * A layer ready to evaluate: its weights in the dtype's values, and by row when mostly zero.
 * float32 values are kept in Float64Arrays (each is exactly a double): one array type for
 * both dtypes keeps the kernels' element loads monomorphic (mixing the two types in one
 * process made both dtypes' evaluation 1.6–1.7× slower).
 */
interface LayerPlan {
  inSize: number; outSize: number; relu: boolean;
  weights: Float64Array; bias: Float64Array; sparse: SparseRows | null;
}

function planLayer(layer: DenseLayer, dtype: 'float64' | 'float32'): LayerPlan {
  const f32 = dtype === 'float32';
  const sparse = sparseRows(layer.weights, layer.outSize, layer.inSize);
  if (sparse && f32) sparse.val = Float64Array.from(sparse.val, Math.fround);
  return {
    inSize: layer.inSize, outSize: layer.outSize, relu: layer.activation === 'relu', sparse,
    weights: f32 ? Float64Array.from(layer.weights, Math.fround) : layer.weights,
    bias: f32 ? Float64Array.from(layer.bias, Math.fround) : layer.bias,
  };
}

function allFinite(v: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/** One layer on `rows` rows: `cur` holds rows × inSize values, `next` receives rows × outSize. */
function evaluateLayer(
  p: LayerPlan, cur: Float64Array, next: Float64Array, rows: number, dtype: 'float64' | 'float32',
): void {
  // Mostly-zero layers (clamp forms, carries): 0·x adds exactly 0 to any finite sum, so
  // visiting only the nonzero weights gives the same result, bit for bit.
  if (p.sparse && allFinite(cur, rows * p.inSize)) evaluateSparse(p, p.sparse, cur, next, rows, dtype);
  else evaluateDense(p, cur, next, rows, dtype === 'float32');
}

/**
 * The dense kernel takes four rows of the batch at a time, so each weight is loaded once for
 * four sums; every sum still adds its products in column order and the bias last (the same
 * result, bit for bit, as one row at a time), and the rows left over go one at a time. In
 * float32 every product, partial sum and bias addition is rounded (Math.fround).
 */
function evaluateDense(p: LayerPlan, cur: Float64Array, next: Float64Array, rows: number, f32: boolean): void {
  const { inSize: n, outSize, relu, weights, bias } = p;
  const f = Math.fround;
  let b = 0;
  for (; b + 4 <= rows; b += 4) {
    const x0 = b * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
    const o = b * outSize;
    for (let r = 0; r < outSize; r++) {
      const wo = r * n;
      const bb = bias[r]!;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      if (f32) {
        for (let c = 0; c < n; c++) {
          const w = weights[wo + c]!;
          s0 = f(s0 + f(w * cur[x0 + c]!)); s1 = f(s1 + f(w * cur[x1 + c]!));
          s2 = f(s2 + f(w * cur[x2 + c]!)); s3 = f(s3 + f(w * cur[x3 + c]!));
        }
        s0 = f(s0 + bb); s1 = f(s1 + bb); s2 = f(s2 + bb); s3 = f(s3 + bb);
      } else {
        for (let c = 0; c < n; c++) {
          const w = weights[wo + c]!;
          s0 += w * cur[x0 + c]!; s1 += w * cur[x1 + c]!; s2 += w * cur[x2 + c]!; s3 += w * cur[x3 + c]!;
        }
        s0 += bb; s1 += bb; s2 += bb; s3 += bb;
      }
      next[o + r] = relu && s0 < 0 ? 0 : s0;
      next[o + outSize + r] = relu && s1 < 0 ? 0 : s1;
      next[o + 2 * outSize + r] = relu && s2 < 0 ? 0 : s2;
      next[o + 3 * outSize + r] = relu && s3 < 0 ? 0 : s3;
    }
  }
  for (; b < rows; b++) {
    for (let r = 0; r < outSize; r++) {
      const v = f32 ? dotFloat32(p, r, cur, b * n) : dotFloat64(p, r, cur, b * n);
      next[b * outSize + r] = relu && v < 0 ? 0 : v;
    }
  }
}

/** Row r of the weights times one input row at `xo`, plus the bias. */
function dotFloat64(p: LayerPlan, r: number, cur: Float64Array, xo: number): number {
  const { inSize: n, weights } = p;
  let s = 0;
  for (let c = 0; c < n; c++) s += weights[r * n + c]! * cur[xo + c]!;
  return s + p.bias[r]!;
}

/** As dotFloat64 in float32 arithmetic. */
function dotFloat32(p: LayerPlan, r: number, cur: Float64Array, xo: number): number {
  const { inSize: n, weights } = p;
  const f = Math.fround;
  let s = 0;
  for (let c = 0; c < n; c++) s = f(s + f(weights[r * n + c]! * cur[xo + c]!));
  return f(s + p.bias[r]!);
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

function evaluateSparse(p: LayerPlan, m: SparseRows, cur: Float64Array, next: Float64Array, rows: number,
  dtype: 'float64' | 'float32'): void {
  const f = Math.fround;
  const { inSize, outSize, bias, relu } = p;
  const val = m.val;
  for (let i = 0; i < rows; i++) {
    const xo = i * inSize;
    for (let r = 0; r < outSize; r++) {
      let s = 0;
      if (dtype === 'float64') {
        for (let k = m.start[r]!; k < m.start[r + 1]!; k++) s += val[k]! * cur[xo + m.col[k]!]!;
        s += bias[r]!;
      } else {
        for (let k = m.start[r]!; k < m.start[r + 1]!; k++) s = f(s + f(val[k]! * cur[xo + m.col[k]!]!));
        s = f(s + bias[r]!);
      }
      next[i * outSize + r] = relu && s < 0 ? 0 : s;
    }
  }
}
