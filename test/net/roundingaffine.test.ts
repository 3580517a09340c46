import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { float32Adversary } from '../../src/certify/adversary.ts';
import { evaluateFloat32Fused } from '../../src/certify/float32fused.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { coneRoundingBound } from '../../src/compile/foldcone.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { affineRoundingBound, affineRoundingSplit, halfUlp } from '../../src/net/roundingaffine.ts';
import { reversed32 } from '../support/float32orders.ts';
import { propertyRuns } from '../support/runs.ts';

const U = 2 ** -24;

const weight = fc.oneof(fc.constant(0), fc.constant(1), fc.constant(-0.5), fc.double({ min: -3, max: 3, noNaN: true }));
const layerOf = (inSize: number, outSize: number, relu: boolean) => fc.record({
  w: fc.array(weight, { minLength: inSize * outSize, maxLength: inSize * outSize }),
  b: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -2, max: 2, noNaN: true })),
    { minLength: outSize, maxLength: outSize }),
}).map(({ w, b }) => denseLayer(relu ? 'relu' : 'linear', inSize, outSize, w, b));
const netArb = fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 })).chain(([h1, h2]) =>
  fc.tuple(layerOf(2, h1, true), layerOf(h1, h2, true), layerOf(h2, 1, false)).map((layers): Network =>
    ({ inputs: ['x', 'y'], outputs: ['f'], layers })));

describe('affine float32 rounding bound (net/roundingaffine.ts)', () => {
  it('halfUlp: half the float32 spacing of the binade, never below the error of rounding', () => {
    assert.equal(halfUlp(2.4e7, U, 2 ** -150), 1); // binade [2^24, 2^25): spacing 2
    assert.equal(halfUlp(1, U, 2 ** -150), U);
    for (const y of [3.3e-3, 0.7, 1.5e6, 2.39e7]) assert.ok(Math.abs(Math.fround(y) - y) <= halfUlp(y, U, 2 ** -150));
  });

  it('bounds every float32 evaluation order (knotnet, fused, reversed) on random networks and boxes', () => {
    const centre = fc.double({ min: -4, max: 4, noNaN: true });
    fc.assert(fc.property(netArb, centre, centre, fc.double({ min: 1e-3, max: 3, noNaN: true }), (net, cx, cy, w) => {
        const lo = [cx - w, cy - w]; const hi = [cx + w, cy + w];
        const bound = affineRoundingBound(net, lo, hi, 'float32');
        const split = affineRoundingSplit(net, lo, hi, 'float32').refine(40);
        for (let i = 0; i <= 20; i++) {
          for (let j = 0; j <= 20; j++) {
            const x = [lo[0]! + ((hi[0]! - lo[0]!) * i) / 20, lo[1]! + ((hi[1]! - lo[1]!) * j) / 20];
            const exact = evaluate(net, x)[0]!;
            const noise = 1e-12 * (1 + Math.abs(exact));
            for (const got of [evaluate(net, x, 'float32')[0]!, evaluateFloat32Fused(net, x)[0]!, reversed32(net, x)]) {
              assert.ok(Math.abs(got - exact) <= bound + noise, `bound ${bound} < ${Math.abs(got - exact)} at ${x}`);
              assert.ok(Math.abs(got - exact) <= split + noise, `split ${split} < ${Math.abs(got - exact)} at ${x}`);
            }
          }
        }
      }), { seed: 32001, numRuns: propertyRuns(40) });
  });
});

describe('folded norms in float32: cone patches (compile/foldcone.ts via foldround.ts)', () => {
  it('the float32 certificate is at least the adversary\'s worst error on random 2- and 3-D distances', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }), fc.double({ min: 1, max: 1e7, noNaN: true }),
      fc.double({ min: 1e-4, max: 1e-2, noNaN: true }), (dims, R, rel) => {
        const names = ['x', 'y', 'z'].slice(0, dims);
        const expr = `sqrt(${names.map((v) => `${v}^2`).join('+')})`;
        const vars = Object.fromEntries(names.map((v) => [v, [-R, R] as [number, number]]));
        const c = compileFormula({ expr, vars, maxError: rel * R, norm: 'fold' });
        const adv = float32Adversary({ net: c.network, expr: parseFormula(expr).expr, box: Object.values(vars),
          n: 2000, starts: 4, maxEvaluations: 8000, seed: 32002 });
        assert.ok(adv.worst <= c.certifiedMaxFloat32, `${expr} R=${R}: ${adv.worst} > ${c.certifiedMaxFloat32}`);
      }), { seed: 32003, numRuns: propertyRuns(4) });
  });
});

describe('cone patches over a ball (compile/foldcone.ts)', () => {
  it('bound the three float32 orders at random points of the box, mirrored and one-sign columns alike', () => {
    fc.assert(fc.property(fc.double({ min: 10, max: 1e8, noNaN: true }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
      (R, oneSign, seed) => {
        const vars: Record<string, [number, number]> = { x: [oneSign ? 0 : -R, R], y: [-R, R], z: [-R, R] };
        const c = compileFormula({ expr: 'sqrt(x^2+y^2+z^2)', vars, maxError: 1e-3 * R, norm: 'fold' });
        // The ball near 0 that the caller charges (inner) is left out of the samples.
        const bound = coneRoundingBound(c.network, [1, 1, 1], R * Math.sqrt(3), 'float32', 200, () => 0);
        assert.ok(bound < 1e-4 * R, `cone bound ${bound} at R=${R}`);
        let s = seed;
        const rand = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
        for (let i = 0; i < 300; i++) {
          const x = Object.values(vars).map(([a, b]) => a + (b - a) * rand());
          if (Math.hypot(...x) < R * Math.sqrt(3) * 2 ** -12) continue;
          const exact = evaluate(c.network, x)[0]!;
          for (const got of [evaluate(c.network, x, 'float32')[0]!, evaluateFloat32Fused(c.network, x)[0]!,
            reversed32(c.network, x)]) {
            assert.ok(Math.abs(got - exact) <= bound + 1e-12 * R, `R=${R}: ${Math.abs(got - exact)} > ${bound}`);
          }
        }
      }), { seed: 32004, numRuns: propertyRuns(3) });
  });

  it('a resumed search (o.resumable, then a larger budget) gives the bound of a search from scratch', () => {
    const R = 1e6;
    const vars: Record<string, [number, number]> = { x: [-R, R], y: [-R, R], z: [-R, R] };
    const net = compileFormula({ expr: 'sqrt(x^2+y^2+z^2)', vars, maxError: 1e-3 * R, norm: 'fold' }).network;
    const run = (n: number, resumable: boolean) =>
      coneRoundingBound(net, [1, 1, 1], R * Math.sqrt(3), 'float32', n, () => 0, { resumable });
    const fresh = [60, 150, 400].map((n) => run(n, false));
    const resumed = [60, 150, 400].map((n) => run(n, true));
    assert.deepEqual(resumed, fresh);
    assert.ok(fresh[2]! <= fresh[0]!, `${fresh[2]} > ${fresh[0]}`);
  });

  it('a remembered bound (o.remember) is returned for the same weights only: a copy of the network gets it, a '
      + 'network with one weight changed its own', () => {
    const R = 1e6;
    const vars: Record<string, [number, number]> = { x: [-R, R], y: [-R, R], z: [-R, R] };
    const net = compileFormula({ expr: 'sqrt(x^2+y^2+z^2)', vars, maxError: 1e-3 * R, norm: 'fold' }).network;
    const copy = structuredClone(net);
    const last = copy.layers.at(-1)!;
    const doubled = { ...last, weights: last.weights.map((w) => 2 * w) };
    const scaled = { ...copy, layers: [...copy.layers.slice(0, -1), doubled] };
    const run = (n: Network, remember: boolean) =>
      coneRoundingBound(n, [1, 1, 1], R * Math.sqrt(3), 'float32', 80, () => 0, { remember });
    const first = run(net, true);
    assert.equal(run(copy, true), first);
    assert.equal(run(copy, false), first); // from scratch
    const other = run(scaled, true);
    assert.equal(other, run(scaled, false));
    assert.ok(other > first, `${other} <= ${first}`);
  });
});
