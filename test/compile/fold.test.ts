import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyFold, foldedAngle, foldKinks, foldProjection, planRelError, planRelus,
    treeLevels } from '../../src/compile/fold.ts';
import { designNorm } from '../../src/compile/foldplan.ts';

const SEED = 20261130;
console.log(`fold property tests: fast-check seed ${SEED}`);

describe('foldKinks (one fold)', () => {
  it('maps every direction of the wedge [0, a] into [0, a/k] and keeps its length', () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: Math.PI / 2, noNaN: true }), fc.integer({ min: 2, max: 16 }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1e-3, max: 1e8, noNaN: true }),
      (a, k, s, r) => {
        const th = s * a;
        const [u, v] = applyFold(foldKinks(a, k), [r * Math.cos(th), r * Math.sin(th)]);
        const angle = Math.atan2(v, u);
        assert.ok(Math.abs(Math.hypot(u, v) - r) <= 1e-13 * r, `length ${Math.hypot(u, v)} vs ${r}`);
        assert.ok(angle >= -1e-12 && angle <= a / k + 1e-12, `angle ${angle} outside [0, ${a / k}]`);
      }), { seed: SEED, numRuns: 500 });
  });

  it('is continuous across each ray (the rank-one kink vanishes on it)', () => {
    const a = Math.PI / 2;
    const kinks = foldKinks(a, 7);
    for (const K of kinks) {
      const w: [number, number] = [Math.cos(K.angle), Math.sin(K.angle)];
      assert.ok(Math.abs(K.n[0] * w[0] + K.n[1] * w[1]) < 1e-15);
      assert.ok(Math.abs(Math.hypot(...K.d) - 2) < 1e-14, `|d| = ${Math.hypot(...K.d)}`);
    }
  });
});

describe('foldProjection', () => {
  it('c·<w, m> is within tan²(a/4)·|w|, with equality at the edges and the middle of the wedge', () => {
    for (const a of [Math.PI / 2, 0.1, 1e-3]) {
      const { m, c, relError } = foldProjection(a);
      assert.equal(relError, Math.tan(a / 4) ** 2);
      const at = (th: number) => c * (m[0] * Math.cos(th) + m[1] * Math.sin(th)) - 1;
      assert.ok(Math.abs(at(0) + relError) < 1e-15 && Math.abs(at(a) + relError) < 1e-15);
      assert.ok(Math.abs(at(a / 2) - relError) < 1e-15);
      for (let i = 0; i <= 100; i++) assert.ok(Math.abs(at((a * i) / 100)) <= relError + 1e-15);
    }
  });
});

describe('designNorm (choice of the folds)', () => {
  it('meets the relative tolerance with the bound Π(1 + tan²(a_l/4)) − 1 and counts its ReLUs', () => {
    const tols = fc.double({ min: 1e-12, max: 1e-2, noNaN: true });
    fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), tols, (n, tol) => {
      const p = designNorm(n, tol, { maxDepth: 64 });
      assert.ok(p, `no plan for ${n} terms at ${tol}`);
      assert.ok(p.relError <= tol, `relError ${p.relError} > ${tol}`);
      assert.equal(p.relError, planRelError(p.levels));
      assert.equal(p.relus, planRelus(p.levels));
      assert.deepEqual(p.levels.map((l) => ({ nodes: l.nodes, carried: l.carried })), treeLevels(n));
      assert.ok(p.depth <= 64);
    }), { seed: SEED, numRuns: 60 });
  });

  it('keeps within --max-depth, and refuses when no plan fits', () => {
    const p = designNorm(3, 1e-6, { maxDepth: 6 });
    assert.ok(p && p.depth <= 6 && p.relError <= 1e-6);
    assert.equal(designNorm(3, 1e-8, { maxDepth: 6 }), null); // 16^3 per level is too coarse
    assert.equal(designNorm(300, 1e-8, { maxDepth: 3 }), null);
  });

  it('the ideal tree (float64 folds and projections) stays within relError·|w| on random vectors', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e7, max: 1e7, noNaN: true }), { minLength: 2, maxLength: 9 }),
        (w) => {
      const p = designNorm(w.length, 1e-6, { maxDepth: 64 })!;
      let values = w.map(Math.abs);
      for (const l of p.levels) {
        const next: number[] = [];
        for (let i = 0; i + 1 < values.length; i += 2) {
          let pair: [number, number] = [values[i]!, values[i + 1]!];
          let a = Math.PI / 2;
          for (const k of l.folds) { pair = applyFold(foldKinks(a, k), pair); a /= k; }
          const { m, c } = foldProjection(foldedAngle(l.folds));
          next.push(c * (m[0] * pair[0] + m[1] * pair[1]));
        }
        if (values.length % 2) next.push(values[values.length - 1]!);
        values = next;
      }
      const r = Math.hypot(...w);
      assert.ok(Math.abs(values[0]! - r) <= p.relError * r * (1 + 1e-9) + 1e-300, `est ${values[0]} vs ${r}`);
    }), { seed: SEED, numRuns: 200 });
  });
});
