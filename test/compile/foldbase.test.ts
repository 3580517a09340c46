import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { float32Adversary } from '../../src/certify/adversary.ts';
import { evaluateFloat32Fused } from '../../src/certify/float32fused.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { unitProjection } from '../../src/compile/fold.ts';
import { foldRoundingBound } from '../../src/compile/foldround.ts';
import { foldNorm } from '../../src/compile/foldunits.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { Program } from '../../src/net/program.ts';
import { reversed32 } from '../support/float32orders.ts';
import { propertyRuns } from '../support/runs.ts';

const U = 2 ** -24;

/**
 * The norm of `dims` coordinates in [−R, R] laid out for float32 (foldbase.ts): a budget of
 * 1e-6·R is below the accordion layout's typical float32 rounding, so foldNorm picks the reflections.
 */
function baseNorm(dims: number, R: number, rMin: number, rel = 1e-6) {
  const prog = new Program(dims, 4);
  const norm = R * Math.sqrt(dims);
  const args = Array.from({ length: dims }, (_, i) => ({ form: prog.inputForm(i), lo: -R, hi: R, err: 0 }));
  const o = { maxDepth: 64, minimize: 'relus' as const, maxK: 3, extraLayers: 1, base: true, rMin };
  const b = foldNorm(prog, args, norm, rel * norm, o);
  const net = prog.toNetwork(b.form, 0, ['x', 'y', 'z'].slice(0, dims), 'y', norm * 1.01, false);
  return { net, b, norm };
}

describe('the unit projection (fold.ts unitProjection)', () => {
  it('<w, (1, tan(a/2))> lies in [|w|, sec(a/2)·|w|] on the wedge [0, a]: |w| on its edges, '
    + 'sec(a/2)·|w| in its middle', () => {
    for (const a of [Math.PI / 2, 0.3, 1e-3]) {
      const { q, relError } = unitProjection(a);
      assert.ok(Math.abs(relError - (1 / Math.cos(a / 2) - 1)) <= 1e-15);
      for (let i = 0; i <= 64; i++) {
        const th = (a * i) / 64;
        const p = Math.cos(th) + q * Math.sin(th);
        assert.ok(p >= 1 - 1e-15 && p <= 1 + relError + 1e-15, `a=${a} θ=${th}: ${p}`);
      }
      assert.ok(Math.abs(Math.cos(a) + q * Math.sin(a) - 1) <= 1e-15, 'edge a');
      assert.ok(Math.abs(Math.cos(a / 2) + q * Math.sin(a / 2) - (1 + relError)) <= 1e-14, 'middle');
    }
  });
});

describe('folded norms laid out for float32 (compile/foldbase.ts)', () => {
  it('picks the reflections below the accordion\'s float32 rounding; the exact network is within the construction '
    + 'bound', () => {
    const { net, b, norm } = baseNorm(3, 2.4e7, 0);
    assert.ok(b.trace?.base, 'the float32 layout');
    assert.ok(b.folds.every((f) => f.every((k) => k === 2)), `reflections only: ${JSON.stringify(b.folds)}`);
    assert.ok(b.certified <= 1e-6 * norm);
    let s = 5;
    const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
    for (let i = 0; i < 2000; i++) {
      const x = [rnd(), rnd(), rnd()].map((v) => (2 * v - 1) * 2.4e7);
      const got = evaluate(net, x)[0]!;
      assert.ok(Math.abs(got - Math.hypot(...x)) <= b.certified, `${x}: ${got} vs ${Math.hypot(...x)}`);
    }
  });

  it('its float32 bound covers three float32 orders at random points of the ball, near 0 too', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }), fc.double({ min: 1, max: 1e8, noNaN: true }),
      fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (dims, R, shell, seed) => {
        const rMin = shell ? 0.5 * R * Math.sqrt(dims) : 0;
        const { net, b, norm } = baseNorm(dims, R, rMin);
        const bound = foldRoundingBound(net, b.trace!, 'float32', b.R, norm, 300);
        assert.ok(bound < 1e3 * U * norm, `bound ${bound} at R=${R}`);
        let s = seed;
        const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
        for (let i = 0; i < 300; i++) {
          // In the certified region: |x| in [rMin, b.R] (down to 0 when rMin = 0, by a cube law).
          const g = Array.from({ length: dims }, () => 2 * rnd() - 1);
          const r = rMin + (b.R - rMin) * (shell ? rnd() : rnd() ** 3);
          const x = g.map((v) => (v * r) / Math.max(Math.hypot(...g), 1e-9));
          const exact = evaluate(net, x)[0]!;
          for (const got of [evaluate(net, x, 'float32')[0]!, evaluateFloat32Fused(net, x)[0]!, reversed32(net, x)]) {
            assert.ok(Math.abs(got - exact) <= bound + 1e-12 * norm, `R=${R}: ${Math.abs(got - exact)} > ${bound}`);
          }
        }
      }), { seed: 32012, numRuns: propertyRuns(6) });
  });

  it('certified (construction + float32 bound) is at least the adversary\'s worst float32 error on random '
    + 'distances', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }), fc.double({ min: 10, max: 1e8, noNaN: true }), (dims, R) => {
      const { net, b, norm } = baseNorm(dims, R, 0.5 * R * Math.sqrt(dims), 3e-6);
      const certified = b.certified + foldRoundingBound(net, b.trace!, 'float32', b.R, norm, 400);
      const names = ['x', 'y', 'z'].slice(0, dims);
      const expr = parseFormula(`sqrt(${names.map((v) => `${v}^2`).join('+')})`).expr;
      const inside = (x: Float64Array) => {
        const n = Math.hypot(...x);
        return n >= 0.5 * R * Math.sqrt(dims) && n <= b.R;
      };
      const adv = float32Adversary({ net, expr, box: names.map(() => [-R, R] as [number, number]), inside,
        n: 2000, starts: 4, maxEvaluations: 8000, seed: 32013 });
      assert.ok(adv.worst <= certified, `dims ${dims} R=${R}: adversary ${adv.worst} > certified ${certified}`);
    }), { seed: 32014, numRuns: propertyRuns(4) });
  });

});

describe('compile --dtype float32 with the float32 fold layout', () => {
  it('picks it for a tight distance and certifies at least the adversary\'s error', () => {
    const vars: Record<string, [number, number]> = { x: [-1000, 1000], y: [-1000, 1000] };
    const c = compileFormula({ expr: 'sqrt(x^2+y^2)', vars, maxError: 2e-3, dtype: 'float32', measureCount: 1000 });
    const folds = c.nodes.flatMap((n) => n.folds ?? []);
    assert.ok(folds.length === 1 && folds[0]!.every((k) => k === 2), `reflections: ${JSON.stringify(folds)}`);
    assert.ok(c.certifiedMaxFloat32 <= 2e-3, `certified ${c.certifiedMaxFloat32}`);
    const adv = float32Adversary({ net: c.network, expr: parseFormula('sqrt(x^2+y^2)').expr, box: Object.values(vars),
      n: 4000, starts: 8, maxEvaluations: 20000, seed: 32015 });
    assert.ok(adv.worst <= c.certifiedMaxFloat32, `adversary ${adv.worst} > certified ${c.certifiedMaxFloat32}`);
    assert.ok(c.certifiedMaxFloat32 <= 2 * adv.worst, `certified ${c.certifiedMaxFloat32} > 2 × ${adv.worst}`);
  });
});
