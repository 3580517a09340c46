/**
 * compile's cost bounded before and during the work (compile/cost.ts): the maxSeconds option
 * checked up front, the estimate from the plan (segments by the cost model, analytic here),
 * and the request's one work pool, which ends a piece's proof in one WorkError naming its limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withWork } from '../../src/approx/budget.ts';
import { placeEquidistributed, placeOptimalMax } from '../../src/approx/placement.ts';
import { makeTarget } from '../../src/approx/target.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { defaultMeasureCount, formulaNodes } from '../../src/compile/measure.ts';
import { compileWork, VISITS_PER_SECOND } from '../../src/compile/cost.ts';
import { approximateOnRange } from '../../src/compile/piece.ts';
import { InputError, WorkError } from '../../src/errors.ts';
import { parseFormula } from '../../src/expr/parse.ts';

const base = { expr: 'x^2', vars: { x: [0, 1] as [number, number] }, maxError: 1e-3 };

test('maxSeconds is checked before any work: a finite number above 0, with its field and code', () => {
  for (const [value, code] of [[0, 'not-positive'], [-1, 'not-positive'], [Infinity, 'not-finite'],
    [Number.NaN, 'not-finite'], ['60', 'wrong-type']] as const) {
    assert.throws(() => compileFormula({ ...base, maxSeconds: value as number }),
      (e: unknown) => e instanceof InputError && e.field === 'maxSeconds' && e.code === code,
      `maxSeconds ${String(value)}`);
  }
  const r = compileFormula({ ...base, maxSeconds: 5 });
  assert.ok(r.certifiedMax <= 1e-3 && r.measuredMax <= r.certifiedMax);
});

test('a request whose estimate is over maxSeconds is refused at once, naming the limit and the estimate: sin on ' +
  '[0, 1000] at 1e-6 needs ∫√|sin| / (4√(0.97e-6)) segments (the construction\'s share of the tolerance)', () => {
  // ∫₀^π √sin = √π·Γ(3/4)/Γ(5/4) = 2.396280469; 1000/π half-periods of it.
  const integral = (1000 / Math.PI) * 2.396280469;
  const segments = integral / (4 * Math.sqrt(0.97e-6));
  assert.throws(() => compileFormula({ expr: 'sin(x)', vars: { x: [0, 1000] }, maxError: 1e-6 }), (e: unknown) => {
    if (!(e instanceof InputError) || e.field !== 'maxError' || e.code !== 'out-of-range') return false;
    const m = /need at most 60 s of work .*: an estimated (\d+) s, 0 s of it measuring, the largest piece about (\d+) /
      .exec(e.message);
    assert.ok(m, e.message);
    assert.ok(Number(m[1]) > 60, e.message);
    assert.ok(Math.abs(Number(m[2]) - segments) <= 0.005 * segments, `${m[2]} segments, analytic ${segments}`);
    return true;
  });
});

test('the request\'s pool ends a piece\'s proof that needs more than its work limit in one WorkError naming it', () => {
  const fn = parseFormula(Array.from({ length: 20 }, (_, k) => `sin(${k + 1}*u)`).join('+')).expr;
  const work = compileWork(1e-3);
  assert.equal(work.limit, 1e-3 * VISITS_PER_SECOND);
  assert.throws(() => withWork(work, () => approximateOnRange(fn, [0, 1], 0.05, 1_000_000)), (e: unknown) =>
    e instanceof WorkError && e.code === 'work-limit' && !e.message.includes('\n') &&
    new RegExp(String.raw`^compile could not finish within its work limit of 400 formula-node visits .*` +
      String.raw`--max-seconds 0\.001\): a piece's share of the tolerance, 0\.0500, was not proven: the best proven ` +
      String.raw`bound was .*; raise the tolerance or --max-seconds\.$`).test(e.message));
  assert.ok(work.left <= 0, `left ${work.left}`);
});

test('knot placement is charged to the request\'s pool, and once the pool is spent the equidistributed knots stand',
  () => {
  const t = makeTarget(parseFormula('sin(u)').expr, 'u', 0, 3, 'expression');
  const work = compileWork(10);
  const x = withWork(work, () => placeOptimalMax(t, 20));
  assert.ok(work.left < work.limit && x.length === 21, `left ${work.left}, ${x.length} knots`);
  const spent = compileWork(1);
  spent.left = 0;
  assert.deepEqual(withWork(spent, () => placeOptimalMax(t, 20)), placeEquidistributed(t, 20, 0.5));
  assert.deepEqual(placeOptimalMax(t, 20), x, 'without a pool: the same knots as with one that can pay');
});

test('the measurement stays within the sampler: measureCount × inputs above 8e7 is refused up front, and the ' +
  'default count shrinks with the formula size and with the number of inputs', () => {
  const vars = { x: [0, 1] as [number, number], y: [0, 1] as [number, number], z: [0, 1] as [number, number] };
  assert.throws(() => compileFormula({ expr: 'x+y+z', vars, maxError: 1e-3, measureCount: 26_666_667 }),
    (e: unknown) => e instanceof InputError && e.field === 'measureCount' && e.code === 'out-of-range');
  const sum = (n: number) => formulaNodes([parseFormula(Array.from({ length: n }, (_, k) => `x${k}`).join('+')).expr]);
  assert.equal(defaultMeasureCount(sum(1), 1), 100_000);
  // 2,500 variables: 10^8 / 4,999 nodes = 20,004 by work, 10^7 / 2,500 = 4,000 by memory.
  assert.equal(defaultMeasureCount(sum(2500), 2500), 4_000);
  // 1,000 terms sin(x+k) of one variable: 4,999 nodes, 10^8 / 4,999 = 20,004 samples.
  const long = formulaNodes([parseFormula(Array.from({ length: 1000 }, (_, k) => `sin(x+${k})`).join('+')).expr]);
  assert.equal(defaultMeasureCount(long, 1), 20_004);
});
