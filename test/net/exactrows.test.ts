import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateFloat32Fused } from '../../src/certify/float32fused.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { ExactRows } from '../../src/net/exactrows.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { affineRoundingBound, halfUlp } from '../../src/net/roundingaffine.ts';
import { reversed32 } from '../support/float32orders.ts';
import { propertyRuns } from '../support/runs.ts';

const U = 2 ** -24;
const ulp32 = (y: number) => halfUlp(y, U, 2 ** -150);

/** A network from rows: each layer a list of (weights, bias), the last linear. */
function net(inputs: number, layers: [number[], number][][]): Network {
  let inSize = inputs;
  const built = layers.map((rows, i) => {
    const L = denseLayer(i === layers.length - 1 ? 'linear' : 'relu', inSize, rows.length,
      rows.flatMap(([w]) => w), rows.map(([, b]) => b));
    inSize = rows.length;
    return L;
  });
  return { inputs: Array.from({ length: inputs }, (_, i) => `x${i}`), outputs: ['y'], layers: built };
}

/**
 * Fast2Sum of two inputs a, b as ReLU rows: S = a + b, z = S − a (or S − b: `wrong`), the error
 * pair relu(±(b − z)); the output reads `out` = [S, t] weights (t = t⁺ − t⁻).
 */
function fast2Sum(out: [number, number], wrong = false): Network {
  return net(2, [
    [[[1, 0], 0], [[0, 1], 0]], // A, B (copies of the inputs, ≥ 0 on the boxes used)
    [[[1, 1], 0], [[1, 0], 0], [[0, 1], 0]], // S, A, B
    [[[1, wrong ? 0 : -1, wrong ? -1 : 0], 0], [[1, 0, 0], 0], [[0, 0, 1], 0]], // z, S, B
    [[[-1, 0, 1], 0], [[1, 0, -1], 0], [[0, 1, 0], 0]], // t⁺ = relu(B − z), t⁻ = relu(z − B), S
    [[[out[1], -out[1], out[0]], 0]],
  ]);
}

/** The largest |computed − exact| of three float32 orders on a grid of the box. */
function measured(n: Network, lo: number[], hi: number[], steps = 24): number {
  let m = 0;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const x = [lo[0]! + ((hi[0]! - lo[0]!) * i) / steps, lo[1]! + ((hi[1]! - lo[1]!) * j) / steps];
      const exact = evaluate(n, x)[0]!;
      for (const got of [evaluate(n, x, 'float32')[0]!, evaluateFloat32Fused(n, x)[0]!, reversed32(n, x)]) {
        m = Math.max(m, Math.abs(got - exact));
      }
    }
  }
  return m;
}

describe('rows computed without rounding (net/exactrows.ts)', () => {
  it('classifies copies, sums, Sterbenz differences and Fast2Sum errors by their operands\' ids', () => {
    const rows = new ExactRows();
    const a = { id: rows.fresh(), w: 1, nonneg: true };
    const b = { id: rows.fresh(), w: 1, nonneg: true };
    assert.deepEqual(rows.row([a], 0, () => false), { id: a.id, exact: true, nonneg: true });
    assert.equal(rows.row([a], 0.5, () => true).exact, false, 'a bias: not a copy');
    assert.equal(rows.row([{ ...a, w: 2 }], 0, () => true).exact, false, 'a weight other than 1');
    const s = rows.row([a, b], 0, () => false);
    assert.deepEqual([s.exact, s.nonneg], [false, true], 'a sum rounds; of values ≥ 0 it is ≥ 0');
    const S = { id: s.id, w: 1, nonneg: true };
    assert.equal(rows.row([S, { ...a, w: -1 }], 0, () => false).exact, false, 'no Sterbenz: rounds');
    const z = rows.row([S, { ...a, w: -1 }], 0, () => true);
    assert.deepEqual([z.exact, z.nonneg], [true, true], 'S − a exact by Sterbenz, ≥ 0 as b ≥ 0');
    const Z = { id: z.id, w: -1, nonneg: true };
    assert.equal(rows.row([b, Z], 0, () => false).exact, true, 'b − z: the error of S');
    assert.equal(rows.row([{ ...b, w: -1 }, { ...Z, w: 1 }], 0, () => false).exact, true, 'z − b too');
    assert.equal(rows.row([{ ...a, w: 1 }, Z], 0, () => false).exact, false, 'a − z is not an error term');
    const c = { id: rows.fresh(), w: 1, nonneg: true };
    assert.equal(rows.row([c, Z], 0, () => false).exact, false, 'another value than b');
    // One sign: weights ≥ 0 on values ≥ 0 and a bias ≥ 0, however many terms.
    const x = { id: rows.fresh(), w: 0.5, nonneg: false };
    assert.equal(rows.row([{ ...a, w: 0.5 }, { ...b, w: 0.7 }, c], 0.25, () => false).nonneg, true);
    assert.equal(rows.row([{ ...a, w: 0.5 }], -0.25, () => false).nonneg, false, 'a bias below 0');
    assert.equal(rows.row([{ ...a, w: -0.5 }], 0, () => false).nonneg, false, 'a weight below 0');
    assert.equal(rows.row([x], 0, () => false).nonneg, false, 'a value of either sign');
    const w = rows.row([S, { ...a, w: -1 }], 0, () => true, false);
    assert.deepEqual([w.exact, w.nonneg], [true, false], 'stored weights not the network\'s: exact, sign unknown');
  });

  it('Sterbenz: x − y with y/2 ≤ x ≤ 2y on the box is charged no rounding, only its inputs\'', () => {
    const d = net(2, [[[[1, 0], 0], [[0, 1], 0]], [[[1, -1], 0]], [[[1], 0]]]);
    const inputs = ulp32(3.5) + ulp32(2.5);
    const b = affineRoundingBound(d, [3, 2], [3.5, 2.5], 'float32');
    assert.ok(b >= inputs && b <= inputs + 1e-10, `${b} vs inputs ${inputs}`);
    assert.ok(measured(d, [3, 2], [3.5, 2.5]) <= b);
    // x up to 5.5 > 2·2.5: the difference may round (half an ulp of 3.5 more).
    const wide = affineRoundingBound(d, [3, 2], [5.5, 2.5], 'float32');
    assert.ok(wide >= ulp32(5.5) + ulp32(2.5) + ulp32(3.5), `${wide}`);
    assert.ok(measured(d, [3, 2], [5.5, 2.5]) <= wide);
  });

  it('Fast2Sum: the error pair is bounded by half an ulp of the sum, and S + t by its inputs and one rounding', () => {
    const lo = [1e6, 0.3]; const hi = [1.1e6, 0.7];
    const t = affineRoundingBound(fast2Sum([0, 1]), lo, hi, 'float32');
    // Each row's bound carries 1e-12 of its magnitude for the analysis's own float64 arithmetic.
    const slack = 1e-11 * hi[0]!;
    assert.ok(t <= ulp32(1.1e6 + 0.7) + slack, `error term ${t}`);
    assert.ok(measured(fast2Sum([0, 1]), lo, hi) <= t);
    assert.ok(measured(fast2Sum([0, 1]), lo, hi) > 0, 'the grid meets sums that round');
    const st = affineRoundingBound(fast2Sum([1, 1]), lo, hi, 'float32');
    const inputs = ulp32(1.1e6) + ulp32(0.7);
    assert.ok(st <= inputs + ulp32(1.1e6 + 0.7) + slack, `S + t ${st}`);
    assert.ok(measured(fast2Sum([1, 1]), lo, hi) <= st);
    // z = S − b instead: t is no error term, and rounds.
    const wrong = affineRoundingBound(fast2Sum([0, 1], true), lo, hi, 'float32');
    assert.ok(measured(fast2Sum([0, 1], true), lo, hi) <= wrong);
  });

});

describe('rows computed without rounding: the bound against float32 itself', () => {
  it('the bound covers three float32 orders on Fast2Sum layouts of random operands, right or wrong', () => {
    const end = fc.double({ min: -2e7, max: 2e7, noNaN: true });
    fc.assert(fc.property(end, end, end, end, fc.boolean(), fc.constantFrom<[number, number]>([0, 1], [1, 1], [1, -1]),
      (a0, a1, b0, b1, wrong, out) => {
        const lo = [Math.min(a0, a1), Math.min(b0, b1) / 64]; const hi = [Math.max(a0, a1), Math.max(b0, b1) / 64];
        const n = fast2Sum(out, wrong);
        const b = affineRoundingBound(n, lo, hi, 'float32');
        assert.ok(measured(n, lo, hi, 12) <= b, `box ${lo} ${hi}: ${measured(n, lo, hi, 12)} > ${b}`);
      }), { seed: 32181, numRuns: propertyRuns(60) });
  });

  it('the bound covers three float32 orders on random networks of ±1 rows and mirrored pairs', () => {
    const w = fc.constantFrom(0, 0, 1, -1, 1, -1, 0.5, 0.7);
    // A layer of mirrored pairs (w, b), (−w, −b), reading the previous pairs with (v, ∓v) each.
    const row = (pairs: number) => fc.tuple(fc.array(fc.tuple(w, fc.boolean()), { minLength: pairs, maxLength: pairs }),
      fc.constantFrom(0, 0, 0, 0.25)).map(([vs, b]): [number[], number] => [vs.flatMap(([v, o]) => [v, o ? -v : v]),
      b]);
    const layer = (pairs: number) => fc.array(row(pairs), { minLength: 2, maxLength: 2 })
      .map((rs) => rs.flatMap(([ws, b]): [number[], number][] => [[ws, b], [ws.map((v) => -v), -b]]));
    const netArb = fc.tuple(layer(1), layer(2), row(2))
      .map(([l1, l2, o]) => net(2, [l1.map(([ws, b]) => [[ws[0]!, ws[1]!], b]), l2, [o]]));
    const end = fc.double({ min: -1e3, max: 1e3, noNaN: true });
    fc.assert(fc.property(netArb, end, end, end, end, (n, a0, a1, b0, b1) => {
      const lo = [Math.min(a0, a1), Math.min(b0, b1)]; const hi = [Math.max(a0, a1), Math.max(b0, b1)];
      const b = affineRoundingBound(n, lo, hi, 'float32');
      const m = measured(n, lo, hi, 12);
      assert.ok(m <= b + 1e-12 * (1 + b), `box ${lo} ${hi}: ${m} > ${b}`);
    }), { seed: 32182, numRuns: propertyRuns(80) });
  });
});
