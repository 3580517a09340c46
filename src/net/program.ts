import { denseLayer, type Network } from './network.ts';

/**
 * A layered ReLU program being assembled: hidden layer L's units read only layer L−1
 * (layer 0 = the network inputs). Values are affine forms over one layer's units; a value
 * needed deeper is carried by exact identities (x = relu(x − lo) + lo when x ≥ lo is known,
 * else x = relu(x) − relu(−x)), so the result is one plain stack of dense layers.
 */
export interface Form {
  layer: number;
  terms: Map<number, number>;
  constant: number;
}

export const constantForm = (c: number): Form => ({ layer: -1, terms: new Map(), constant: c });

interface Unit { weights: Map<number, number>; bias: number; pre: [number, number]; exact?: boolean }

export class Program {
  readonly layers: Unit[][] = [];
  private readonly chunks = new Map<string, { layer: number; index: number }>();
  /**
   * @param maxFanIn most terms any unit or output may sum (float32 exports: small sums keep
   *   the worst-case rounding γ_k·Σ|t| small); wider sums are split into a tree of partial
   *   sums carried exactly by ReLUs.
   */
  constructor(readonly inputCount: number, readonly maxFanIn = Infinity) {}

  inputForm(i: number): Form {
    return { layer: 0, terms: new Map([[i, 1]]), constant: 0 };
  }

  /**
   * Adds a unit relu(form + bias) at layer form.layer + 1; returns its index there. `pre` is
   * a known range of form + bias (exact arithmetic), kept for the rounding analysis.
   */
  addUnit(form: Form, bias: number, pre: [number, number] = [-Infinity, Infinity],
    exact = false): { layer: number; index: number } {
    const reduced = this.reduceFanIn(form);
    const layer = Math.max(reduced.layer, 0) + 1;
    while (this.layers.length < layer) this.layers.push([]);
    const units = this.layers[layer - 1]!;
    // `exact`: the caller proves float32 computes this unit without rounding (given its inputs).
    units.push({ weights: new Map(reduced.terms), bias: reduced.constant + bias, pre, exact: exact
      && reduced === form });
    return { layer, index: units.length - 1 };
  }

  /** Moves a form one or more layers down by exact ReLU identities. */
  carry(form: Form, toLayer: number, lowerBound: number, upperBound = Infinity): Form {
    let f = form;
    if (f.terms.size === 0) return { ...f, layer: toLayer };
    while (f.layer < toLayer) {
      if (Number.isFinite(lowerBound)) {
        const u = this.addUnit(f, -lowerBound, [0, upperBound - lowerBound]);
        f = { layer: u.layer, terms: new Map([[u.index, 1]]), constant: lowerBound };
      } else {
        const p = this.addUnit(f, 0, [lowerBound, upperBound]);
        const n = this.addUnit(scale(f, -1), 0, [-upperBound, -lowerBound]);
        f = { layer: p.layer, terms: new Map([[p.index, 1], [n.index, -1]]), constant: 0 };
      }
    }
    return f;
  }

  /**
   * A form with at most maxFanIn terms and the same value: the terms (units ≥ 0 after their
   * ReLU) are split by the sign of their weights into chunks whose partial sums P ≥ 0 are
   * carried exactly as relu(P); repeated until few enough. Chunks are shared between forms.
   */
  reduceFanIn(form: Form, maxFanIn = this.maxFanIn): Form {
    let f = form;
    while (f.terms.size > maxFanIn && f.layer >= 1) {
      const units = this.layers[f.layer - 1]!;
      const entries = [...f.terms].sort((p, q) => p[0] - q[0]);
      const next = new Map<number, number>();
      for (const sign of [1, -1]) {
        const side = entries.filter(([, w]) => Math.sign(w) === sign);
        for (let k = 0; k < side.length; k += maxFanIn) {
          const part = side.slice(k, k + maxFanIn);
          const key = `${f.layer}|${part.map(([i, w]) => `${i}:${Math.abs(w)}`).join(',')}`;
          let u = this.chunks.get(key);
          if (!u) {
            let hi = 0;
            for (const [i, w] of part) hi += Math.abs(w) * Math.max(0, units[i]!.pre[1]);
            const weights = new Map(part.map(([i, w]) => [i, Math.abs(w)]));
            this.layers[f.layer] ??= [];
            this.layers[f.layer]!.push({ weights, bias: 0, pre: [0, hi] });
            u = { layer: f.layer + 1, index: this.layers[f.layer]!.length - 1 };
            this.chunks.set(key, u);
          }
          next.set(u.index, sign);
        }
      }
      f = { layer: f.layer + 1, terms: next, constant: f.constant };
    }
    return f;
  }

  /** Known pre-activation ranges per hidden layer (for roundingErrorBound). */
  preRanges(): { lo: Float64Array; hi: Float64Array; exact: Uint8Array }[] {
    return this.layers.map((units) => ({ lo: Float64Array.from(units, (u) => u.pre[0]), hi: Float64Array.from(units,
      (u) => u.pre[1]), exact: Uint8Array.from(units, (u) => (u.exact ? 1 : 0)) }));
  }

  /** Current depth (hidden layers so far). */
  get depth(): number {
    return this.layers.length;
  }

  /** The network with a linear output layer reading `output` (carried to the last layer). */
  toNetwork(output: Form, outputLowerBound: number, inputs: string[], outputName = 'y', outputUpperBound = Infinity,
    offsetOutput = false): Network {
    let out = output;
    for (;;) {
      out = this.reduceFanIn(out);
      if (out.terms.size && out.layer < this.layers.length) {
        out = this.carry(out, this.layers.length, outputLowerBound, outputUpperBound);
        continue;
      }
      break;
    }
    if (offsetOutput && Number.isFinite(outputLowerBound) && (out.terms.size > 1
      || out.constant !== outputLowerBound)) {
      // float32: the sum at the output's full magnitude is the costliest; compute
      // r = relu(y − lower bound) (small terms) one layer earlier, so y = lower bound + r adds once.
      out = this.carry(out, this.layers.length + 1, outputLowerBound, outputUpperBound);
    }
    const last = this.layers.length;
    if (!out.terms.size) out = { ...out, layer: last };
    const widths = [this.inputCount, ...this.layers.map((l) => l.length)];
    const layers = this.layers.map((units, li) => {
      const inSize = widths[li]!;
      const w = new Float64Array(units.length * inSize);
      const b = new Float64Array(units.length);
      units.forEach((u, r) => {
        for (const [c, v] of u.weights) w[r * inSize + c] = v;
        b[r] = u.bias;
      });
      return denseLayer('relu', inSize, units.length, w, b);
    });
    const inSize = widths[last]!;
    const w = new Float64Array(inSize);
    for (const [c, v] of out.terms) w[c] = v;
    layers.push(denseLayer('linear', inSize, 1, w, [out.constant]));
    return { inputs, outputs: [outputName], layers };
  }
}

/**
 * A network with one output per form (rows of the last linear layer in order), every form
 * carried to the last hidden layer first (carrying one may deepen the program, so repeat
 * until all sit there). Bounds are each output's value range, used by `carry`.
 */
export function toNetworkOutputs(
  prog: Program, outputs: Form[], bounds: [number, number][], inputs: string[], names: string[],
): Network {
  let outs = outputs.map((f) => prog.reduceFanIn(f));
  for (;;) {
    const last = prog.layers.length;
    const behind = outs.findIndex((f) => f.terms.size > 0 && f.layer < last);
    if (behind < 0) break;
    outs = outs.map((f, k) => (f.terms.size > 0 && f.layer < last ? prog.carry(f, last, bounds[k]![0], bounds[k]![1])
      : f));
  }
  const last = prog.layers.length;
  const widths = [prog.inputCount, ...prog.layers.map((l) => l.length)];
  const single = prog.toNetwork({ layer: last, terms: new Map(), constant: 0 }, 0, inputs);
  const inSize = widths[last]!;
  const w = new Float64Array(outs.length * inSize);
  outs.forEach((f, k) => { for (const [c, v] of f.terms) w[k * inSize + c] = v; });
  const layers = [...single.layers.slice(0, -1), denseLayer('linear', inSize, outs.length, w,
    outs.map((f) => f.constant))];
  return { inputs, outputs: names, layers };
}

export function scale(f: Form, k: number): Form {
  return { layer: f.layer, terms: new Map([...f.terms].map(([i, v]) => [i, v * k])), constant: f.constant * k };
}

/** Σ k_i·f_i for forms on the same layer. */
export function combine(parts: { form: Form; coef: number }[], constant: number): Form {
  const layer = Math.max(-1, ...parts.map((p) => p.form.layer));
  const terms = new Map<number, number>();
  let c = constant;
  for (const { form, coef } of parts) {
    if (form.terms.size && form.layer !== layer) throw new RangeError(`combine: forms on layers ${form.layer} ` +
      `and ${layer}`);
    c += coef * form.constant;
    for (const [i, v] of form.terms) terms.set(i, (terms.get(i) ?? 0) + coef * v);
  }
  for (const [i, v] of terms) if (v === 0) terms.delete(i);
  return { layer, terms, constant: c };
}
