import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Assembled } from '../../src/compile/assemble.ts';
import { certifyFloat32, type RoundingScope } from '../../src/compile/float32cert.ts';
import { BASE_CONE_FINE_EVALUATIONS, BASE_CONE_FINEST_EVALUATIONS } from '../../src/compile/foldbase.ts';

/**
 * A float32 fold layout (foldbase.ts) whose rounding bound is `bounds[evaluations]`: which passes
 * certifyFloat32 runs and what it returns.
 */
function run(errorOut: number, bounds: Record<number, number>, maxError: number): { total: number; passes: number[] } {
  const passes: number[] = [];
  const built = {
    errorOut, foldBase: true, summary: { relus: 100 },
    foldRounding: (_dtype: string, evaluations = 6000) => { passes.push(evaluations); return bounds[evaluations]!; },
  } as unknown as Assembled;
  const scope = { dtype: 'float32', boxLo: [], boxHi: [], region: {} } as unknown as RoundingScope;
  return { total: certifyFloat32(scope, built, maxError), passes };
}

describe('certifyFloat32 on the float32 fold layout: finer patches near the tolerance', () => {
  const F = BASE_CONE_FINE_EVALUATIONS; const FF = BASE_CONE_FINEST_EVALUATIONS;

  it('stops at the coarse pass well within the tolerance, or when its rounding is more than 3 times it', () => {
    assert.deepEqual(run(1, { 6000: 5 }, 10), { total: 6, passes: [6000] });
    assert.deepEqual(run(1, { 6000: 31 }, 10), { total: 32, passes: [6000] });
  });

  it('stops at the fine pass when it meets the tolerance or its rounding part is 1.25 times it or more', () => {
    assert.deepEqual(run(1, { 6000: 25, [F]: 8 }, 10), { total: 9, passes: [6000, F] });
    assert.deepEqual(run(1, { 6000: 25, [F]: 12.5 }, 10), { total: 13.5, passes: [6000, F] });
  });

  it('goes on to the finest pass where the fine rounding is below 1.25 times the tolerance but the total above', () => {
    assert.deepEqual(run(2, { 6000: 25, [F]: 9.5, [FF]: 7.5 }, 10), { total: 9.5, passes: [6000, F, FF] });
    assert.deepEqual(run(1, { 6000: 25, [F]: 12, [FF]: 8 }, 10), { total: 9, passes: [6000, F, FF] });
    // Each pass's bound holds: the smallest is kept.
    assert.deepEqual(run(2, { 6000: 25, [F]: 9.5, [FF]: 9.7 }, 10), { total: 11.5, passes: [6000, F, FF] });
  });
});
