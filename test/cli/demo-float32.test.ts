import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { t3Float32Figures } from '../../src/cli/demo-float32.ts';
import { UNIT_ROUNDOFF } from '../../src/net/floatformat.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { T3, t3Box, t3Ranges } from '../../src/reference.ts';

describe('the demo\'s T3 float32 figures: certified, adversarial, measured, floor', () => {
  const n = 20_000;
  const shell = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed: 20181106 });
  const d = Float64Array.from({ length: n }, (_, i) => Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!));
  const r = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), samples: shell, maxError: 300,
    norm: 'fold', dtype: 'float32' });
  const f = t3Float32Figures(r.network, r.certifiedMaxFloat32, shell, d);

  it('the adversary finds at most the certified bound (a proven lower bound under a proven upper bound)', () => {
    assert.equal(f.certified, r.certifiedMaxFloat32);
    assert.ok(f.adversarial > 0 && f.adversarial <= f.certified, `${f.adversarial} <= ${f.certified}`);
  });

  it('the adversary, started from the same samples, is not below the sampled error less the input rounding', () => {
    // measured compares N(fl(x)) with d(x), the adversary with d(fl(x)); |d(x) − d(fl(x))| ≤ |x − fl(x)| ≤ √3
    // (d is 1-Lipschitz; coordinates below 2^25 round by at most 1 in float32).
    assert.ok(f.measured > 0);
    assert.ok(f.adversarial >= f.measured - Math.sqrt(3), `${f.adversarial} >= ${f.measured} - √3`);
  });

  it('the floor is one rounding of the largest output, u·2.4e7', () => {
    assert.equal(f.floor, UNIT_ROUNDOFF.float32 * T3.outer);
    assert.equal(UNIT_ROUNDOFF.float32, 2 ** -24);
  });
});
