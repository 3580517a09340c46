import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deepSquareError, deepSquareLevels, deepSquareUnits, deepSquareUnitsPrecise } from '../../src/compile/deep.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkSummary, type Network } from '../../src/net/network.ts';
import { Program } from '../../src/net/program.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { rng } from '../../src/random.ts';

/** The network u ↦ hi²·f_m(u/hi) of src/compile/deep.ts, on one input u. */
function deepNet(hi: number, levels: number, precise: boolean): { net: Network; prog: Program } {
  const prog = new Program(1);
  const input = prog.inputForm(0);
  const form = precise ? deepSquareUnitsPrecise(prog, input, hi, levels) : deepSquareUnits(prog, input, hi, levels);
  return { net: prog.toNetwork(form, 0, ['u']), prog };
}

/**
 * The interpolant of t² at the knots k/2^m, at t = i/2^(m+1), as an exact rational p/q
 * (BigInt): k² / 4^m at a knot, the mean of its two neighbours' squares at a midpoint.
 */
function interpolantAt(i: number, m: number): { p: bigint; q: bigint } {
  const q = 2n * 4n ** BigInt(m);
  const lo = BigInt(Math.floor(i / 2));
  const hi = BigInt(Math.ceil(i / 2));
  return { p: lo * lo + hi * hi, q };
}

/** a = p/q exactly, for a double a (its binary expansion scaled by q must be the integer p). */
function equalsRational(a: number, { p, q }: { p: bigint; q: bigint }): boolean {
  if (!Number.isFinite(a)) return false;
  let m = a;
  let e = 0n;
  while (!Number.isInteger(m)) { m *= 2; e++; }
  return BigInt(m) * q === p * 2n ** e;
}

describe('deepSquareError and deepSquareLevels (Yarotsky 2017: max |f_m − t²| = 2^(−2m−2))', () => {
  it('deepSquareError(1, m) is the exact max over the segments of the interpolation error (h/2)², h = 2^−m', () => {
    for (let m = 1; m <= 30; m++) assert.equal(deepSquareError(1, m), (2 ** -m / 2) ** 2, `m = ${m}`);
    assert.equal(deepSquareError(3, 2), 9 / 64);
  });
  it('deepSquareLevels(hi, tol) is the fewest levels whose error is at most tol', () => {
    for (const hi of [1, 3, 2.4e7]) {
      for (let k = -30; k <= 2; k++) {
        const tol = hi * hi * 2 ** k * 0.7;
        const m = deepSquareLevels(hi, tol);
        assert.ok(deepSquareError(hi, m) <= tol || m === 60, `hi ${hi}, tol ${tol}: m = ${m}`);
        if (m > 1) assert.ok(deepSquareError(hi, m - 1) > tol, `hi ${hi}, tol ${tol}: ${m - 1} levels would do`);
      }
    }
  });
});

describe('deepSquareUnits and deepSquareUnitsPrecise: the network is the interpolant of t² at 2^m + 1 knots', () => {
  for (const [precise, dtype] of [[false, 'float64'], [true, 'float32']] as const) {
    const name = precise ? 'deepSquareUnitsPrecise in float32' : 'deepSquareUnits in float64';
    it(`${name}: exact at every knot and midpoint of [0, 1] (BigInt reference), m = 1…10`, () => {
      for (let m = 1; m <= 10; m++) {
        const { net } = deepNet(1, m, precise);
        const n = 2 ** (m + 1);
        const ts = Array.from({ length: n + 1 }, (_, i) => i / n);
        const y = evaluate(net, ts, dtype);
        ts.forEach((t, i) => {
          assert.ok(equalsRational(y[i]!, interpolantAt(i, m)), `m = ${m}, t = ${t}: got ${y[i]}`);
        });
        // The largest error, at the midpoints, is exactly deepSquareError(1, m).
        assert.equal(y[1]! - ts[1]! ** 2, deepSquareError(1, m));
      }
    });
  }
  it('deepSquareUnits uses 3 ReLUs per level (2 at the first); deepSquareUnitsPrecise ≤ 5 per level and 3 more', () => {
    for (let m = 1; m <= 12; m++) {
      assert.equal(networkSummary(deepNet(1, m, false).net).relus, 3 * m - 1, `m = ${m}`);
      assert.ok(networkSummary(deepNet(1, m, true).net).relus <= 5 * m + 3, `m = ${m}`);
    }
  });
  it('on [0, 2.4e7]: |net(u) − u²| ≤ deepSquareError(hi, m) + the float64 rounding bound (fast-check seed 18)', () => {
    const hi = 2.4e7;
    for (const m of [4, 9, 14]) {
      const { net, prog } = deepNet(hi, m, false);
      const bound = deepSquareError(hi, m) + roundingErrorBound(net, [0], [hi], 'float64', prog.preRanges())[0]!;
      fc.assert(fc.property(fc.integer({ min: 0, max: hi }), (u) => {
        // u is an integer below 2^25: u² < 2^53 is exact, and so is the difference (Sterbenz).
        const e = Math.abs(evaluate(net, [u])[0]! - u * u);
        assert.ok(e <= bound, `m = ${m}, u = ${u}: error ${e} > bound ${bound}`);
      }), { seed: 18, numRuns: 300 });
    }
  });
  it('deepSquareUnitsPrecise refuses fewer than one level', () => {
    assert.throws(() => deepNet(1, 0, true), /levels must be at least 1/);
  });
});

// The lemma behind deepSquareUnitsPrecise (its doc comment): from a float32 v in [0, 2),
// A = relu(v) and B = relu(v − ½) are exact, and the next level's A' = relu(2A − 4B) and
// B' = relu(2A − 4B − ½), summed in ANY order with float32 rounding after every operation,
// equal the exact tooth g(v) and relu(g(v) − ½). Checked here in all orders, level after level
// (the network test above checks the one order the evaluator uses).

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
    for (const sum of allOrderSums([2 * A, -4 * B, -0.5])) {
      assert.equal(relu(sum), relu(g - 0.5), `B' level ${s}, v=${v0}`);
    }
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
    const anyFloat = fc.float({ min: 0, max: 1, noNaN: true });
    fc.assert(fc.property(anyFloat, (v) => checkChain(v, 24)), { seed: 99, numRuns: 2000 });
  });
});
