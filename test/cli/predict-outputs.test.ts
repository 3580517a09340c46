/**
 * Several outputs beyond check: `predict` prints one column per output, named by the model's
 * outputs, with the values the runtime computes (ONNX in onnxruntime-node, TF.js in
 * @tensorflow/tfjs, JSON by knotnet's evaluator); compare's common evaluator measures a k-output
 * network over every output; compare itself refuses a list in one sentence.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCsvText } from '../../src/cli/csv.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson } from '../../src/net/json.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { heldOutErrors } from '../../src/train/compare.ts';
import { runCli, type CliRun } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-predict-outputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

const FILES = ['p.json', 'p.onnx', 'p32.onnx', 'p_tfjs'];
const made = await runCli(['compile', '--out', 'prod=x*y', '--out', 'sum=x+y^2', '--var', 'x=0:1', '--var', 'y=0:1',
  '--max-error', '1e-2', '--save', at('net.json'), '--export', at('p.json'), at('p.onnx'), at('p_tfjs')]);
const made32 = await runCli(['compile', '--out', 'prod=x*y', '--out', 'sum=x+y^2', '--var', 'x=0:1', '--var',
  'y=0:1', '--max-error', '1e-2', '--dtype', 'float32', '--json', '--export', at('p32.onnx')]);
const points = [[0.5, 0.25], [0, 1], [1, 1], [0.125, 0.75]];
writeFileSync(at('in.csv'), `y,x\n${points.map(([x, y]) => `${y},${x}`).join('\n')}\n`);
const predicted: CliRun[] = [];
for (const f of FILES) predicted.push(await runCli(['predict', at(f), '--in', at('in.csv')]));
const compared = await runCli(['compare', '[x*y, x+y]', '--var', 'x=0:1', '--var', 'y=0:1']);

test('predict on a two-output model prints the inputs and one column per output, named by the outputs', () => {
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made32.code, 0, made32.stderr);
  FILES.forEach((file, i) => {
    const r = predicted[i]!;
    assert.equal(r.code, 0, r.stderr);
    const csv = parseCsvText(r.stdout, 'stdout', file);
    assert.deepEqual(csv.header, ['x', 'y', 'prod', 'sum'], file);
    assert.equal(csv.count, points.length);
  });
});

test('predict\'s columns are the network\'s outputs: float64 files exactly, TF.js within the float32 rounding bound, ' +
  'the float32-laid-out ONNX within each output\'s float32 certificate of the true formula', () => {
    const { net } = networkFromJson(JSON.parse(readFileSync(at('net.json'), 'utf8')));
    const x = Float64Array.from(points.flat());
    const y = evaluate(net, x);
    const certified32 = (JSON.parse(made32.stdout) as { outputs: { certifiedMaxFloat32: number }[] }).outputs
      .map((o) => o.certifiedMaxFloat32);
    const truth = (r: number, k: number) => {
      const [u, v] = points[r] as [number, number];
      return k === 0 ? u * v : u + v * v;
    };
    const r64 = roundingErrorBound(net, [0, 0], [1, 1], 'float64');
    const bound = roundingErrorBound(net, [0, 0], [1, 1], 'float32').map((b, k) => b + r64[k]!);
    FILES.forEach((file, i) => {
      const csv = parseCsvText(predicted[i]!.stdout, 'stdout', file);
      for (let r = 0; r < points.length; r++) {
        for (let k = 0; k < 2; k++) {
          const got = csv.rows[r * 4 + 2 + k]!;
          const want = y[r * 2 + k]!;
          // knotnet's evaluator is the reference itself; onnxruntime may sum in another order.
          if (file === 'p.json') assert.equal(got, want);
          else if (file === 'p.onnx') assert.ok(Math.abs(got - want) <= 2 * r64[k]!, `${file} ${got} ${want}`);
          else if (file === 'p_tfjs') assert.ok(Math.abs(got - want) <= bound[k]!, `${file} ${got} ${want}`);
          else assert.ok(Math.abs(got - truth(r, k)) <= certified32[k]!, `${file} ${got} vs ${truth(r, k)}`);
        }
      }
    });
  });

test('compare\'s common evaluator measures a two-output network over both outputs (the larger error)', () => {
  const r = compileFormula({ expr: '[x*y, x+y^2]', outputs: [{ name: 'a', expr: 'x*y' }, { name: 'b', expr: 'x+y^2' }],
    vars: { x: [0, 1], y: [0, 1] }, maxError: 1e-2, measureCount: 1000 });
  const x = Float64Array.from(points.flat());
  const truth = Float64Array.from(points.flatMap(([u, v]) => [u! * v!, u! + v! * v!]));
  const e = heldOutErrors(r.network, x, truth);
  const y = evaluate(r.network, x);
  const each = [0, 1].map((k) => Math.max(...points.map((_, i) => Math.abs(y[2 * i + k]! - truth[2 * i + k]!))));
  assert.equal(e.max, Math.max(...each));
  assert.equal(e.abs.length, points.length * 2);
});

test('compare refuses a list of formulas in one sentence (exit 2): it trains networks of one output', () => {
  assert.equal(compared.code, 2);
  assert.match(compared.stderr,
    /expression must be one formula \(compare trains networks of one output; for several: /);
});
