import type { Network } from '../../src/net/network.ts';

/**
 * Test oracle, independent of the bound propagation: the exact maximum of |N(x) − f(x)| over
 * a box (d ≤ 3) for a ReLU network N and a piecewise-affine f whose kinks are given as
 * hyperplanes. The box is cut into the linear regions of N: every hidden unit, layer by
 * layer, splits each piece where its pre-activation (affine on the piece, given the pattern of
 * the earlier layers) changes sign. N − f is affine on every final piece, so its extremes are
 * at the pieces' vertices (intersections of d of the piece's hyperplanes, found by solving
 * d×d systems and kept when they satisfy every inequality). N and f are evaluated directly
 * at those vertices.
 */

export interface Half { a: number[]; b: number } // a·x ≤ b
interface Piece { halves: Half[]; vertices: number[][] }

function solve(A: number[][], y: number[]): number[] | null {
  const n = y.length;
  const M = A.map((r, i) => [...r, y[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-12) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = M[r]![c]! / M[c]![c]!;
      for (let t = c; t <= n; t++) M[r]![t]! -= k * M[c]![t]!;
    }
  }
  return M.map((r, i) => r[n]! / r[i]!);
}

function combinations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let i = 0; i < n; i++) for (const rest of combinations(n, k - 1)) if (rest.every((r) => r > i)) out.push([i,
    ...rest]);
  return out;
}

function vertices(halves: Half[], d: number): number[][] {
  const out: number[][] = [];
  for (const idx of combinations(halves.length, d)) {
    const v = solve(idx.map((i) => halves[i]!.a), idx.map((i) => halves[i]!.b));
    if (!v) continue;
    if (halves.every((h) => h.a.reduce((s, a, i) => s + a * v[i]!, 0) <= h.b + 1e-9 * (1 + Math.abs(h.b)))) out.push(v);
  }
  return out;
}

function piece(halves: Half[], d: number): Piece | null {
  const vs = vertices(halves, d);
  if (vs.length === 0) return null;
  // Drop inequalities no vertex makes tight (redundant), to keep the systems few.
  const tight = halves.filter((h) => vs.some((v) => Math.abs(h.a.reduce((s, a, i) => s + a * v[i]!,
    0) - h.b) <= 1e-9 * (1 + Math.abs(h.b))));
  return { halves: tight, vertices: vs };
}

/** Pre-activation of unit j of layer k as an affine map of x, with the earlier layers' pattern at point p. */
function affineUnit(net: Network, k: number, j: number, p: number[]): Half {
  const d = p.length;
  // Forms: value = coef·x + c, propagated with the activation pattern at p.
  let forms = Array.from({ length: d }, (_, i) => ({ coef: Array.from({ length: d }, (_, t) => (t === i ? 1 : 0)),
    c: 0 }));
  let values = p.slice();
  for (let li = 0; li <= k; li++) {
    const L = net.layers[li]!;
    const rows = li === k ? [j] : Array.from({ length: L.outSize }, (_, r) => r);
    const next = rows.map((r) => {
      const coef = new Array(d).fill(0);
      let c = L.bias[r]!, v = L.bias[r]!;
      for (let t = 0; t < L.inSize; t++) {
        const w = L.weights[r * L.inSize + t]!;
        for (let i = 0; i < d; i++) coef[i] += w * forms[t]!.coef[i]!;
        c += w * forms[t]!.c;
        v += w * values[t]!;
      }
      return { coef, c, v };
    });
    if (li === k) return { a: next[0]!.coef, b: next[0]!.c };
    const relu = L.activation === 'relu';
    forms = next.map((f) => (!relu || f.v > 0 ? { coef: f.coef, c: f.c } : { coef: new Array(d).fill(0), c: 0 }));
    values = next.map((f) => (relu ? Math.max(0, f.v) : f.v));
  }
  throw new Error('unreachable');
}

const centroid = (vs: number[][]): number[] => vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0) / vs.length);

/** Splits every piece by a = (z(x) = a·x + b = 0) where z changes sign on it. */
function splitBy(pieces: Piece[], d: number, form: (p: Piece) => Half): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const z = form(p);
    const vals = p.vertices.map((v) => z.a.reduce((s, a, i) => s + a * v[i]!, 0) + z.b);
    if (!(Math.min(...vals) < -1e-12 && Math.max(...vals) > 1e-12)) { out.push(p); continue; }
    const neg = piece([...p.halves, { a: z.a, b: -z.b }], d);
    const pos = piece([...p.halves, { a: z.a.map((x) => -x), b: z.b }], d);
    if (neg) out.push(neg);
    if (pos) out.push(pos);
  }
  return out;
}

/** `region`: extra inequalities a·x ≤ b the region keeps (linear range conditions). */
export function exactMaxError(
  net: Network, f: (x: number[]) => number, lo: number[], hi: number[], kinks: Half[] = [], region: Half[] = [],
): { max: number; at: number[]; pieces: number } {
  const d = lo.length;
  const box: Half[] = [];
  for (let i = 0; i < d; i++) {
    box.push({ a: lo.map((_, t) => (t === i ? 1 : 0)), b: hi[i]! });
    box.push({ a: lo.map((_, t) => (t === i ? -1 : 0)), b: -lo[i]! });
  }
  const first = piece([...box, ...region], d);
  if (!first) return { max: 0, at: lo, pieces: 0 };
  let pieces = [first];
  for (const k of kinks) pieces = splitBy(pieces, d, () => ({ a: k.a, b: -k.b }));
  for (let li = 0; li < net.layers.length - 1; li++) {
    if (net.layers[li]!.activation !== 'relu') continue;
    for (let j = 0; j < net.layers[li]!.outSize; j++) {
      pieces = splitBy(pieces, d, (p) => { const z = affineUnit(net, li, j, centroid(p.vertices)); return { a: z.a,
        b: z.b }; });
    }
  }
  let max = 0, at = lo;
  for (const p of pieces) for (const v of p.vertices) {
    const x = v.map((t, i) => Math.min(hi[i]!, Math.max(lo[i]!, t)));
    const e = Math.abs(evalNet(net, x) - f(x));
    if (e > max) { max = e; at = x; }
  }
  return { max, at, pieces: pieces.length };
}

function evalNet(net: Network, x: number[]): number {
  let cur = x;
  for (const L of net.layers) {
    cur = Array.from({ length: L.outSize }, (_, r) => {
      let s = L.bias[r]!;
      for (let c = 0; c < L.inSize; c++) s += L.weights[r * L.inSize + c]! * cur[c]!;
      return L.activation === 'relu' ? Math.max(0, s) : s;
    });
  }
  return cur[0]!;
}
