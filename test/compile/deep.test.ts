import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { rng } from '../../src/random.ts';

// The lemma behind deepSquareUnitsPrecise (src/compile/deep.ts): from a float32 v in [0, 2),
// A = relu(v) and B = relu(v − ½) are exact, and the next level's A' = relu(2A − 4B) and
// B' = relu(2A − 4B − ½), summed in ANY order with float32 rounding after every operation,
// equal the exact tooth g(v) and relu(g(v) − ½). Checked here in all orders, level after level.

const f = Math.fround;
const relu = (x: number) => (x > 0 ? x : 0);

/** Every order of summing the terms, rounding to float32 after each addition. */
function allOrderSums(terms: number[]): number[] {
  if (terms.length === 1) return [terms[0]!];
  const out: number[] = [];
  for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) {
    const rest = terms.filter((_, k) => k !== i && k !== j);
    out.push(...allOrderSums([f(terms[i]! + terms[j]!), ...rest]));
  }
  return out;
}

function checkChain(v0: number, levels: number): void {
  let A = relu(f(v0));
  let B = relu(f(f(v0) - 0.5));
  assert.equal(B, relu(f(v0) - 0.5), `B at v=${v0}`);
  let v = f(v0);
  for (let s = 1; s <= levels; s++) {
    const g = v <= 0.5 ? 2 * v : 2 - 2 * v; // the exact tooth in real arithmetic
    // Products by 2 and −4 are exact in float32; only the additions could round.
    for (const sum of allOrderSums([2 * A, -4 * B])) assert.equal(relu(sum), relu(g), `A' level ${s}, v=${v0}`);
    for (const sum of allOrderSums([2 * A, -4 * B, -0.5])) assert.equal(relu(sum), relu(g - 0.5), `B' level ${s}, v=${v0}`);
    A = relu(g);
    B = relu(g - 0.5);
    v = A;
  }
}

describe('deep squaring in float32: the sawtooth teeth are exact in any summation order', () => {
  it('for float32 inputs near every breakpoint k/64 and random ones, 24 levels deep', () => {
    const r = rng(11);
    const vs: number[] = [0, 0.5, 1, 2 ** -149, 1 - 2 ** -24, 1 + 2 ** -23, 1.5];
    for (let k = 0; k <= 64; k++) for (const d of [-2, -1, 0, 1, 2]) vs.push(f(k / 64 + d * 2 ** -24));
    for (let i = 0; i < 2000; i++) vs.push(f(r()));
    for (const v of vs) if (v >= 0 && v < 2) checkChain(v, 24);
  });
  it('property (fast-check seed 99): any float32 in [0, 1]', () => {
    fc.assert(fc.property(fc.float({ min: 0, max: 1, noNaN: true }), (v) => checkChain(v, 24)), { seed: 99, numRuns: 2000 });
  });
});
