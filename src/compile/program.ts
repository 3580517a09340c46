import { denseLayer, type Network } from '../net/network.ts';

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

interface Unit { weights: Map<number, number>; bias: number; pre: [number, number] }

export class Program {
  readonly layers: Unit[][] = [];
  constructor(readonly inputCount: number) {}

  inputForm(i: number): Form {
    return { layer: 0, terms: new Map([[i, 1]]), constant: 0 };
  }

  /**
   * Adds a unit relu(form + bias) at layer form.layer + 1; returns its index there. `pre` is
   * a known range of form + bias (exact arithmetic), kept for the rounding analysis.
   */
  addUnit(form: Form, bias: number, pre: [number, number] = [-Infinity, Infinity]): { layer: number; index: number } {
    const layer = Math.max(form.layer, 0) + 1;
    while (this.layers.length < layer) this.layers.push([]);
    const units = this.layers[layer - 1]!;
    units.push({ weights: new Map(form.terms), bias: form.constant + bias, pre });
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

  /** Known pre-activation ranges per hidden layer (for roundingErrorBound). */
  preRanges(): { lo: Float64Array; hi: Float64Array }[] {
    return this.layers.map((units) => ({ lo: Float64Array.from(units, (u) => u.pre[0]), hi: Float64Array.from(units, (u) => u.pre[1]) }));
  }

  /** Current depth (hidden layers so far). */
  get depth(): number {
    return this.layers.length;
  }

  /** The network with a linear output layer reading `output` (carried to the last layer). */
  toNetwork(output: Form, outputLowerBound: number, inputs: string[], outputName = 'y', outputUpperBound = Infinity): Network {
    const last = this.layers.length;
    const out = output.terms.size ? this.carry(output, last, outputLowerBound, outputUpperBound) : { ...output, layer: last };
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

export function scale(f: Form, k: number): Form {
  return { layer: f.layer, terms: new Map([...f.terms].map(([i, v]) => [i, v * k])), constant: f.constant * k };
}

/** Σ k_i·f_i for forms on the same layer. */
export function combine(parts: { form: Form; coef: number }[], constant: number): Form {
  const layer = Math.max(-1, ...parts.map((p) => p.form.layer));
  const terms = new Map<number, number>();
  let c = constant;
  for (const { form, coef } of parts) {
    if (form.terms.size && form.layer !== layer) throw new RangeError(`combine: forms on layers ${form.layer} and ${layer}`);
    c += coef * form.constant;
    for (const [i, v] of form.terms) terms.set(i, (terms.get(i) ?? 0) + coef * v);
  }
  for (const [i, v] of terms) if (v === 0) terms.delete(i);
  return { layer, terms, constant: c };
}
