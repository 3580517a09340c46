import type { Dtype } from '../net/floatformat.ts';
import type { Network } from '../net/network.ts';
import { parallelotopeRoundingBound } from '../net/roundingaffine.ts';

/**
 * The float32 (or float64) rounding of a folded norm over the ball |α⊙x| ≤ R, by direction
 * patches (issue 32): the affine analysis of net/roundingaffine.ts on thin cones, where a
 * fold's kinks (planes through 0) are stable, instead of the per-fold worst case of
 * foldround.ts.
 *
 * A fold without biases is linear on each cone between its kinks, so a thin cone patch keeps
 * every kink stable whatever its radial length. Input columns read only by mirrored
 * first-layer pairs relu(w·x_c), relu(−w·x_c) (the |·| of a leaf, adjacent units) that every
 * second-layer row reads with one weight give, for −x_c, the exact value of x_c and a
 * computed value of x_c in another summation order (fl(−z) = −fl(z); the two units trade
 * places, one of them 0): only x_c ≥ 0 is analysed, as the bound holds for any order. Other
 * columns take both signs (one orthant each).
 *
 * Cover (in y = α⊙x, x = y/α). In an orthant σ, each direction has a largest coordinate i,
 * and v = y/|y_i| lies on the face v_i = 1, v_j ∈ [0, 1]. A patch is a sub-box [a, b] of a face and a shell
 * |y| ∈ [r/2, r], r = R·2^−k (k < K); its points are t·σ⊙v with t = |y|/|v| ∈ [t0, t1],
 * t0 = r/(2·|v|max), t1 = r/|v|min.
 * With c the patch's centre and v = c + δ (|δ_j| ≤ h_j), t·v = t_m·c + (t − t_m)·c + t·δ lies
 * in the parallelotope with centre t_m·c, one generator c·(t1 − t0)/2 and one e_j·t1·h_j per
 * free coordinate (each divided by α in x). The points with |y| < R·2^−K are charged by `inner` (the caller's bound of
 * that ball). The result is the largest patch bound after branch and bound (the patch with the
 * largest bound is halved along its widest side, until the budget or a plateau), each no larger
 * than its parent's, and inner.
 */
const SHELLS = 12;

interface Patch { orthant: number[]; face: number; shell: number; lo: number[]; hi: number[]; bound: number }

/** Columns whose only readers are mirrored ReLU pairs of the first layer (module comment). */
function mirroredColumns(net: Network): boolean[] {
  const L = net.layers[0]!;
  const n = L.inSize;
  const ok = new Array<boolean>(n).fill(L.activation === 'relu');
  const single = (r: number): [number, number] | null => {
    let col = -1;
    for (let c = 0; c < n; c++) {
      if (L.weights[r * n + c] === 0) continue;
      if (col >= 0) return null;
      col = c;
    }
    return col < 0 ? null : [col, L.weights[r * n + col]!];
  };
  const readers = new Array<number>(n).fill(0);
  for (let r = 0; r < L.outSize; r++) for (let c = 0; c < n; c++) if (L.weights[r * n + c] !== 0) readers[c]!++;
  for (let c = 0; c < n; c++) if (readers[c] !== 2) ok[c] = false;
  for (let r = 0; r < L.outSize; r++) {
    const s = single(r);
    if (!s) { for (let c = 0; c < n; c++) if (L.weights[r * n + c] !== 0) ok[c] = false; continue; }
    const t = r + 1 < L.outSize ? single(r + 1) : null;
    if (t && t[0] === s[0] && t[1] === -s[1] && sameReaders(net, r)) { r++; continue; }
    ok[s[0]] = false;
  }
  return ok;
}

/** Every row of the second layer reads first-layer units r and r + 1 with one weight. */
function sameReaders(net: Network, r: number): boolean {
  const L = net.layers[1];
  if (!L) return false;
  for (let o = 0; o < L.outSize; o++) if (L.weights[o * L.inSize + r] !== L.weights[o * L.inSize + r + 1]) return false;
  return true;
}

/** The parallelotope of a patch (module comment). */
function enclosure(p: Patch, R: number, alpha: readonly number[]): { center: number[]; gens: number[][] } {
  const n = p.lo.length;
  const c = p.lo.map((a, j) => (j === p.face ? 1 : (a + p.hi[j]!) / 2));
  const vmin = Math.sqrt(p.lo.reduce((s, a, j) => s + (j === p.face ? 1 : a * a), 0));
  const vmax = Math.sqrt(p.hi.reduce((s, b, j) => s + (j === p.face ? 1 : b * b), 0));
  const t0 = (R * 2 ** -(p.shell + 1)) / vmax;
  const t1 = ((R * 2 ** -p.shell) / vmin) * (1 + 1e-12);
  const tm = (t0 + t1) / 2;
  const sc = (v: number[]) => v.map((x, j) => (x * p.orthant[j]!) / Math.abs(alpha[j]!));
  const gens = [sc(c.map((x) => (x * (t1 - t0)) / 2))];
  for (let j = 0; j < n; j++) {
    if (j === p.face) continue;
    const g = new Array<number>(n).fill(0);
    g[j] = t1 * ((p.hi[j]! - p.lo[j]!) / 2) * (1 + 1e-12);
    gens.push(sc(g));
  }
  return { center: sc(c.map((x) => x * tm)), gens };
}

/** A branch and bound in progress: its patches and counters (resumed with a larger budget). */
interface Search { heap: Patch[]; used: number; checked: number; last: number; done: boolean }

/**
 * What earlier calls found for one network (by its weights, not its object: the plan search
 * builds the same network again when a smaller budget changes no node) and cover: the bound
 * each budget gave, and the search a coarse pass (o.resumable) left, for a later call with at
 * least as many evaluations. The last few networks are kept.
 */
interface Saved {
  key: string; weights: number[]; search: Search | null; evaluations: number; bounds: Map<number, number>;
}
const saved: Saved[] = [];
const SAVED_NETWORKS = 3;

/** The entry of `key` and `weights` (moved to the end: the most recent), or a new one. */
function savedEntry(key: string, weights: number[]): Saved {
  const i = saved.findIndex((e) => e.key === key && sameNumbers(e.weights, weights));
  const entry = i >= 0 ? saved.splice(i, 1)[0]! : { key, weights, search: null, evaluations: 0, bounds: new Map() };
  saved.push(entry);
  if (saved.length > SAVED_NETWORKS) saved.shift();
  return entry;
}

/** An entry kept nowhere: a search from scratch, remembered by no later call. */
function unsaved(): Saved { return { key: '', weights: [], search: null, evaluations: 0, bounds: new Map() }; }

/**
 * Branch and bound over direction patches with `evaluations` analyses; `inner` bounds the
 * ball |α⊙x| ≤ R·2^−K (the caller's bound at that radius). Infinity when the
 * preconditions fail. With o.resumable the search's state is kept, and a later call on the
 * same network (the same weights), cover and dtype with at least as many evaluations goes on
 * from it: the same steps as a search from scratch with that budget, so the same bound. With
 * o.remember the bound is kept, and a later call with the same budget returns it unsearched.
 */
export function coneRoundingBound(
  net: Network, alpha: readonly number[], R: number, dtype: Dtype, evaluations: number, inner: (r: number) => number,
  o: { rMin?: number; shells?: number; resumable?: boolean; remember?: boolean } = {},
): number {
  const K = o.shells ?? SHELLS;
  const rMin = o.rMin ?? 0;
  const n = net.inputs.length;
  if (alpha.length !== n || !alpha.every((a) => Number.isFinite(a) && a !== 0)) return Infinity;
  const mirrored = mirroredColumns(net);
  const free = mirrored.flatMap((m, c) => (m ? [] : [c]));
  if (!coneCovers(n, free.length)) return Infinity;
  const bound = (p: Omit<Patch, 'bound'>) => {
    const { center, gens } = enclosure({ ...p, bound: 0 }, R, alpha);
    return parallelotopeRoundingBound(net, center, gens, dtype, 0, mirrored);
  };
  const key = JSON.stringify([alpha, R, dtype, K, rMin]);
  const weights = net.layers.flatMap((l) => [...l.weights, ...l.bias]);
  const entry = o.remember || o.resumable ? savedEntry(key, weights) : unsaved();
  let top = entry.bounds.get(evaluations);
  if (top === undefined) {
    const prior = entry.search && entry.evaluations <= evaluations ? entry.search : null;
    const search = prior ?? firstPatches(n, free, K, R, rMin, bound);
    refine(search, n, evaluations, bound);
    top = search.heap.length ? search.heap[0]!.bound : 0;
    if (o.remember) entry.bounds.set(evaluations, top);
    // A finished search is kept too: a finer pass asking again returns its bound without searching anew.
    if (o.resumable && (prior || !entry.search)) [entry.search, entry.evaluations] = [search, evaluations];
    else if (prior) entry.search = null; // searched on past its budget: no longer resumable by it
  }
  return Math.max(top, R * 2 ** -K > rMin ? inner(R * 2 ** -K) : 0);
}

/** The cone analysis covers `dims` coordinates of which `oneSigned` are one-signed (not mirrored): ≤ 6 and ≤ 4. */
export function coneCovers(dims: number, oneSigned: number): boolean {
  return dims <= 6 && oneSigned <= 4;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/** The whole faces of every orthant and shell, each analysed. */
function firstPatches(
  n: number, free: number[], K: number, R: number, rMin: number, bound: (p: Omit<Patch, 'bound'>) => number,
): Search {
  const heap: Patch[] = [];
  let used = 0;
  for (let s = 0; s < 2 ** free.length; s++) {
    const orthant = new Array<number>(n).fill(1);
    free.forEach((c, k) => { if ((s >> k) & 1) orthant[c] = -1; });
    for (let face = 0; face < n; face++) {
      for (let shell = 0; shell < K && R * 2 ** -shell > rMin; shell++) {
        const p = { orthant, face, shell, lo: new Array<number>(n).fill(0), hi: new Array<number>(n).fill(1) };
        p.lo[face] = 1;
        used++;
        push(heap, { ...p, bound: bound(p) });
      }
    }
  }
  return { heap, used, checked: used, last: heap.length ? heap[0]!.bound : 0, done: false };
}

/**
 * Halves the patch with the largest bound until `evaluations` analyses are used; stops early
 * (done) once doubling the analyses lowered the bound by less than 3% (a plateau).
 */
function refine(st: Search, n: number, evaluations: number, bound: (p: Omit<Patch, 'bound'>) => number): void {
  const heap = st.heap;
  while (!st.done && st.used + 2 <= evaluations && heap.length) {
    if (st.used >= 2 * st.checked) {
      if (heap[0]!.bound > 0.97 * st.last) { st.done = true; break; }
      st.checked = st.used; st.last = heap[0]!.bound;
    }
    const top = pop(heap);
    let axis = -1; let best = 0;
    for (let j = 0; j < n; j++) {
      if (j !== top.face && top.hi[j]! - top.lo[j]! > best) { best = top.hi[j]! - top.lo[j]!; axis = j; }
    }
    if (axis < 0 || best < 1e-9) { push(heap, top); st.done = true; break; }
    const mid = (top.lo[axis]! + top.hi[axis]!) / 2;
    for (const [a, b] of [[top.lo[axis]!, mid], [mid, top.hi[axis]!]] as const) {
      const lo = top.lo.slice(); const hi = top.hi.slice();
      lo[axis] = a; hi[axis] = b;
      const p = { orthant: top.orthant, face: top.face, shell: top.shell, lo, hi };
      st.used++;
      push(heap, { ...p, bound: Math.min(top.bound, bound(p)) });
    }
  }
}

/** A max-heap of patches by bound. */
function push(h: Patch[], p: Patch): void {
  h.push(p);
  for (let i = h.length - 1; i > 0;) {
    const up = (i - 1) >> 1;
    if (h[up]!.bound >= h[i]!.bound) break;
    [h[up], h[i]] = [h[i]!, h[up]!];
    i = up;
  }
}

function pop(h: Patch[]): Patch {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length) {
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1; const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.bound > h[m]!.bound) m = l;
      if (r < h.length && h[r]!.bound > h[m]!.bound) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
  return top;
}
