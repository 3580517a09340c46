/** A JSON layer as shared/DESIGN.md §3 writes it. */
export interface JsonLayer { activation: string; weights: number[][]; bias: number[] }

/**
 * The plain loop the JSON contract promises: y = act(W·x + b) over the layers, nothing else.
 * Written here independently of net/evaluate so tests can compare the two.
 */
export function plainLoop(layers: readonly JsonLayer[], x: number[]): number[] {
  let cur = x;
  for (const layer of layers) {
    cur = layer.weights.map((row, r) => {
      let s = 0;
      for (let c = 0; c < row.length; c++) s += row[c]! * cur[c]!;
      s += layer.bias[r]!;
      return layer.activation === 'relu' && s < 0 ? 0 : s;
    });
  }
  return cur;
}
