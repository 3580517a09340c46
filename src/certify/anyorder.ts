import type { Network } from '../net/network.ts';
import { fusedAdd, nonzeroRows, type Rows } from './float32fused.ts';

/**
 * float32 evaluations in the worst orders a runtime could take (issue 32). The float32
 * certificates hold for any order of each row's sum, and runtimes differ (onnxruntime's fused
 * column order, blocked sums of XNNPACK or WebGL, TF.js wasm); an adversary that tries three
 * fixed orders may miss what another order does. Here each row is summed in an order steered
 * to push its rounding in the direction that moves the output the chosen way:
 *
 * - the direction of a row is dir · sign(∂N/∂z), z the row's pre-activation, the gradient taken
 *   through the ReLUs active in a float64 evaluation at the point (0 where the unit is off:
 *   then the row keeps the column order);
 * - every step is one correctly rounded float32 addition of the partial sum (starting at 0)
 *   and one term: a product w·x fused (one rounding, as FMA does) or rounded first, or the
 *   bias — one mode for the whole network, as a runtime uses one kernel;
 * - a row of at most EXHAUSTIVE terms tries every order and keeps the extreme sum in its
 *   direction (the exact sum is the same for every order, so the extreme sum is the extreme
 *   rounding error); a longer row is summed greedily: at each step the term whose addition
 *   rounds furthest in the direction, plus LOOKAHEAD times the half-ulps the remaining steps
 *   can round at (large partial sums early round at a large magnitude), among the WINDOW
 *   largest terms left (a clamp form's output row has ~1,000 terms). On T3 folded for
 *   float64 (2,000 shell points) exhaustive search of rows up to 4 or 5 terms found no more.
 *
 * Every value is a float32 that some summation order of each row produces, so
 * |N_any(x) − f(x)| is an error a runtime could show, and never above a certificate that
 * holds for any order. The activation pattern is the evaluation's own (a row steered across
 * zero is cut by its ReLU as any runtime would).
 */
export const EXHAUSTIVE = 3;

/**
 * The greedy order's lookahead weight (on T3 folded for float64, 2,000 shell points: 0 found
 * 10.6, 0.15–0.5 found 12.1, 1 found 10.1; two weights together found no more than one).
 */
const LOOKAHEAD = 0.3;

/** Terms a greedy step compares (the largest left): a row of n terms costs n·WINDOW additions, not n². */
const WINDOW = 8;

/**
 * The lowest and the highest float32 output (first output) found by steered evaluations at
 * a float32 point: fused and rounded products, each steered down and up.
 */
export function anyOrderRange(net: Network): (x: ArrayLike<number>) => [number, number] {
  const layers = net.layers.map(nonzeroRows);
  const longest = Math.max(1, ...layers.map(longestRow));
  const scratch = newScratch(net, longest);
  return (x) => {
    gradient(layers, x, scratch);
    let lo = Infinity, hi = -Infinity;
    for (const fused of [true, false]) {
      hi = Math.max(hi, steered(layers, x, scratch, 1, fused));
      lo = Math.min(lo, steered(layers, x, scratch, -1, fused));
    }
    return [lo, hi];
  };
}

type Scratch = ReturnType<typeof newScratch>;

function newScratch(net: Network, longest: number) {
  const width = Math.max(net.inputs.length, ...net.layers.map((l) => l.outSize));
  return {
    /** Pre-activations (float64) and then ∂N/∂z of every layer's rows. */
    z: net.layers.map((l) => new Float64Array(l.outSize)),
    g: net.layers.map((l) => new Float64Array(l.outSize)),
    cur: new Float64Array(width), next: new Float64Array(width),
    terms: new Float64Array(longest + 1), used: new Uint8Array(longest + 1), order: new Int32Array(longest + 1),
  };
}

function longestRow(L: Rows): number {
  let m = 0;
  for (let o = 0; o < L.b.length; o++) m = Math.max(m, L.start[o + 1]! - L.start[o]! + (L.b[o] !== 0 ? 1 : 0));
  return m;
}

/** s.g[l][o] = ∂N₀/∂z_o at x (float64 evaluation, its ReLU pattern). */
function gradient(layers: Rows[], x: ArrayLike<number>, s: Scratch): void {
  let input: ArrayLike<number> = Float64Array.from(x, Math.fround);
  layers.forEach((L, l) => {
    const z = s.z[l]!;
    for (let o = 0; o < L.b.length; o++) {
      let v = L.b[o]!;
      for (let k = L.start[o]!; k < L.start[o + 1]!; k++) v += L.w[k]! * input[L.col[k]!]!;
      z[o] = v;
    }
    input = L.relu ? z.map((v) => Math.max(v, 0)) : z;
  });
  const last = s.g.length - 1;
  s.g[last]!.fill(0);
  s.g[last]![0] = 1;
  for (let l = last; l > 0; l--) {
    const L = layers[l]!, g = s.g[l]!, below = s.g[l - 1]!.fill(0);
    for (let o = 0; o < L.b.length; o++) {
      for (let k = L.start[o]!; k < L.start[o + 1]!; k++) {
        const c = L.col[k]!;
        below[c] = below[c]! + g[o]! * L.w[k]!;
      }
    }
    const zb = s.z[l - 1]!;
    if (layers[l - 1]!.relu) for (let c = 0; c < below.length; c++) if (!(zb[c]! > 0)) below[c] = 0;
  }
}

/** One float32 evaluation, each row summed in the order steered to move N₀ in direction dir; the first output. */
function steered(layers: Rows[], x: ArrayLike<number>, s: Scratch, dir: 1 | -1, fused: boolean): number {
  let cur = s.cur, next = s.next;
  for (let i = 0; i < x.length; i++) cur[i] = Math.fround(x[i]!);
  layers.forEach((L, l) => {
    const g = s.g[l]!;
    for (let o = 0; o < L.b.length; o++) {
      let n = 0;
      for (let k = L.start[o]!; k < L.start[o + 1]!; k++) {
        const p = L.w[k]! * cur[L.col[k]!]!;
        s.terms[n++] = fused ? p : Math.fround(p);
      }
      if (L.b[o] !== 0) s.terms[n++] = L.b[o]!;
      const v = rowSum(s, n, dir * Math.sign(g[o]!));
      next[o] = L.relu && v < 0 ? 0 : v;
    }
    [cur, next] = [next, cur];
  });
  return cur[0]!;
}

/** The row's n terms summed in float32 in the order chosen for direction d (0: as listed). */
function rowSum(s: Scratch, n: number, d: number): number {
  if (d === 0 || n <= 1) {
    let v = 0;
    for (let i = 0; i < n; i++) v = fusedAdd(v, s.terms[i]!);
    return v;
  }
  s.used.fill(0);
  if (n <= EXHAUSTIVE) return extremeOrder(s.terms, s.used, n, d, 0, 0);
  return greedyOrder(s, n, d);
}

/** The extreme (in direction d) float32 sum over every order of the remaining terms. */
function extremeOrder(t: Float64Array, used: Uint8Array, n: number, d: number, sum: number, depth: number): number {
  if (depth === n) return sum;
  let best = NaN;
  for (let i = 0; i < n; i++) {
    if (used[i]) continue;
    used[i] = 1;
    const v = extremeOrder(t, used, n, d, fusedAdd(sum, t[i]!), depth + 1);
    used[i] = 0;
    if (Number.isNaN(best) || d * v > d * best) best = v;
  }
  return best;
}

/**
 * A greedy order: each step the term whose addition rounds furthest in direction d (with
 * lookahead), among the WINDOW largest terms left (all of them in a row of at most WINDOW).
 */
function greedyOrder(s: Scratch, n: number, d: number): number {
  const { terms: t, used, order } = s;
  for (let i = 0; i < n; i++) order[i] = i;
  if (n > WINDOW) order.subarray(0, n).sort((a, b) => Math.abs(t[b]!) - Math.abs(t[a]!));
  let sum = 0, first = 0;
  for (let step = 0; step < n; step++) {
    while (used[order[first]!]) first++;
    let pick = order[first]!, pickScore = -Infinity;
    for (let j = first, seen = 0; j < n && seen < WINDOW; j++) {
      const i = order[j]!;
      if (used[i]) continue;
      seen++;
      const v = fusedAdd(sum, t[i]!);
      const score = d * ((v - sum) - t[i]!) + LOOKAHEAD * (n - step - 1) * Math.abs(v) * 2 ** -25;
      if (score > pickScore) { pick = i; pickScore = score; }
    }
    used[pick] = 1;
    sum = fusedAdd(sum, t[pick]!);
  }
  return sum;
}
