import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { hardStopSeconds, report, withProgress } from '../../src/approx/progress.ts';
import { InputError, WorkError } from '../../src/errors.ts';
import { relClose } from './targets.ts';

const T1 = { expr: 'x^2', domain: [1e6, 1e7] as [number, number], size: { kind: 'knots' as const, segments: 90 },
  placement: 'uniform' as const };
const h = 1e5;

test('T1: approx x^2 on [1e6, 1e7], 90 uniform segments, interpolation: measured max 2.5e9 (rel 1e-9), certified ' +
  'within 1% above, RMS h^2/sqrt(30) (rel 1e-3)', () => {
  const r = approximate({ ...T1, fit: 'interpolate' });
  assert.equal(r.segments, 90);
  assert.ok(relClose(r.measuredMax, 2.5e9, 1e-9), `measured ${r.measuredMax}`);
  assert.ok(r.certifiedMax >= r.measuredMax && r.certifiedMax <= 1.01 * 2.5e9, `certified ${r.certifiedMax}`);
  assert.ok(relClose(r.measuredRms, (h * h) / Math.sqrt(30), 1e-3), `rms ${r.measuredRms}`);
});

test('T1: minimax on the same knots halves the max error: 1.25e9 (within 0.5%), certified >= measured', () => {
  const r = approximate({ ...T1, fit: 'minimax' });
  assert.ok(relClose(r.measuredMax, 1.25e9, 0.005), `measured ${r.measuredMax}`);
  assert.ok(relClose(r.certifiedMax, 1.25e9, 0.005) && r.certifiedMax >= r.measuredMax, `certified ${r.certifiedMax}`);
});

test('T1: least squares on the same knots has RMS h^2/sqrt(180) = 7.45e8 (within 1%)', () => {
  const r = approximate({ ...T1, fit: 'lsq' });
  assert.ok(relClose(r.measuredRms, (h * h) / Math.sqrt(180), 0.01), `rms ${r.measuredRms}`);
  assert.ok(r.certifiedMax >= r.measuredMax);
});

test('T2: approx sqrt(x) on [0, 1] to max error 1e-4 uses at most 1.15 × 50 segments, certified <= 1e-4 and >= ' +
  'measured', () => {
  const r = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 } });
  assert.equal(r.placement, 'optimal');
  assert.equal(r.fit, 'minimax');
  assert.ok(r.segments <= 1.15 * 50, `segments ${r.segments}`);
  assert.ok(r.certifiedMax <= 1e-4, `certified ${r.certifiedMax}`);
  assert.ok(r.certifiedMax >= r.measuredMax, `certified ${r.certifiedMax} < measured ${r.measuredMax}`);
});

test('sizing by max error gives the fewest segments: one segment fewer certifies above the tolerance', () => {
  const opts = { expr: 'exp(x)', domain: [-2, 2] as [number, number] };
  const r = approximate({ ...opts, size: { kind: 'maxError', error: 1e-3 } });
  assert.ok(r.certifiedMax <= 1e-3);
  const fewer = approximate({ ...opts, size: { kind: 'knots', segments: r.segments - 1 }, fit: 'minimax' });
  assert.ok(fewer.certifiedMax > 1e-3, `${r.segments - 1} segments certify ${fewer.certifiedMax}`);
});

test('sizing by RMS error defaults to least squares and meets the RMS asked for', () => {
  const r = approximate({ expr: 'sin(x)', domain: [0, 2 * Math.PI], size: { kind: 'rmsError', error: 1e-3 } });
  assert.equal(r.fit, 'lsq');
  assert.ok(r.measuredRms <= 1e-3, `rms ${r.measuredRms}`);
});

test('relative sizing: certified max error <= E · max|f| (exp on [0, 5], E = 1e-3)', () => {
  const r = approximate({ expr: 'exp(x)', domain: [0, 5], size: { kind: 'maxError', error: 1e-3 }, relative: true });
  assert.ok(r.certifiedMax <= 1e-3 * Math.exp(5) * (1 + 1e-9), `certified ${r.certifiedMax}`);
  assert.ok(relClose(r.scale, Math.exp(5), 1e-12));
});

test('sizing by spacing: knots every h from a, the last segment ends at b', () => {
  const r = approximate({ expr: 'x^2', domain: [0, 1], size: { kind: 'spacing', h: 0.3 }, fit: 'interpolate' });
  assert.equal(r.segments, 4);
  assert.equal(r.pwl.x[4], 1);
  assert.ok(relClose(r.measuredMax, 0.09 / 4, 1e-6), `measured ${r.measuredMax}`); // widest segments h = 0.3: h^2/4
});

test('a tolerance that cannot be met within the segment limit is a WorkError saying the proven count', () => {
  // n* = ∫√|f''| / (4√E) = 2 / (4√2e-4) ≈ 35: within 4× the limit, so the tube is sampled, and its
  // minimum-link path proves more than 20 segments are needed (no search by counts follows).
  assert.throws(
    () => approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 2e-4 }, maxSegments: 20 }),
    (e: unknown) => e instanceof WorkError
      && /--max-error 0\.0002 cannot be met within 20 segments: at least (2[1-9]|[3-9]\d) are needed \(a proven/.test(
        e.message),
  );
});

test('a tolerance whose asymptotic count n* = ∫√|f\'\'| / (4√E) exceeds 4× the limit is refused before sizing, with n*',
  () => {
  // sqrt on [0, 1]: ∫ ½x^(-3/4) dx = 2, so n* = 2 / (4·√1e-9) ≈ 1.58e4 (the sampled integral misses
  // some of the singular end).
  assert.throws(
    () => approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-9 }, maxSegments: 20 }),
    (e: unknown) => e instanceof WorkError
      && /^--max-error 1e-9 needs about 1\.\d+e\+4 segments .* more than the limit of 20/.test(e.message),
  );
});

const inputError = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);

test('approximate rejects bad input with InputErrors naming the argument and the value', () => {
  const base = { expr: 'x^2', domain: [0, 1] as [number, number], size: { kind: 'knots' as const, segments: 4 } };
  assert.throws(() => approximate({ ...base, expr: 'x*y' }),
    inputError(/^expression must have at most one variable .*\(got "x, y"\)/));
  assert.throws(() => approximate({ ...base, domain: [1, 0] }),
    inputError(/^domain must be a non-empty interval \[a, b\] with a < b \(got "\[1, 0\]"\)/));
  assert.throws(() => approximate({ ...base, domain: [0, Infinity] }),
    inputError(/^domain must have finite ends \(got "\[0, Infinity\]"\)/));
  assert.throws(() => approximate({ ...base, size: { kind: 'knots', segments: 0 } }),
    inputError(/^knots must be a whole number of segments from 1 to 1000000 \(got 0\)/));
  assert.throws(() => approximate({ ...base, size: { kind: 'knots', segments: 2.5 } }),
    inputError(/^knots .*\(got 2\.5\)/));
  assert.throws(() => approximate({ ...base, size: { kind: 'maxError', error: -1 } }),
    inputError(/^maxError must be a positive number \(got -1\)/));
  assert.throws(() => approximate({ ...base, size: { kind: 'rmsError', error: 0 } }),
    inputError(/^rmsError must be a positive number \(got 0\)/));
  assert.throws(() => approximate({ ...base, size: { kind: 'spacing', h: NaN } }),
    inputError(/^spacing must be a positive number \(got NaN\)/));
});

test('exact PWL targets (a constant, a line, abs(x), max(x, 1-x)) certify at float rounding level, not 0 and not ' +
  'forever', () => {
  // certifyMaxError used to bisect such segments to depth 48 everywhere (2^48 intervals): the
  // rounding slack it adds never drops below an observed error of 0.
  for (const expr of ['3', '2*x+1', 'abs(x)', 'max(x, 1-x)', 'relu(x-0.25)']) {
    const r = approximate({ expr, domain: [-1, 1], size: { kind: 'knots', segments: 2 } });
    assert.ok(r.measuredMax <= 1e-15, `${expr}: measured ${r.measuredMax}`);
    assert.ok(r.certifiedMax >= r.measuredMax && r.certifiedMax < 1e-13, `${expr}: certified ${r.certifiedMax}`);
  }
});

test('onProgress hears every long stage in order (checking f, tube, construction, certifying, measuring) with how ' +
  'far it got; maxSeconds refuses a build whose estimate from n* is over it, before any sample', () => {
  const stages: string[] = [];
  const r = approximate({ expr: 'sin(x)', domain: [0, 10.25], size: { kind: 'maxError', error: 1e-6 },
    onProgress: (stage, detail) => {
      if (stages.at(-1) !== stage) stages.push(stage);
      assert.ok(detail.length > 0);
    } });
  assert.ok(r.certifiedMax <= 1e-6);
  const first = (s: string) => stages.indexOf(s);
  for (const s of ['checking f', 'tube', 'construction', 'certifying', 'measuring']) assert.ok(first(s) >= 0, s);
  assert.ok(first('checking f') < first('tube') && first('tube') < first('construction') &&
    first('construction') < first('certifying') && first('certifying') < first('measuring'), stages.join(', '));
  // n* ≈ ∫√|sin| dx / (4√E) ≈ 1,900 segments: an estimated ~1 s, over 0.01 s.
  const heard: string[] = [];
  assert.throws(() => approximate({ expr: 'sin(x)', domain: [0, 10.25], size: { kind: 'maxError', error: 1e-6 },
    maxSeconds: 0.01, onProgress: (stage) => heard.push(stage) }), (e: unknown) => e instanceof InputError &&
    e.field === 'maxError' && e.code === 'out-of-range' && /an estimated \d+ s/.test(e.message));
  assert.ok(!heard.includes('tube'), heard.join(', '));
});

test('withProgress: a report past its stop throws a WorkError naming --max-seconds (the request stops there); '
  + 'before it every report reaches the sink and the result is returned; the stop is twice --max-seconds, at least '
  + '10 s more', () => {
  const heard: string[] = [];
  const sink = (stage: string, detail: string) => heard.push(`${stage}: ${detail}`);
  assert.throws(() => withProgress(sink, 60, () => { report('tube', 'sample 1'); return 1; }, 0),
    (e: unknown) => e instanceof WorkError && /^stopped after 0 s, over twice --max-seconds 60: /.test(e.message));
  assert.deepEqual(heard, []);
  assert.equal(withProgress(sink, 60, () => { report('tube', 'sample 1'); return 2; }), 2);
  assert.deepEqual(heard, ['tube: sample 1']);
  assert.deepEqual([hardStopSeconds(60), hardStopSeconds(1)], [120, 11]);
});
