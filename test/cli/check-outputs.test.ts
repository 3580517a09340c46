/**
 * `knotnet check` on models with several outputs (compile "[a, b]" or --out): from the artifact
 * alone every output is measured beside its own stored certificate (measured ≤ certified, each
 * in its file's dtype and runtime: ONNX in onnxruntime-node, TF.js in @tensorflow/tfjs), the
 * worst input of each is where its measured error is reached, --expr "[a, b]" and --out
 * name=formula replace formulas (a replaced output has no certificate to compare with), and
 * --max-error name=E judges one output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson } from '../../src/net/json.ts';
import { runCli, type CliRun } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-check-outputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** The command lines run in turn in this process (runCli captures one at a time). */
const runAll = (lines: string[][]): Promise<CliRun[]> => lines.reduce<Promise<CliRun[]>>(
  async (done, args) => [...await done, await runCli(args)], Promise.resolve([]));

const BOX = ['--var', 'x=0:1', '--var', 'y=0:1'];
const F64 = ['n.json', 'n.onnx', 'n.safetensors'];
const F32 = ['m32.onnx', 'm32.safetensors', 'm_tfjs'];
const built = await runAll([
  ['compile', '[x*y, x+y^2]', ...BOX, '--max-error', '1e-2', '--json', '--export', ...F64.map(at)],
  ['compile', '--out', 'a=x*y', '--out', 'b=sin(x)+y', ...BOX, '--max-error', '1e-2', '--max-error', 'b=1e-3',
    '--dtype', 'float32', '--json', '--export', ...F32.map(at)],
]);
for (const r of built) assert.equal(r.code, 0, r.stderr);
const compiled = built.map((r) => JSON.parse(r.stdout) as { outputs: { name: string; certifiedMax: number;
  certifiedMaxFloat32: number }[] });

const tampered = at('tampered.json');
const t = JSON.parse(readFileSync(at('n.json'), 'utf8'));
t.layers[t.layers.length - 1].bias[1] += 0.05;
writeFileSync(tampered, JSON.stringify(t));

const ARTIFACTS = [...F64, ...F32];
const runs = await runAll([
  ...ARTIFACTS.map((name) => ['check', at(name), '-n', '20000', '--json']),
  ['check', at('n.onnx'), '-n', '2000'],
  ['check', at('n.onnx'), '-n', '2000', '--json', '--expr', '[x*y, x+y]'],
  ['check', at('m32.onnx'), '-n', '2000', '--json', '--out', 'b=sin(x)+y+0.01'],
  ['check', at('n.json'), '-n', '2000', '--max-error', 'y1=1', '--max-error', 'y2=1e-4'],
  ['check', at('n.json'), '-n', '2000', '--max-error', '1'],
  ['check', tampered, '-n', '2000'],
  ['check', at('n.json'), '--expr', '[x*y]'],
  ['check', at('n.json'), '--max-error', 'z=1'],
  ['check', at('n.json'), '--out', 'z=x'],
  ['check', at('n.onnx'), '-n', '2000', '--certify', '--json'],
]);
const checked = new Map(ARTIFACTS.map((name, i) => [name, runs[i]!]));
const [table, listed, replaced, perOutput, allOutputs, tamperedRun, ...rest] = runs.slice(ARTIFACTS.length);
const refusals = rest.slice(0, -1);
const proven = rest[rest.length - 1]!;

interface OutputJson {
  name: string; expr: string; worstInput: Record<string, number>;
  maxError: { measured: number; certifiedInFile?: number; certifiedInFileFloat64?: number };
}

for (const name of ARTIFACTS) {
  test(`check ${name} measures every output beside its own stored certificate: measured ≤ certified`, () => {
    const r = checked.get(name)!;
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as { dtype: string; outputs: OutputJson[]; maxError: { measured: number } };
    const made = compiled[F64.includes(name) ? 0 : 1]!.outputs;
    assert.deepEqual(o.outputs.map((p) => p.name), made.map((p) => p.name));
    o.outputs.forEach((p, j) => {
      const own = o.dtype === 'float32' ? made[j]!.certifiedMaxFloat32 : made[j]!.certifiedMax;
      assert.equal(p.maxError.certifiedInFile, own, `output ${p.name}: the file stores its own certificate`);
      assert.ok(p.maxError.measured <= own, `${p.name}: measured ${p.maxError.measured} ≤ certified ${own}`);
      if (o.dtype === 'float32') assert.equal(p.maxError.certifiedInFileFloat64, made[j]!.certifiedMax);
    });
    assert.equal(o.maxError.measured, Math.max(...o.outputs.map((p) => p.maxError.measured)));
  });
}

test('check\'s worst input of each output is where that output\'s measured error is reached', () => {
  const o = JSON.parse(checked.get('n.json')!.stdout) as { outputs: OutputJson[] };
  const { net } = networkFromJson(JSON.parse(readFileSync(at('n.json'), 'utf8')));
  const truth = [(x: number, y: number) => x * y, (x: number, y: number) => x + y * y];
  o.outputs.forEach((p, j) => {
    const { x, y } = p.worstInput;
    const out = evaluate(net, [x!, y!]);
    // x*y and x+y^2 in float64 are within 2 ulp of the real value at these inputs.
    assert.ok(Math.abs(Math.abs(out[j]! - truth[j]!(x!, y!)) - p.maxError.measured) <= 1e-15);
  });
});

test('check\'s table has a row per output with measured and certified errors', () => {
  assert.equal(table!.code, 0, table!.stderr);
  assert.match(table!.stdout, /max error, measured +certified \(stored, float64\)/);
  assert.match(table!.stdout, /^y1 +x\*y +\S+ +\S+/m);
  assert.match(table!.stdout, /^y2 +x\+y\^2 +\S+ +\S+/m);
});

test('check --expr "[a, b]" and --out name=formula: a changed output is measured only, the others keep theirs', () => {
  for (const [r, changed] of [[listed!, 1], [replaced!, 1]] as const) {
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as { outputs: OutputJson[] };
    assert.equal(o.outputs[changed]!.maxError.certifiedInFile, undefined);
    assert.ok(o.outputs[1 - changed]!.maxError.certifiedInFile! >= o.outputs[1 - changed]!.maxError.measured);
  }
  const o = JSON.parse(listed!.stdout) as { outputs: OutputJson[] };
  assert.equal(o.outputs[1]!.expr, 'x+y');
  // x + y² against x + y differs by y − y² ≤ 1/4 (at y = 1/2), beyond the network's 1e-2.
  assert.ok(o.outputs[1]!.maxError.measured > 0.2 && o.outputs[1]!.maxError.measured < 0.25 + 0.01);
});

test('check --max-error name=E judges that output (exit 1 naming it); E alone judges every output', () => {
  assert.equal(perOutput!.code, 1);
  assert.match(perOutput!.stderr, /measured max error \S+ of output y2 is above --max-error 0\.0001\./);
  assert.doesNotMatch(perOutput!.stderr, /output y1/);
  assert.equal(allOutputs!.code, 0, allOutputs!.stderr);
});

test('check on a several-output file with output y2\'s bias changed by 0.05 fails y2\'s certificate (exit 1)', () => {
  assert.equal(tamperedRun!.code, 1);
  assert.match(tamperedRun!.stderr, /fails its own certificate for output y2: the measured max error \S+ in its/);
  assert.doesNotMatch(tamperedRun!.stderr, /output y1/);
});

test('check refuses, in one sentence with exit 2, lists and names that do not fit the outputs', () => {
  const expected = [
    /--expr must list one formula per model output \("\[f1, f2\]" for y1, y2\) \(got "\[x\*y\]"\)\./,
    /--max-error must be E or name=E with a model output's name \(y1, y2\) \(got "z=1"\)\./,
    /--out must be name=formula with the name of a model output \(y1, y2\) \(got "z=x"\)\./,
  ];
  refusals.forEach((r, i) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, expected[i]!);
  });
});

test('check --certify proves each output apart: worst found <= proven, measured <= proven', () => {
  assert.equal(proven.code, 0, proven.stderr);
  const o = JSON.parse(proven.stdout) as { outputs: (OutputJson & { maxError: { certified: number;
    certifyWorstFound: number } })[] };
  assert.equal(o.outputs.length, 2);
  for (const p of o.outputs) {
    assert.ok(p.maxError.certifyWorstFound <= p.maxError.certified, `${p.name}`);
    assert.ok(p.maxError.measured <= p.maxError.certified, `${p.name}: measured ${p.maxError.measured} > proven`);
  }
});
