import {
  nodeRelus, planRelError, planRelus, projectionError, treeLevels, type NormLevel, type NormPlan, type ProjectionKind,
} from './fold.ts';

/**
 * Choosing the folds of a norm (compile/fold.ts): for each level of the pairwise tree a
 * sequence of k's, such that the proven relative error Π (1 + t_l) − 1 stays within the
 * tolerance and the hidden layers within `maxDepth`, with the fewest ReLUs (or, under
 * --minimize params, the fewest weights of the dense layers, estimated from the widths).
 *
 * Method. Candidate sequences per level are near-balanced (q entries k + 1 and the rest k,
 * for k up to `maxK`): for a given product Π k and depth, balanced factors cost the least
 * Σ (k + 1). The tolerance is split between levels by dynamic programming over
 * log(1 + t_l) in BINS equal parts of log(1 + tol) (each level's share rounded up, so the
 * result is always within the tolerance); depth enters as a price μ per layer, raised until
 * the plan fits in maxDepth.
 */
const BINS = 1000;

interface Option { folds: number[]; bin: number }

function candidates(maxK: number, maxFolds: number): number[][] {
  const out: number[][] = [[]];
  for (let d = 1; d <= maxFolds; d++) {
    for (let k = 2; k <= maxK; k++) {
      for (let q = 0; q < d; q++) {
        if (k + 1 > maxK && q > 0) break;
        out.push([...Array<number>(q).fill(k + 1), ...Array<number>(d - q).fill(k)]);
      }
    }
  }
  return out;
}

function levelCost(
  l: { nodes: number; carried: number }, folds: number[], minimize: 'relus' | 'params', mu: number,
): number {
  if (minimize === 'relus') return l.nodes * nodeRelus(folds) + l.carried * folds.length + mu * folds.length;
  let prev = 2 * l.nodes + l.carried;
  let p = 0;
  for (const [i, k] of folds.entries()) {
    const w = l.nodes * (i === folds.length - 1 ? k : k + 1) + l.carried;
    p += w * (prev + 1);
    prev = w;
  }
  return p + mu * folds.length;
}

/**
 * The cheapest plan for the norm of `terms` values within relative error `relTol` and
 * `maxDepth` fold layers; null when none exists (tolerance below float64 reach, or too deep).
 */
export function designNorm(
  terms: number, relTol: number,
  o: { maxDepth: number; minimize?: 'relus' | 'params'; maxK?: number; projection?: ProjectionKind },
): NormPlan | null {
  if (!(terms >= 2) || !(relTol > 0) || !(o.maxDepth >= 0)) return null;
  const shape = treeLevels(terms);
  const budget = Math.log1p(relTol);
  const maxK = o.maxK ?? 16;
  const all = candidates(maxK, Math.min(24, o.maxDepth));
  const opts: Option[] = [];
  for (const folds of all) {
    const t = projectionError(folds, o.projection);
    const bin = Math.ceil((Math.log1p(t) / budget) * BINS - 1e-9);
    if (bin <= BINS) opts.push({ folds, bin });
  }
  if (!opts.length) return null;
  for (let mu = 0, tries = 0; tries < 40; tries++, mu = mu === 0 ? 0.25 : mu * 2) {
    const plan = solve(shape, opts, o.minimize ?? 'relus', mu);
    if (!plan) return null;
    const depth = plan.reduce((s, l) => s + l.folds.length, 0);
    if (depth <= o.maxDepth) {
      const relError = planRelError(plan, o.projection);
      if (!(relError <= relTol)) return null;
      return { terms, levels: plan, relError, relus: planRelus(plan), depth };
    }
  }
  return null;
}

/** Dynamic programming over levels and bins of the tolerance (see the module comment). */
function solve(
  shape: { nodes: number; carried: number }[], opts: Option[], minimize: 'relus' | 'params', mu: number,
): NormLevel[] | null {
  // best[b]: least cost of the levels so far using b bins; choice[level][b]: option picked.
  let best = new Float64Array(BINS + 1).fill(Infinity);
  best[0] = 0;
  const choice: Int32Array[] = [];
  const from: Int32Array[] = [];
  for (const l of shape) {
    // Per bin the cheapest option, then only options cheaper than every smaller bin's.
    const byBin = new Map<number, { cost: number; i: number }>();
    opts.forEach((o, i) => {
      const c = levelCost(l, o.folds, minimize, mu);
      const hit = byBin.get(o.bin);
      if (!hit || c < hit.cost) byBin.set(o.bin, { cost: c, i });
    });
    const pareto: { bin: number; cost: number; i: number }[] = [];
    for (const [bin, v] of [...byBin].sort((p, q) => p[0] - q[0])) {
      if (!pareto.length || v.cost < pareto[pareto.length - 1]!.cost) pareto.push({ bin, ...v });
    }
    const next = new Float64Array(BINS + 1).fill(Infinity);
    const ch = new Int32Array(BINS + 1).fill(-1);
    const fr = new Int32Array(BINS + 1).fill(-1);
    for (let b = 0; b <= BINS; b++) {
      if (!Number.isFinite(best[b]!)) continue;
      for (const p of pareto) {
        const nb = b + p.bin;
        if (nb > BINS) break;
        const c = best[b]! + p.cost;
        if (c < next[nb]!) { next[nb] = c; ch[nb] = p.i; fr[nb] = b; }
      }
    }
    best = next;
    choice.push(ch);
    from.push(fr);
  }
  let end = -1;
  for (let b = 0; b <= BINS; b++) if (Number.isFinite(best[b]!) && (end < 0 || best[b]! < best[end]!)) end = b;
  if (end < 0) return null;
  const picked: number[] = [];
  for (let li = shape.length - 1; li >= 0; li--) { picked.unshift(choice[li]![end]!); end = from[li]![end]!; }
  return shape.map((l, i) => ({ ...l, folds: opts[picked[i]!]!.folds.slice() }));
}
