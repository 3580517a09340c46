import type { DenseLayer, Network } from '../net/network.ts';

/**
 * float32 evaluation in onnxruntime's order: each output's products are accumulated by fused
 * multiply-add in column order, s ← fl32(s + w·x) with one rounding per step, and the bias is
 * added last, fl32(s + b) — what MLAS's SGEMM kernels do on an FMA machine (onnxruntime-node
 * 1.30 on x86-64 with AVX2; test/certify/adversary.test.ts checks it bit for bit). knotnet's
 * net/evaluate.ts rounds each product separately instead; the two differ in the last bits,
 * and the float32 certificates must cover both (and any other order: evaluateFloat32Reversed).
 *
 * Exactness: w·x of two float32 values is exact in float64 (48 ≤ 53 bits), so s + w·x in
 * float64 is the fused sum rounded once to 53 bits; rounding that again to 24 bits is the
 * correct single rounding except when the float64 sum lies exactly halfway between two
 * float32 values while the exact sum does not — then the float64 sum's own error (Knuth's
 * TwoSum) says which way the exact value lies, and it is rounded that way.
 */
export function evaluateFloat32Fused(net: Network, x: ArrayLike<number>): Float64Array {
  return evaluateRows(net, x, (L, o, cur) => {
    let s = 0;
    for (let k = L.start[o]!; k < L.start[o + 1]!; k++) s = fusedAdd(s, L.w[k]! * cur[L.col[k]!]!);
    return Math.fround(s + L.b[o]!);
  });
}

/**
 * float32 evaluation in a third order, which the certificates (any order) must also cover: the
 * bias first, then each product rounded on its own and added in reverse column order,
 * s ← fl32(s + fl32(w·x)). Where a row adds a large term first and small ones after, this
 * order rounds at the large magnitude once per term, where the column order may not.
 */
export function evaluateFloat32Reversed(net: Network, x: ArrayLike<number>): Float64Array {
  return evaluateRows(net, x, (L, o, cur) => {
    let s = L.b[o]!;
    for (let k = L.start[o + 1]! - 1; k >= L.start[o]!; k--) {
      s = Math.fround(s + Math.fround(L.w[k]! * cur[L.col[k]!]!));
    }
    return s;
  });
}

/** A layer's nonzero float32 weights by row (nonzeroRows). */
export type Rows = ReturnType<typeof nonzeroRows>;

/** Layer by layer on float32 inputs, each row's pre-activation by `rowSum`, then the ReLU. */
function evaluateRows(
  net: Network, x: ArrayLike<number>, rowSum: (L: Rows, o: number, cur: Float64Array) => number,
): Float64Array {
  const nIn = net.inputs.length;
  const rows = Math.floor(x.length / nIn);
  const layers = net.layers.map(nonzeroRows);
  const out = new Float64Array(rows * net.outputs.length);
  const width = Math.max(nIn, ...net.layers.map((l) => l.outSize));
  let cur = new Float64Array(width), next = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++) cur[i] = Math.fround(x[r * nIn + i]!);
    for (const L of layers) {
      for (let o = 0; o < L.b.length; o++) {
        const s = rowSum(L, o, cur);
        next[o] = L.relu && s < 0 ? 0 : s;
      }
      [cur, next] = [next, cur];
    }
    out.set(cur.subarray(0, net.outputs.length), r * net.outputs.length);
  }
  return out;
}

/**
 * A layer's nonzero float32 weights by row. Skipping a zero weight leaves the same sum while
 * values are finite: a fused s + 0·x is s (−0 becomes +0, which no later step tells apart).
 * Where a value overflows to ±∞, onnxruntime's 0·∞ gives NaN and this evaluation does not.
 */
export function nonzeroRows(l: DenseLayer) {
  const start = new Int32Array(l.outSize + 1);
  const col: number[] = [], w: number[] = [];
  for (let o = 0; o < l.outSize; o++) {
    for (let c = 0; c < l.inSize; c++) {
      const v = Math.fround(l.weights[o * l.inSize + c]!);
      if (v !== 0) { col.push(c); w.push(v); }
    }
    start[o + 1] = col.length;
  }
  return { start, col: Int32Array.from(col), w: Float64Array.from(w), b: Float64Array.from(l.bias, Math.fround),
    relu: l.activation === 'relu' };
}

/** fl32(s + p) rounded once, for float32 s and an exact float64 product p (see above). */
export function fusedAdd(s: number, p: number): number {
  const sum = s + p;
  const y = Math.fround(sum);
  if (y === sum || !Number.isFinite(sum)) return y;
  const other = 2 * sum - y;
  if (Math.fround(other) !== other) return y;
  // sum is halfway between the float32 values y and `other`: the exact s + p is on the side
  // of its rounding error e, so round toward that side (e = 0 keeps ties-to-even).
  const bp = sum - s;
  const e = (s - (sum - bp)) + (p - bp);
  if (e === 0) return y;
  return (e > 0) === (other > y) ? other : y;
}

