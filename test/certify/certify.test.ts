import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { certifyNetwork } from '../../src/certify/certify.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { exactMaxError } from './oracle.ts';

const SEED = 20261130;

/**
 * Random ReLU networks: 1–3 inputs, 1–3 hidden layers (the first ReLU, later ones ReLU or linear),
 * at most 30 ReLUs.
 */
const network = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 3 }),
    fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
  .chain(([nIn, widths, linear]) => {
    const sizes = [nIn, ...widths, 1];
    const w = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
    const layers = sizes.slice(1).map((out, i) => fc.tuple(fc.array(w, { minLength: out * sizes[i]!,
      maxLength: out * sizes[i]! }), fc.array(w, { minLength: out, maxLength: out })));
    return fc.tuple(...layers).map((ls): Network => ({
      inputs: Array.from({ length: nIn }, (_, i) => `x${i}`),
      outputs: ['y'],
      // Some hidden layers linear (as readers leave LeakyReLU read-outs and linear Dense layers).
      layers: ls.map(([ws, b], i) => denseLayer(i === ls.length - 1 || (linear[i] && i > 0) ? 'linear' : 'relu',
        sizes[i]!, sizes[i + 1]!, ws, b)),
    }));
  });

/** f = c0 + Σ c_i·x_i + k·|x0|: piecewise affine with one kink, so the oracle is exact. */
const formula = fc.tuple(fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0,
  max: 4 }));

test('certifyNetwork(random ReLU net ≤ 30 ReLUs, ≤ 3 inputs) is ≥ the exact max from enumerated linear regions', () => {
  console.log(`fast-check seed ${SEED}`);
  fc.assert(
    fc.property(network, formula, fc.integer({ min: 1, max: 1000 }), (net, [c, k], seed) => {
      const d = net.inputs.length;
      const coef = c.map((v) => v / 8);
      const text = `${coef[0]} + ${net.inputs.map((v, i) => `${coef[i + 1]}*${v}`).join(' + ')} + ${k / 4}*abs(x0)`;
      const f = (x: number[]) => coef[0]! + x.reduce((s, v, i) => s + coef[i + 1]! * v, 0) + (k / 4) * Math.abs(x[0]!);
      const lo = Array.from({ length: d }, (_, i) => -1 - (i % 2) * 0.5);
      const hi = Array.from({ length: d }, (_, i) => 1 + (i % 3) * 0.25);
      const r = certifyNetwork({ net, expr: parseFormula(text).expr, box: lo.map((l, i) => [l, hi[i]!] as const),
        gap: 0.05, timeSeconds: 5, seed });
      const oracle = exactMaxError(net, f, lo, hi, [{ a: lo.map((_, i) => (i === 0 ? 1 : 0)), b: 0 }]);
      const tol = 1e-9 * (1 + oracle.max);
      assert.ok(r.upper >= oracle.max, `proven ${r.upper} < exact max ${oracle.max} at ${oracle.at} for ${text}`);
      assert.ok(r.lower <= oracle.max + tol, `found ${r.lower} > exact max ${oracle.max} for ${text}`);
      if (r.stopped === 'gap') assert.ok(r.upper <= 1.05 * r.lower * (1 + 1e-9) + r.rounding + 1e-12,
        `stopped at gap but ${r.upper} > 1.05 × ${r.lower}`);
    }),
    { seed: SEED, numRuns: 60 },
  );
});

test('certifyNetwork with a linear --range condition is ≥ the exact max over that part of the box', () => {
  console.log(`fast-check seed ${SEED + 1}`);
  fc.assert(
    fc.property(network, formula, fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: -4, max: 4 }), (net, [c, k], g, t) => {
      const coef = c.map((v) => v / 8);
      const text = `${coef[0]} + ${net.inputs.map((v, i) => `${coef[i + 1]}*${v}`).join(' + ')} + ${k / 4}*abs(x0)`;
      const f = (x: number[]) => coef[0]! + x.reduce((s, v, i) => s + coef[i + 1]! * v, 0) + (k / 4) * Math.abs(x[0]!);
      const a = net.inputs.map((_, i) => (i === 0 ? 1 : g[i]! / 4));
      const [rlo, rhi] = [t / 8 - 0.25, t / 8 + 0.5];
      const lo = net.inputs.map(() => -1), hi = net.inputs.map(() => 1);
      const oracle = exactMaxError(net, f, lo, hi, [{ a: lo.map((_, i) => (i === 0 ? 1 : 0)), b: 0 }], [{ a, b: rhi },
        { a: a.map((v) => -v), b: -rlo }]);
      const range = { expr: parseFormula(net.inputs.map((v, i) => `${a[i]}*${v}`).join(' + ')).expr, lo: rlo, hi: rhi };
      const r = certifyNetwork({ net, expr: parseFormula(text).expr, box: lo.map((l, i) => [l, hi[i]!] as const),
        ranges: [range], gap: 0.05, timeSeconds: 5 });
      assert.ok(r.upper >= oracle.max, `proven ${r.upper} < exact max ${oracle.max} at ${oracle.at} for ${text}, ` +
        `range ${rlo}:${rhi} of ${a}`);
      assert.ok(r.lower <= oracle.max + 1e-9 * (1 + oracle.max), `found ${r.lower} > exact max ${oracle.max}`);
    }),
    { seed: SEED + 1, numRuns: 40 },
  );
});

test('certifyNetwork of the identity network against x is the network rounding only', () => {
  const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 2, [1, -1], [0, 0]),
    denseLayer('linear', 2, 1, [1, -1], [0])] };
  const r = certifyNetwork({ net, expr: parseFormula('x').expr, box: [[-3, 5]], timeSeconds: 1 });
  assert.equal(r.lower, 0);
  assert.ok(r.upper < 1e-13, `bound ${r.upper}`);
});
