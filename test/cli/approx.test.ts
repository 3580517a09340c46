import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, spawnCli } from '../support/cli.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson } from '../../src/net/json.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-approx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `knotnet approx ...args` in this process (test/support/cli.ts); the first bad-input case spawns a process. */
const knotnet = (...args: string[]) => runCli(['approx', ...args]);

/** Exit 2 with exactly one line on stderr, no stack trace, matching the pattern. */
async function assertBadInput(args: string[], pattern: RegExp, spawned = false) {
  const r = spawned ? spawnCli(['approx', ...args]) : await knotnet(...args);
  assert.equal(r.code, 2, `exit ${r.code} for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `stderr is not one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'stack trace on stderr');
  assert.match(lines[0]!, pattern);
  assert.equal(r.stdout, '');
}

const cases: [string, string[], RegExp][] = [
  ['an unknown function', ['foo(x)', '--domain', '0:1', '--knots', '4'],
    /expression must use only known functions .*"foo"/],
  ['a syntax error', ['x+*2', '--domain', '0:1', '--knots', '4'], /expression must be a valid formula .*"x\+\*2"/],
  ['two variables', ['x*y', '--domain', '0:1', '--knots', '4'], /expression must have at most one variable .*"x, y"/],
  ['a reversed domain 1:0', ['x^2', '--domain', '1:0', '--knots', '4'],
    /--domain must be a non-empty interval .*"1:0"/],
  ['a non-finite domain 0:Infinity', ['x^2', '--domain', '0:Infinity', '--knots', '4'],
    /--domain must have finite ends .*"0:Infinity"/],
  ['a non-finite domain 0:1e400', ['x^2', '--domain', '0:1e400', '--knots', '4'],
    /--domain must have finite ends .*"0:1e400"/],
  ['a domain end that is a formula of a variable, 0:x', ['x^2', '--domain', '0:x', '--knots', '4'],
    /--domain must have finite ends a:b \(numbers, or constants such as pi\/2\) \(got "0:x"\)/],
  ['sqrt(x) on -1:1', ['sqrt(x)', '--domain', '-1:1', '--knots', '4'],
    /expression must be defined and finite on the whole domain \[-1, 1\] .*NaN at x = -1/],
  ['log(x) on 0:1', ['log(x)', '--domain', '0:1', '--knots', '4'],
    /expression must be defined and finite on the whole domain \[0, 1\] .*-Infinity at x = 0/],
  ['a pole between sample points, 1/(x-0.123456789) on 0:1', ['1/(x-0.123456789)', '--domain', '0:1', '--knots', '4'],
    /expression must be defined and finite .*Infinity at x = 0\.123456789/],
  ['--knots 0', ['x^2', '--domain', '0:1', '--knots', '0'], /--knots must be a whole number from 1 to \d+ \(got "0"\)/],
  ['--knots 1e9', ['x^2', '--domain', '0:1', '--knots', '1e9'],
    /--knots must be a whole number from 1 to \d+ \(got "1e9"\)/],
  ['--max-error -1', ['x^2', '--domain', '0:1', '--max-error', '-1'],
    /--max-error must be a positive number \(got "-1"\)/],
  ['--deep and a --placement it does not read', ['x^2', '--domain', '0:1', '--deep', '--levels', '3', '--placement',
    'uniform'], /--placement must not be given with --deep, which does not read it \(got "uniform"\)/],
  ['--deep and --exclude', ['x^2', '--domain', '0:1', '--deep', '--max-error', '1e-3', '--exclude', 'x=0.5±0.1'],
    /--exclude must not be given with --deep, which does not read it \(got "x=0\.5±0\.1"\)/],
  ['--levels without --deep', ['x^2', '--domain', '0:1', '--knots', '4', '--levels', '3'],
    /--levels must go with --deep \(got "3"\)/],
  ['--exclude and --fit lsq', ['x^2', '--domain', '0:1', '--max-error', '1e-3', '--exclude', 'x=0.5±0.1', '--fit',
    'lsq'], /--fit must be minimax with --exclude \(each piece is fitted by minimax\) \(got "lsq"\)/],
  ['--exclude and --placement uniform', ['x^2', '--domain', '0:1', '--max-error', '1e-3', '--exclude', 'x=0.5±0.1',
    '--placement', 'uniform'], /--placement must be optimal with --exclude .*\(got "uniform"\)/],
];

for (const [i, [what, args, pattern]] of cases.entries()) {
  // The first case runs in its own process (spawnCli: exit status and stderr as a shell sees them).
  test(`approx with ${what} exits 2 with one sentence naming the argument and the bad value`, () => assertBadInput(args,
    pattern, i === 0));
}

test('approx --save into a folder that does not exist exits 2 naming --save and the path, and writes nothing',
  async () => {
  const path = '/nonexistent/dir/x.json';
  await assertBadInput(['x^2', '--domain', '0:1', '--knots', '4', '--save', path],
    /--save must name a file in an existing, writable folder \(got "\/nonexistent\/dir\/x\.json"\)/);
  assert.equal(existsSync(path), false);
});

test('approx --export onto a folder of the user\'s (no TF.js export of knotnet) exits 2 naming it, and the folder ' +
  'keeps its files', async () => {
  const models = join(dir, 'models');
  mkdirSync(models);
  writeFileSync(join(models, 'notes.txt'), 'mine');
  await assertBadInput(['sqrt(x)', '--domain', '0:1', '--knots', '20', '--export', models],
    new RegExp(String.raw`^knotnet: --export must not name a non-empty folder that is not a previous knotnet tfjs ` +
      String.raw`output \(it holds "notes\.txt"; pass --force to write into it, keeping those files\) ` +
      String.raw`\(got ".*models"\)\.$`));
  assert.deepEqual(readdirSync(models), ['notes.txt']);
  await assertBadInput(['sqrt(x)', '--domain', '0:1', '--knots', '20', '--save', '/dev/null', '--force'],
    /^knotnet: --save must name a regular file, not a device, FIFO or socket \(got "\/dev\/null"\)\.$/);
});

test('approx --save twice onto the same path replaces its own previous network JSON (no --force needed)', async () => {
  const path = join(dir, 'again.json');
  for (const knots of ['4', '6']) assert.equal((await knotnet('x^2', '--domain', '0:1', '--knots', knots, '--save',
    path)).code, 0);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).layers[0].bias.length, 6);
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('again')), ['again.json']);
});

test('approx --json prints one JSON object with the documented keys; T1 interpolation measures 2.5e9', async () => {
  const r = await knotnet('x^2', '--domain', '1e6:1e7', '--knots', '90', '--placement', 'uniform', '--fit',
    'interpolate', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const key of ['relus', 'layers', 'params', 'knots', 'maxError', 'rmsError', 'domain', 'dtype', 'seconds',
    'placement', 'fit']) assert.ok(key in j, `missing ${key}`);
  assert.equal(typeof j.maxError.certified, 'number');
  assert.equal(typeof j.maxError.measured, 'number');
  assert.equal(j.relus, 90);
  assert.equal(j.layers, 1);
  assert.equal(j.params, 90 + 90 + 90 + 1);
  assert.equal(j.knots.length, 91);
  assert.equal(j.knots[90], 1e7);
  assert.equal(j.placement, 'uniform');
  assert.equal(j.fit, 'interpolate');
  assert.equal(j.dtype, 'float64');
  assert.ok(Math.abs(j.maxError.measured - 2.5e9) <= 2.5, `measured ${j.maxError.measured}`);
  assert.ok(j.maxError.certified >= j.maxError.measured && j.maxError.certified <= 1.01 * 2.5e9);
});

test('approx --save writes a network JSON that networkFromJson loads and that reproduces the fit at the knots',
  async () => {
  const path = join(dir, 'sqrt.json');
  const r = await knotnet('sqrt(x)', '--domain', '0:1', '--knots', '8', '--save', path, '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const { net, meta } = networkFromJson(JSON.parse(readFileSync(path, 'utf8')));
  assert.equal(net.layers[0]!.outSize, 8);
  assert.equal(meta.expr, 'sqrt(x)');
  assert.equal(meta.error?.certifiedMax, summary.maxError.certified);
  const y = evaluate(net, summary.knots);
  summary.knots.forEach((k: number, i: number) => assert.ok(Math.abs(y[i]! - Math.sqrt(
    k)) <= summary.maxError.certified, `at knot ${k}`));
});

test('approx "x^2" --domain 0:1 --deep --levels 4 reports maxError.construction = 2^-10 exactly (interpolant at 2^4 ' +
  '+ 1 knots)', async () => {
  const r = await knotnet('x^2', '--domain', '0:1', '--deep', '--levels', '4', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.maxError.construction, 2 ** -10);
  assert.ok(j.maxError.certified >= j.maxError.measured);
  assert.ok(Math.abs(j.maxError.measured - 2 ** -10) <= 1e-12);
});

test('approx --dtype float32 builds the clamp form: sqrt at 1e-4 certified in float32, the ONNX it writes measured ' +
  'below that in onnxruntime', async () => {
  const onnx = join(dir, 'sqrt32.onnx');
  const r = await knotnet('sqrt(x)', '--domain', '0:1', '--max-error', '1e-4', '--dtype', 'float32', '--export', onnx,
    '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.layers >= 3, `layers ${j.layers}`); // u, v, then partial sums of at most 4 terms
  assert.ok(j.relus >= 2 * j.segments);
  assert.ok(j.float32.certifiedMax <= 1e-4, `float32 certified ${j.float32.certifiedMax}`);
  const { runOnnx } = await import('../../src/runtime/onnx.ts');
  const xs = Float64Array.from({ length: 50_001 }, (_, i) => i / 50_000);
  const y = await runOnnx(readFileSync(onnx), xs, xs.length, 1, 'float32');
  xs.forEach((x, i) => assert.ok(Math.abs(Math.sqrt(x) - y[i]!) <= j.float32.certifiedMax));
});

test('approx sqrt at 1e-8: one hidden layer cannot be certified there; exit 1 soon, naming the best reached and why, ' +
  'not after a million segments', async () => {
  const r = await knotnet('sqrt(x)', '--domain', '0:1', '--max-error', '1e-8');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr,
    new RegExp(String.raw`--max-error 1e-8 cannot be met by a one-hidden-layer network here: the best certified ` +
      String.raw`error was [\d.e-]+ with \d+ segments, and more segments raise it`));
  assert.equal(r.stdout, '');
});

test('domain ends may be formulas of constants, evaluated in float64: --domain 0:pi/2 is [0, 1.5707963267948966], '
  + '--var t=-pi:2*pi the same doubles as Math.PI gives', async () => {
  const r = await runCli(['approx', 'sin(x)', '--domain', '0:pi/2', '--knots', '4', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).domain, { x: [0, Math.PI / 2] });
  const c = await runCli(['compile', 'sin(t)', '--var', 't=-pi:2*pi', '--max-error', '1e-2', '--json', '--quiet']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout).domain, { t: [-Math.PI, 2 * Math.PI] });
});
