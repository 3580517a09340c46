import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { t3Float32Figures } from '../../src/cli/demo-float32.ts';
import { UNIT_ROUNDOFF } from '../../src/net/floatformat.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { T3 } from '../../src/reference.ts';
import { t3Fold32At300 } from '../support/t3.ts';

describe('the demo\'s T3 float32 figures: certified, adversarial, measured, floor', () => {
  const n = 20_000;
  const shell = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed: 20181106 });
  const d = Float64Array.from({ length: n }, (_, i) => Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!));
  // The T3 fold for float32 at 300 that test/certify/adversary.test.ts reads too, built once per process
  // (test/support/t3.ts). Only its network and float32 certificate are read here, and they do not depend on the
  // samples a build is measured on: the figures measure on `shell`.
  const r = t3Fold32At300();
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
