/**
 * approx --exclude: one variable with jumps, the domain cut into pieces outside the bands, a
 * PWL per piece and a line across each band; the certificate holds outside the bands against
 * the true (discontinuous) formula.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximateOutsideBands } from '../../src/compile/approxbands.ts';
import { InputError, WorkError } from '../../src/errors.ts';
import { evaluate } from '../../src/net/evaluate.ts';

const CASES: { expr: string; domain: [number, number]; exclude: string[]; truth: (x: number) => number;
  bands: [number, number][] }[] = [
  { expr: 'sign(x-0.5) + sin(3*x)', domain: [0, 1], exclude: ['x=0.5±1e-3'],
    truth: (x) => Math.sign(x - 0.5) + Math.sin(3 * x), bands: [[0.5, 1e-3]] },
  { expr: 'floor(4*x)*x + (x > 1.3)', domain: [0.01, 1.9], exclude: ['x=0.25±1e-3', 'x=0.5±1e-3', 'x=0.75±1e-3',
    'x=1±1e-3', 'x=1.25±1e-3', 'x=1.5±1e-3', 'x=1.75±1e-3', 'x=1.3±0.01'],
  truth: (x) => Math.floor(4 * x) * x + (x > 1.3 ? 1 : 0),
  bands: [[0.25, 1e-3], [0.5, 1e-3], [0.75, 1e-3], [1, 1e-3], [1.25, 1e-3], [1.5, 1e-3], [1.75, 1e-3], [1.3, 0.01]] },
];

for (const c of CASES) {
  test(`approx ${c.expr} outside ${c.exclude.join(', ')} to 1e-3: certificate <= 1e-3 and >= the error against the ` +
    'true formula on 20,001 points outside the bands', () => {
    const r = approximateOutsideBands({ expr: c.expr, domain: c.domain, size: { kind: 'maxError', error: 1e-3 },
      exclude: c.exclude });
    assert.deepEqual(r.exclude, c.exclude);
    assert.deepEqual(r.domain, c.domain);
    assert.ok(r.certifiedMax <= 1e-3 && r.measuredMax <= r.certifiedMax, `${r.measuredMax} / ${r.certifiedMax}`);
    const n = 20_001;
    const x = Float64Array.from({ length: n }, (_, i) => c.domain[0] + ((c.domain[1] - c.domain[0]) * i) / (n - 1));
    const y = evaluate(r.network, x);
    let worst = 0;
    x.forEach((v, i) => {
      if (c.bands.some(([m, w]) => Math.abs(v - m) < w)) return;
      const t = c.truth(v);
      worst = Math.max(worst, Math.abs(y[i]! - t) - 4 * 2 ** -52 * (1 + Math.abs(t)));
    });
    assert.ok(worst <= r.certifiedMax, `measured ${worst} > certified ${r.certifiedMax}`);
  });
}

test('approx --exclude refuses in one sentence: other sizes than --max-error, a band of another formula, a band ' +
  'over the whole domain, a jump left uncovered', () => {
  const refused = (o: { expr?: string; exclude: string[]; knots?: boolean }, re: RegExp) => assert.throws(
    () => approximateOutsideBands({ expr: o.expr ?? 'sign(x - 0.5)', domain: [0, 1], exclude: o.exclude,
      size: o.knots ? { kind: 'knots', segments: 4 } : { kind: 'maxError', error: 1e-3 } }),
    (e: unknown) => e instanceof InputError && re.test(e.message));
  refused({ exclude: ['x=0.5±1e-3'], knots: true }, /exclude must go with --max-error/);
  refused({ exclude: ['x^2=0.25±1e-3'] }, /cut a band of the variable itself/);
  refused({ exclude: ['x=0.5±0.5'] }, /leave intervals of the domain outside the bands/);
  refused({ exclude: ['x=0.3±1e-3'] }, /cover every jump of sign\(x - 0.5\).*\(got "x=0.3±1e-3"\)/);
});

test('approx --exclude keeps --max-segments for the whole network (pieces and bridges): 59 segments fit in 100, '
  + 'not in 20', () => {
  const o = { expr: 'sin(10*x)', domain: [0, 3] as [number, number], size: { kind: 'maxError' as const, error: 0.01 },
    exclude: ['x=1+-0.01', 'x=2+-0.01'] };
  const r = approximateOutsideBands({ ...o, maxSegments: 100 });
  assert.ok(r.segments <= 100 && r.certifiedMax <= 0.01, `${r.segments} segments, certified ${r.certifiedMax}`);
  assert.throws(() => approximateOutsideBands({ ...o, maxSegments: r.segments - 1 }),
    (e: unknown) => e instanceof WorkError && /cannot be met within \d+ segments/.test(e.message));
});
