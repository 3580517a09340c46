import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { lowerForCompile } from '../../src/compile/lower.ts';
import { exprToString } from '../../src/expr/ast.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { InputError } from '../../src/errors.ts';

test('lowerForCompile picks the atan2 branch of the half-plane the box lies in, and each branch equals Math.atan2 on '
    + 'its box', () => {
  const cases: [Record<string, [number, number]>, RegExp][] = [
    [{ y: [-1, 1], x: [0.5, 2] }, /^atan\(y \/ x\)$/],
    [{ y: [0.5, 1], x: [-2, 2] }, /^1\.57\d* \+ -atan\(x \/ y\)$/],
    [{ y: [-1, -0.5], x: [-2, 2] }, /^\(-1\.57\d*\) \+ -atan\(x \/ y\)$/],
    [{ y: [0, 1], x: [-2, -0.5] }, /^3\.14\d* \+ atan\(y \/ x\)$/],
  ];
  const exact = compileFunction(parseFormula('atan2(y, x)').expr, ['y', 'x']);
  for (const [box, shape] of cases) {
    const low = lowerForCompile(parseFormula('atan2(y, x)').expr, box);
    assert.match(exprToString(low), shape);
    const f = compileFunction(low, ['y', 'x']);
    for (let i = 0; i <= 10; i++) {
      for (let j = 0; j <= 10; j++) {
        const y = box.y![0] + ((box.y![1] - box.y![0]) * i) / 10;
        const x = box.x![0] + ((box.x![1] - box.x![0]) * j) / 10;
        assert.ok(Math.abs(f(y, x) - exact(y, x)) <= 1e-15, `atan2(${y}, ${x}) on ${JSON.stringify(box)}`);
      }
    }
  }
});

const refused = (expr: string, vars: Record<string, [number, number]>, re: RegExp) =>
  assert.throws(() => compileFormula({ expr, vars, maxError: 1e-2, measureCount: 100 }),
      (e: unknown) => e instanceof InputError && re.test(e.message));

test('compile refuses atan2 on a region reaching its cut or the origin, asin beyond [-1, 1] and x^y with x reaching 0, '
    + 'naming the reason', () => {
  refused('atan2(y, x)', { y: [-1, 1], x: [-2, -0.5] }, /cut along the negative x-axis.*give a region with x > 0/);
  refused('atan2(y, x)', { y: [-1, 1], x: [-1, 1] }, /away from the origin/);
  refused('asin(2*x)', { x: [0, 1] }, /be defined on the range/);
  refused('x^y', { x: [0, 1], y: [1, 2] }, /be defined on the range/);
});

test('compile builds atan2, cbrt through 0 (⅓-Hölder), x^y and erf products with certified >= measured on 20000 '
    + 'samples', () => {
  for (const [expr, vars, E] of [
    ['atan2(y, x)', { y: [-1, 1], x: [0.5, 2] }, 1e-2],
    ['cbrt(x*y)', { x: [-1, 1], y: [-1, 1] }, 3e-2],
    ['x^y', { x: [0.5, 2], y: [0, 2] }, 1e-2],
    ['erf(x)*normcdf(y)', { x: [-2, 2], y: [-2, 2] }, 1e-2],
  ] as const) {
    const r = compileFormula({ expr, vars: vars as unknown as Record<string, [number, number]>, maxError: E,
        measureCount: 20000, seed: 7 });
    assert.ok(r.certifiedMax <= E, `${expr}: certified ${r.certifiedMax} > ${E}`);
    assert.ok(r.measuredMax <= r.certifiedMax, `${expr}: measured ${r.measuredMax} > certified ${r.certifiedMax}`);
    assert.ok(r.measuredSamples > 10000);
  }
});

const SEED = 16004;
/** Each new function in a two-input formula, with the box its random sub-boxes are drawn from. */
const RANDOM_CASES: { expr: string; x: [number, number]; y: [number, number] }[] = [
  { expr: 'atan(3*x*y)', x: [-2, 2], y: [-2, 2] },
  { expr: 'asin((x + y)/2)', x: [-1, 1], y: [-1, 1] },
  { expr: 'acos(x/2 + y/4) * y', x: [-1, 1], y: [-2, 2] },
  { expr: 'cbrt(x - y)', x: [-1, 1], y: [-1, 1] },
  { expr: 'sinh(x) * cosh(y)', x: [-2, 2], y: [-2, 2] },
  { expr: 'erf(x) - normcdf(y)', x: [-3, 3], y: [-3, 3] },
  { expr: 'atan2(y, x)', x: [0.2, 3], y: [-3, 3] },
  { expr: 'hypot(x, y)', x: [-2, 2], y: [-2, 2] },
  { expr: 'clamp(x + y, -0.5, 0.5)', x: [-1, 1], y: [-1, 1] },
  { expr: 'x^y', x: [0.1, 3], y: [-2, 2] },
];

test('an affine argument whose bounds are exact doubles keeps its exact range: asin((x + y)/2) on [-1, 1]² is built, '
    + 'not refused for a rounding slack past 1', () => {
  const r = compileFormula({ expr: 'asin((x + y)/2)', vars: { x: [-1, 1], y: [-1, 1] }, maxError: 2e-2,
      measureCount: 2000 });
  assert.ok(r.certifiedMax <= 2e-2 && r.measuredMax <= r.certifiedMax);
  assert.deepEqual(r.nodes.find((n) => n.kind === 'unary')!.builtOn, [-1, 1]);
});

test(`compile: certified >= measured (1e4 fresh samples, accurate values) for each new function on random boxes `
    + `(fast-check seed ${SEED})`, () => {
  const unit = () => fc.double({ min: 0, max: 1, noNaN: true });
  const side = (d: [number, number]) => fc.tuple(unit(), unit())
    .map(([p, q]): [number, number] => [d[0] + (d[1] - d[0]) * Math.min(p, q), d[0] + (d[1] - d[0]) * Math.max(p, q)]);
  for (const c of RANDOM_CASES) {
    fc.assert(
      fc.property(side(c.x), side(c.y), fc.integer({ min: 0, max: 1000 }), (x, y, seed) => {
        if (!(x[1] - x[0] > 1e-3 && y[1] - y[0] > 1e-3)) return;
        const vars = { x, y };
        // compileFormula itself refuses (SoundnessError) a measured error above the certificate; asserted here too.
        const r = compileFormula({ expr: c.expr, vars, maxError: 2e-2, measureCount: 10000, seed, deep: 'never' });
        assert.ok(r.certifiedMax <= 2e-2 && r.measuredMax <= r.certifiedMax,
            `${c.expr} on x ${x}, y ${y} (seed ${seed}): measured ${r.measuredMax}, certified ${r.certifiedMax}`);
      }),
      { seed: SEED, numRuns: 3 },
    );
  }
});
