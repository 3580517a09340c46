import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { regionBands } from '../../src/compile/bands.ts';
import { formulaRegion } from '../../src/compile/region.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { InputError } from '../../src/errors.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { jumpPoints, jumpValue, rampFor, type JumpKind } from '../../src/expr/jumps.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { propertyRuns } from '../support/runs.ts';

const UNIT: Record<string, [number, number]> = { x: [0, 1], y: [0, 1] };
const third = 1 / 3;

/**
 * Cases: the formula with jumps, its bands (as --exclude texts and as an independent test
 * `inBand`), and the true discontinuous formula in plain JS (the reference).
 */
const CASES: { expr: string; exclude: string[]; inBand: (x: number, y: number) => boolean;
  truth: (x: number, y: number) => number; maxError: number }[] = [
  { expr: 'x*y + sign(x-0.5)', exclude: ['x=0.5±1e-3'], inBand: (x) => Math.abs(x - 0.5) < 1e-3,
    truth: (x, y) => x * y + Math.sign(x - 0.5), maxError: 1e-2 },
  // No band at x = 0: floor is right-continuous and 3·x is exactly 0 there (the range's exact end).
  { expr: 'floor(3*x) + y^2', exclude: [`x=${third}+-1e-3`, `x=${2 * third}+-1e-3`, 'x=1+-1e-3'],
    inBand: (x) => [third, 2 * third, 1].some((c) => Math.abs(x - c) < 1e-3),
    truth: (x, y) => Math.floor(3 * x) + y * y, maxError: 1e-2 },
  { expr: 'step(x - y) * x + heaviside(y - 0.5)', exclude: ['x - y=0±0.01', 'y=0.5±0.01'],
    inBand: (x, y) => Math.abs(x - y) < 0.01 || Math.abs(y - 0.5) < 0.01,
    truth: (x, y) => (x > y ? x : 0) + (y > 0.5 ? 1 : 0), maxError: 1e-2 },
  { expr: 'x*y + (x*y > 0.3) - (x <= y)', exclude: ['x*y=0.3±0.01', 'y-x=0+-0.01'],
    inBand: (x, y) => Math.abs(x * y - 0.3) < 0.01 || Math.abs(y - x) < 0.01,
    truth: (x, y) => x * y + (x * y > 0.3 ? 1 : 0) - (x <= y ? 1 : 0), maxError: 1e-2 },
  { expr: 'round(2*x) - ceil(2*y) + fix(4*x - 2)', exclude: ['x=0±1e-3', 'x=0.25±1e-3', 'x=0.75±1e-3', 'x=1±1e-3',
    'y=0.5±1e-3', 'y=0±1e-3', 'y=1±1e-3'],
  inBand: (x, y) => [0, 0.25, 0.75, 1].some((c) => Math.abs(x - c) < 1e-3) || [0, 0.5, 1].some((c) => Math.abs(y - c)
    < 1e-3),
  truth: (x, y) => Math.round(2 * x) - Math.ceil(2 * y) + Math.trunc(4 * x - 2), maxError: 1e-3 },
];

/** Largest |N − truth| on fresh samples of the box outside the bands, and how many were kept. */
function measuredOutside(c: (typeof CASES)[number], net: Parameters<typeof evaluate>[0], seed: number) {
  const x = sampleBox([UNIT.x!, UNIT.y!], 20_000, seed);
  const y = evaluate(net, x);
  let worst = 0, kept = 0;
  for (let i = 0; i < y.length; i++) {
    const [a, b] = [x[2 * i]!, x[2 * i + 1]!];
    if (c.inBand(a, b)) continue;
    kept++;
    const t = c.truth(a, b);
    // The float64 reference is within a few ulps of the real value.
    worst = Math.max(worst, Math.abs(y[i]! - t) - 4 * 2 ** -52 * (1 + Math.abs(t)));
  }
  return { worst, kept };
}

describe('compile --exclude: jumps certified outside the bands', () => {
  for (const c of CASES) {
    test(`${c.expr} outside ${c.exclude.join(', ')}: certificate <= ${c.maxError} and >= the error against the true ` +
      'formula on fresh samples outside the bands', () => {
      const r = compileFormula({ expr: c.expr, vars: UNIT, exclude: c.exclude, maxError: c.maxError,
        measureCount: 5000, seed: 5 });
      assert.deepEqual(r.region.exclude, c.exclude);
      assert.ok(r.certifiedMax <= c.maxError, `certified ${r.certifiedMax}`);
      const m = measuredOutside(c, r.network, 17);
      assert.ok(m.kept > 15_000, `kept ${m.kept}`);
      assert.ok(m.worst <= r.certifiedMax, `measured ${m.worst} > certified ${r.certifiedMax}`);
      assert.ok(r.measuredMax <= r.certifiedMax);
    });
  }

  test('for random band positions and widths, sin(x) + sign(x*y - c) outside x*y=c±w: certificate >= error against ' +
    'the true formula (fast-check, seed 20261130)', () => {
    const seed = 20261130;
    console.log(`fast-check seed ${seed}`);
    // The band written as the argument (its gap proven directly) or as y*x (proven by bisection).
    fc.assert(fc.property(fc.double({ min: 0.15, max: 0.7, noNaN: true }), fc.double({ min: 2e-3, max: 0.05,
      noNaN: true }), fc.constantFrom('x*y', 'y*x'), (c, w, band) => {
      const k = { expr: `sin(x) + sign(x*y - ${c})`, exclude: [`${band}=${c}±${w}`], maxError: 1e-2,
        inBand: (x: number, y: number) => Math.abs(x * y - c) < w,
        truth: (x: number, y: number) => Math.sin(x) + Math.sign(x * y - c) };
      const r = compileFormula({ expr: k.expr, vars: UNIT, exclude: k.exclude, maxError: k.maxError,
        measureCount: 2000, seed: 1 });
      const m = measuredOutside(k, r.network, 23);
      assert.ok(m.worst <= r.certifiedMax, `c ${c}, w ${w}: measured ${m.worst} > certified ${r.certifiedMax}`);
    }), { seed, numRuns: propertyRuns(5) });
  });
});

test('a band of the jump\'s own argument covers it without bisection: sign(x^2+y^2+z^2 - 1) + x outside ' +
  'x^2+y^2+z^2=1±0.05 on [-1.5, 1.5]³; the step adds no error (its input\'s error <= 1 in ramp units), so only ' +
  'rounding is left; certificate >= the error against the true formula', () => {
  const box: Record<string, [number, number]> = { x: [-1.5, 1.5], y: [-1.5, 1.5], z: [-1.5, 1.5] };
  const r = compileFormula({ expr: 'sign(x^2+y^2+z^2 - 1) + x', vars: box, exclude: ['x^2+y^2+z^2=1±0.05'],
    maxError: 1e-2, measureCount: 2000 });
  const step = r.nodes.find((n) => n.kind === 'min')!;
  assert.equal(step.errorIn, 0);
  assert.ok(r.certifiedMax < 1e-9, `certified ${r.certifiedMax}`);
  const x = sampleBox([box.x!, box.y!, box.z!], 20_000, 31);
  const y = evaluate(r.network, x);
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const [a, b, c] = [x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!];
    const q = a * a + b * b + c * c;
    if (Math.abs(q - 1) < 0.05 + 1e-12) continue;
    worst = Math.max(worst, Math.abs(y[i]! - (Math.sign(q - 1) + a)) - 1e-14);
  }
  assert.ok(worst <= r.certifiedMax, `measured ${worst} > certified ${r.certifiedMax}`);
});

describe('the ramp of a jump equals the jump wherever its argument keeps ρ away from every jump point', () => {
  const kinds: JumpKind[] = ['sign', 'step', 'floor', 'ceil', 'round', 'fix'];
  for (const kind of kinds) {
    test(`${kind}: rampFor over [-3.7, 4.2] with ρ = 0.01 equals ${kind} at 2000 points off the jumps`, () => {
      const [lo, hi, rho] = [-3.7, 4.2, 0.01];
      const { points } = jumpPoints(kind, lo, hi);
      const site = { kind, arg: { op: 'var' as const, name: 'g' }, text: `${kind}(g)`, placeholder: '#jump0' };
      const ramp = compileFunction(rampFor(site, lo, hi, points, rho), ['g']);
      let checked = 0;
      for (let i = 0; i <= 2000; i++) {
        const g = lo + ((hi - lo) * i) / 2000;
        if (points.some((k) => Math.abs(g - k) < rho)) continue;
        checked++;
        assert.ok(ramp(g) === jumpValue(kind, g), `${kind}(${g}): ramp ${ramp(g)}`);
      }
      assert.ok(checked > 1500);
    });
  }
});

describe('a Region with bands', () => {
  const bands = regionBands(['x+y=1±0.1'], ['x', 'y']);
  const region = formulaRegion(['x', 'y'], [[0, 1], [0, 1]], [], bands);
  test('contains is false inside the band, true outside; its samples all lie outside', () => {
    assert.equal(region.contains([0.5, 0.55]), false);
    assert.equal(region.contains([0.2, 0.2]), true);
    const s = region.sample(1000, 3).samples!;
    for (let i = 0; i < 1000; i++) assert.ok(Math.abs(s[2 * i]! + s[2 * i + 1]! - 1) >= 0.1);
  });
  test('mayMeet is false for a sub-box inside the band, true for one across its edge', () => {
    assert.equal(region.mayMeet([0.48, 0.48], [0.52, 0.52]), false);
    assert.equal(region.mayMeet([0.3, 0.3], [0.5, 0.5]), true);
  });
});

describe('compile --exclude refuses, in one sentence', () => {
  const refused = (expr: string, exclude: string[] | undefined, pattern: RegExp) => assert.throws(
    () => compileFormula({ expr, vars: UNIT, maxError: 1e-2, measureCount: 100, ...(exclude ? { exclude } : {}) }),
    (e: unknown) => e instanceof InputError && pattern.test(e.message));
  const cases: [string, string, string[] | undefined, RegExp][] = [
    ['a jump without bands', 'x + sign(x - 0.5)', undefined, /continuous network cannot be within E.*--exclude/],
    ['a jump not covered', 'y + sign(x - 0.5)', ['x=0.3±1e-3'],
      /exclude must cover every jump of sign\(x - 0.5\).*keep away from 0, as near x=0.5/],
    ['a floor not covered at its end', 'y + floor(3*x)', [`x=${third}±1e-3`, `x=${2 * third}±1e-3`],
      /cover every jump of floor\(3 \* x\).*every integer/],
    ['text without ±', 'y + sign(x - 0.5)', ['x=0.5'], /exclude must be formula=center±halfwidth.*got "x=0.5"/],
    ['a zero width', 'y + sign(x - 0.5)', ['x=0.5±0'], /positive finite half-width/],
    ['a negative width', 'y + sign(x - 0.5)', ['x=0.5+--1e-3'], /positive finite half-width/],
    ['an unknown name', 'y + sign(x - 0.5)', ['z=0.5±1e-3'], /use only the inputs \(x, y\).*\(z\)/],
    ['a band over the whole box', 'y + sign(x - 0.5)', ['x=0.5±2'], /leave part of the region outside the bands/],
    ['nested jumps', 'y + sign(floor(x))', ['x=0.5±1e-3'], /not nest a jump/],
    ['a jump in a band', 'y + sign(x - 0.5)', ['sign(x)=0±1e-3'], /--exclude must be continuous/],
    ['too many jumps', 'y + floor(5000*x)', ['x=0.5±1e-3'], /at most 1000 jumps per call/],
    // Past 2^53 consecutive integers are not all doubles: refused at once, not counted one by one (it hung).
    ['jumps past 2^53', 'y + floor(1e18*x + 1e18)', ['x=0.5±1e-3'], /at most 1000 jumps per call/],
    ['one point past 2^53 (no jump; its size refused)', 'y + floor(1e18 + 0*x)', ['x=0.5±1e-3'], /float64 floor/],
  ];
  for (const [what, expr, exclude, pattern] of cases) test(what, () => refused(expr, exclude, pattern));
});
