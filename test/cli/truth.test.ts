import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { toOnnx } from '../../src/export/index.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkToJson } from '../../src/net/json.ts';
import { runCli } from '../support/cli.ts';
import { oracleError } from '../support/oracle.ts';

/**
 * The cases of issue 12: the truth is the real-valued formula. Run in-process (main() is the
 * CLI without the process around it), output captured.
 */
const dir = mkdtempSync(join(tmpdir(), 'knotnet-truth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** In-process, output captured (test/support/cli.ts). */
const knotnet = (...args: string[]) => runCli(args);

const cases: [string, [number, number], number][] = [
  ['sqrt(1e16 + x) - 1e8', [0, 1], 1e-10],
  ['(x+1e6)^2 - 1e12 - 2e6*x', [0, 1], 1e-3],
  ['x^2 - 2e4*x + 1e8', [9999, 10001], 1e-6],
  ['sqrt(x^2 + 1e10) - 1e5', [0, 1], 1e-9],
];

for (const [text, domain, E] of cases) {
  test(`approx "${text}" on [${domain}] at ${E}: certified <= ${E} and >= the 60-digit oracle's error on a grid, the ` +
    `knots and midpoints; measured <= certified`, async () => {
    const r = approximate({ expr: text, domain, size: { kind: 'maxError', error: E } });
    assert.ok(r.certifiedMax <= E, `certified ${r.certifiedMax}`);
    assert.ok(r.measuredMax <= r.certifiedMax, `measured ${r.measuredMax} > certified ${r.certifiedMax}`);
    const xs: number[] = [];
    for (let i = 0; i <= 1000; i++) xs.push(domain[0] + ((domain[1] - domain[0]) * i) / 1000);
    for (let i = 0; i + 1 < r.pwl.x.length; i++) xs.push(r.pwl.x[i]!, (r.pwl.x[i]! + r.pwl.x[i + 1]!) / 2);
    const y = evaluate(r.network, xs);
    const e = parseFormula(text).expr;
    let worst = 0;
    xs.forEach((x, i) => { worst = Math.max(worst, oracleError(e, ['x'], [x], y[i]!)); });
    assert.ok(worst <= r.certifiedMax, `oracle error ${worst} > certified ${r.certifiedMax}`);
  });
}

test('check measures the true error of a network that is 0 where f = sqrt(1e16 + x) - 1e8 (float64 says 0 too): ' +
  '5.0e-9, and --max-error 1e-10 fails', async () => {
  const zero: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 1, [1], [0]),
    denseLayer('linear', 1, 1, [0], [0])] };
  const file = join(dir, 'zero.json');
  writeFileSync(file, JSON.stringify(networkToJson(zero, {})));
  const r = await knotnet('check', file, '--expr', 'sqrt(1e16 + x) - 1e8', '--var', 'x=0:1', '-n', '2000',
    '--max-error', '1e-10', '--json');
  assert.equal(r.code, 1, r.stderr);
  const measured = JSON.parse(r.stdout).maxError.measured as number;
  assert.ok(Math.abs(measured - 5e-9) < 1e-11, `measured ${measured}`);
});

test('check of a model whose outputs overflow reports an infinite error and exits 1; a NaN weight is refused on ' +
  'read (exit 2, naming it)', async () => {
  const huge: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 1, [1e308], [0]),
    denseLayer('linear', 1, 1, [1e308], [0])] };
  const file = join(dir, 'huge.onnx');
  writeFileSync(file, toOnnx(huge, { dtype: 'float64', metadata: {} }));
  const r = await knotnet('check', file, '--expr', 'x', '--var', 'x=0:1', '-n', '100', '--json');
  assert.equal(r.code, 1, r.stderr);
  assert.ok(JSON.parse(r.stdout).nonFiniteOutputs >= 99, r.stdout); // 1e308·1e308·x is +Infinity for x > 1e-308
  assert.match(r.stderr, /output is not finite .* max error is infinite/);
  const bad: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 1, [1], [0]),
    denseLayer('linear', 1, 1, [NaN], [0])] };
  const nan = join(dir, 'nan.onnx');
  writeFileSync(nan, toOnnx(bad, { dtype: 'float64', metadata: {} }));
  const n = await knotnet('check', nan, '--expr', 'x', '--var', 'x=0:1', '-n', '100');
  assert.equal(n.code, 2, n.stderr);
  assert.match(n.stderr, /^knotnet: .*nan\.onnx initializer "\S+" must hold only finite numbers \(got "NaN at index 0"\)\.\n$/);
});

test('check with a --var box where the formula is undefined is exit 2 in one sentence', async () => {
  const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 1, [1], [0]),
    denseLayer('linear', 1, 1, [1], [0])] };
  const file = join(dir, 'id.json');
  writeFileSync(file, JSON.stringify(networkToJson(net, {})));
  const r = await knotnet('check', file, '--expr', 'sqrt(x - 0.5)', '--var', 'x=0:1', '-n', '100');
  assert.equal(r.code, 2);
  assert.match(r.stderr,
    new RegExp(String.raw`^knotnet: --var must give a box where the formula is defined \(sqrt\(x - 0\.5\) is ` +
      String.raw`undefined .*\) \(got "x=0:1"\)\.\n$`));
});

test('approx "1e308*x" --max-error 1e-3 with --export and --save is refused before work with the float64 floor (a ' +
  'tolerance below it is bad input, exit 2) and writes nothing', async () => {
  const onnx = join(dir, 'big.onnx');
  const json = join(dir, 'big.json');
  const r = await knotnet('approx', '1e308*x', '--domain', '0:1', '--max-error', '1e-3', '--export', onnx, '--save',
    json);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--max-error must be at least the float64 floor of this function, 2\.22e\+292/);
  assert.equal(existsSync(onnx), false);
  assert.equal(existsSync(json), false);
});

test('compile "sqrt(1e16 + x) - 1e8" --var x=0:1 --max-error 1e-7 exits 0 or 1 with a reason, never 2 (no NaN budget)',
  async () => {
  const r = await knotnet('compile', 'sqrt(1e16 + x) - 1e8', '--var', 'x=0:1', '--max-error', '1e-7');
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /NaN\)\.$/m);
  if (r.code === 1) assert.match(r.stderr, /could not be met: |cannot be certified: /);
});
