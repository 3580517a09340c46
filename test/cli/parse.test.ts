/**
 * The commands' parse steps run in-process (no CLI spawned): typed flags in, a checked request
 * out, bad input as the InputError the CLI prints; and the one formatter, escaper, collector
 * and T3 constants the commands, the reports, the page and bench/ share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { parseApproxFlags, type ApproxFlags } from '../../src/cli/approx.ts';
import { collect } from '../../src/cli/args.ts';
import { parseCompileFlags, type CompileFlags } from '../../src/cli/compile.ts';
import { parseSampleFlags } from '../../src/cli/sample.ts';
import { escapeHtml } from '../../src/report/escape.ts';
import { fmt } from '../../src/report/format.ts';
import { T3, t3Box, t3Ranges } from '../../src/reference.ts';

const COMPILE_DEFAULTS: CompileFlags = {
  out: [], var: [], range: [], maxError: [], dataMargin: '0.01', deep: 'auto', norm: 'auto', minimize: 'relus',
  maxDepth: '64', samples: '100000', seed: '1', dtype: 'float64',
};
const badInput = (message: RegExp) => (e: unknown) => e instanceof InputError && message.test(e.message);

describe('parseCompileFlags(expr, flags)', () => {
  it('turns T3 flags into a typed request: ranges, tolerance and the defaults as numbers', () => {
    const req = parseCompileFlags(T3.expr, {
      ...COMPILE_DEFAULTS, var: ['dx=-2.4e7:2.4e7', 'dy=-2.4e7:2.4e7', 'dz=-2.4e7:2.4e7'],
      range: ['dx^2+dy^2+dz^2=4.41e14:5.76e14'], maxError: ['1'], save: 't3.json',
    });
    assert.deepEqual({ ...req.vars }, t3Box()); // records keyed by names have no prototype (expr/names.ts)
    assert.deepEqual({ ...req.ranges }, t3Ranges());
    assert.equal(req.maxError, 1);
    assert.equal(req.count, 100_000);
    assert.equal(req.maxDepth, 64);
    assert.equal(req.save, 't3.json');
    assert.deepEqual(req.exports, []);
    assert.equal(req.maxFanIn, undefined);
  });
  it('refuses a constant, a bad --deep and a fan-in below 2 with the CLI\'s sentences', () => {
    assert.throws(() => parseCompileFlags('2', COMPILE_DEFAULTS),
      badInput(/^expression must use at least one variable/));
    assert.throws(() => parseCompileFlags('x', { ...COMPILE_DEFAULTS, deep: 'sometimes' }),
      badInput(/^--deep must be one of auto, never, always \(got "sometimes"\)/));
    assert.throws(() => parseCompileFlags('x', { ...COMPILE_DEFAULTS, maxFanIn: '1' }),
      badInput(/^--max-fan-in must be at least 2/));
  });
});

describe('parseApproxFlags(expr, domain, flags)', () => {
  const flags: ApproxFlags = { placement: 'optimal', maxSegments: '1000000', dtype: 'float64' };
  it('sizes by --max-error, which is also the tolerance float32 artifacts are held to (absolute only)', () => {
    const req = parseApproxFlags('sqrt(x)', [0, 1], { ...flags, maxError: '1e-4' });
    assert.deepEqual(req.size, { kind: 'maxError', error: 1e-4 });
    assert.equal(req.tolerance, 1e-4);
    assert.equal(parseApproxFlags('sqrt(x)', [0, 1], { ...flags, maxError: '1e-4', relative: true }).tolerance,
      undefined);
  });
  it('wants exactly one of --knots, --spacing, --max-error, --rms-error', () => {
    assert.throws(() => parseApproxFlags('x', [0, 1], flags), badInput(/exactly one of .* \(got "none"\)/));
    assert.throws(() => parseApproxFlags('x', [0, 1], { ...flags, knots: '3', rmsError: '1' }),
      badInput(/\(got "--knots and --rms-error"\)/));
  });
});

describe('parseSampleFlags(kind, flags)', () => {
  it('reads the shell and its count; refuses an outer radius not above the inner one', () => {
    const req = parseSampleFlags('shell', { dims: '3', inner: '2.1e7', outer: '2.4e7', n: '10', seed: '1' });
    assert.deepEqual(req, { dims: 3, inner: T3.inner, outer: T3.outer, n: 10, seed: 1, force: false });
    assert.throws(() => parseSampleFlags('shell', { dims: '3', inner: '3', outer: '2', n: '10', seed: '1' }),
      badInput(/^--outer must be greater than --inner \(3\)/));
  });
});

describe('the shared pieces', () => {
  it('fmt: 4 significant digits, exponent below 1e-3 and from 1e6, integers under 1e9 as they are', () => {
    assert.deepEqual([0, -0, 42, 1e8, 1e9, 0.5, 1 / 3, 1e-4, 123456.7, 2.4e7 + 0.5, NaN, -Infinity].map(fmt),
      ['0', '0', '42', '100000000', '1.000e+9', '0.5000', '0.3333', '1.000e-4', '1.235e+5', '2.400e+7', 'NaN',
        '-Infinity']);
  });
  it('escapeHtml leaves no markup from user text', () => {
    assert.equal(escapeHtml('a<b && c>"d"'), 'a&lt;b &amp;&amp; c&gt;"d"');
  });
  it('collect appends each repeated flag in order, leaving the earlier list as it was', () => {
    const first = collect('x=0:1', []);
    assert.deepEqual(collect('y=0:1', first), ['x=0:1', 'y=0:1']);
    assert.deepEqual(first, ['x=0:1']);
  });
  it('T3: the shell range is [inner², outer²] and the box holds the shell', () => {
    assert.deepEqual(T3.normSquaredRange, [T3.inner ** 2, T3.outer ** 2]);
    assert.ok(T3.outer <= T3.R);
    assert.notEqual(t3Box(), t3Box(), 'a fresh record each call');
  });
});
