import type { Expr } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import type { Network } from '../net/network.ts';
import { rng } from '../random.ts';
import type { RangeCondition } from './formula.ts';

/**
 * The lower end of the answer: the worst input found, measured as |N(x) − f(x)| with both
 * evaluated in float64 (N in the plain layer loop of the JSON contract). Found by dense
 * sampling of the region, local ascent (a compass search: Kolda, Lewis & Torczon, "Optimization
 * by direct search", SIAM Review 2003) from the best points, and candidate inputs the branch
 * and bound offers (the corners where its linear bounds peak, the centres of the boxes).
 */

/** N(x) in float64, layer by layer as the JSON contract's plain loop. */
export function evaluatePoint(net: Network, x: ArrayLike<number>): number {
  let cur: ArrayLike<number> = x;
  let which = 0;
  for (const L of net.layers) {
    // Two scratch buffers, reused from point to point (the search evaluates thousands of points).
    const next = scratch(which, L.outSize);
    for (let r = 0; r < L.outSize; r++) {
      let s = 0;
      for (let c = 0; c < L.inSize; c++) s += L.weights[r * L.inSize + c]! * cur[c]!;
      s += L.bias[r]!;
      next[r] = L.activation === 'relu' && s < 0 ? 0 : s;
    }
    cur = next;
    which = 1 - which;
  }
  return cur[0]!;
}

const buffers: Float64Array[] = [new Float64Array(64), new Float64Array(64)];

/** Scratch buffer k (0 or 1) with room for n values. */
function scratch(k: number, n: number): Float64Array {
  if (buffers[k]!.length < n) buffers[k] = new Float64Array(n);
  return buffers[k]!;
}

export interface Worst { value: number; input: Float64Array }

export class WorstSearch {
  best: Worst | null = null;
  /** First input of the region where f was not finite, if any. */
  undefinedAt: Float64Array | null = null;
  private readonly f: (...a: number[]) => number;
  private readonly conds: { g: (...a: number[]) => number; lo: number; hi: number }[];

  constructor(private readonly net: Network, expr: Expr, names: string[], conditions: readonly RangeCondition[],
    private readonly lo: ArrayLike<number>, private readonly hi: ArrayLike<number>) {
    this.f = compileFunction(expr, names);
    this.conds = conditions.map((c) => ({ g: compileFunction(c.expr, names), lo: c.lo, hi: c.hi }));
  }

  inRegion(x: ArrayLike<number>): boolean {
    return this.inRegionOf(Array.from(x));
  }

  private inRegionOf(a: number[]): boolean {
    for (let i = 0; i < a.length; i++) if (!(a[i]! >= this.lo[i]! && a[i]! <= this.hi[i]!)) return false;
    for (const { g, lo, hi } of this.conds) {
      const v = g(...a);
      if (!(v >= lo && v <= hi)) return false;
    }
    return true;
  }

  /** |N − f| at x, or −1 outside the region; keeps the best. */
  consider(x: ArrayLike<number>): number {
    const a = Array.from(x);
    if (!this.inRegionOf(a)) return -1;
    const fx = this.f(...a);
    if (!Number.isFinite(fx)) {
      this.undefinedAt ??= Float64Array.from(x);
      return -1;
    }
    const e = Math.abs(evaluatePoint(this.net, x) - fx);
    if (!this.best || e > this.best.value) this.best = { value: e, input: Float64Array.from(x) };
    return e;
  }

  /** n uniform samples of the box (seeded); the k best start a local ascent each. */
  sample(n: number, seed: number, k = 8): void {
    const rand = rng(seed);
    const d = this.lo.length;
    const top: Worst[] = [];
    for (let s = 0; s < n; s++) {
      const x = Float64Array.from({ length: d }, (_, i) => this.lo[i]! + rand() * (this.hi[i]! - this.lo[i]!));
      const e = this.consider(x);
      if (e < 0) continue;
      if (k > 0 && (top.length < k || e > top[top.length - 1]!.value)) {
        top.push({ value: e, input: x });
        top.sort((a, b) => b.value - a.value);
        if (top.length > k) top.pop();
      }
    }
    for (const t of top) this.ascend(t.input, t.value);
  }

  /**
   * Pattern search (Hooke & Jeeves 1961) on |N − f| from x within the box and region: compass
   * steps along each input, then a jump along the sweep's total move (ridges that are not along
   * an axis); a sweep that improves doubles the step, one that fails halves it, down to 1e-9
   * of the width, within `budget` evaluations.
   */
  ascend(start: ArrayLike<number>, value: number, budget = 4000): void {
    const { lo, hi } = this;
    const d = lo.length;
    const clamp = (y: Float64Array) => { for (let i = 0; i < d; i++) y[i] = Math.min(hi[i]!, Math.max(lo[i]!,
      y[i]!)); return y; };
    const x = Float64Array.from(start);
    let v = value, step = 0.25, used = 0;
    while (step > 1e-9 && used < budget) {
      const before = Float64Array.from(x);
      for (let i = 0; i < d; i++) {
        for (const dir of [1, -1]) {
          const y = Float64Array.from(x);
          y[i] = x[i]! + dir * step * (hi[i]! - lo[i]!);
          const e = this.consider(clamp(y));
          used++;
          if (e > v) { x.set(y); v = e; break; }
        }
      }
      const moved = x.some((t, i) => t !== before[i]);
      if (moved) {
        const y = clamp(x.map((t, i) => t + (t - before[i]!)));
        const e = this.consider(y);
        used++;
        if (e > v) { x.set(y); v = e; }
      }
      step = moved ? Math.min(0.25, step * 2) : step / 2;
    }
  }
}
