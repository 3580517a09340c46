import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { networkFromJson } from '../../src/net/json.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { runCli, spawnCli, type CliRun } from '../support/cli.ts';

/** `knotnet ...args` in this process; one case below spawns a real process (spawnCli) to compare against. */
const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'knotnet-cli-'));
const R = ['--var', 'dx=-2.4e7:2.4e7', '--var', 'dy=-2.4e7:2.4e7', '--var', 'dz=-2.4e7:2.4e7'];
const SHELL_RANGE = ['--range', 'dx^2+dy^2+dz^2=4.41e14:5.76e14'];

/** Exit 2, exactly one line on stderr, no stack trace, matching the pattern. */
function assertBadInput(r: CliRun, pattern: RegExp) {
  assert.equal(r.code, 2, `exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('knotnet sample', () => {
  it('sample shell writes a CSV of points whose norms lie in [inner, outer]', async () => {
    const out = join(dir, 'shell.csv');
    const r = await run('sample', 'shell', '--dims', '3', '--inner', '2.1e7', '--outer', '2.4e7', '-n', '2000',
      '--seed', '5', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'dx,dy,dz');
    assert.equal(lines.length, 2001);
    for (const line of lines.slice(1)) {
      const n = Math.hypot(...line.split(',').map(Number));
      assert.ok(n >= 2.1e7 * (1 - 1e-12) && n <= 2.4e7 * (1 + 1e-12), line);
    }
  });
  it('the same seed gives the same file', async () => {
    const a = spawnCli(['sample', 'shell', '-n', '5', '--seed', '9']).stdout; // through a real pipe
    const b = (await run('sample', 'shell', '-n', '5', '--seed', '9')).stdout;
    assert.equal(a, b);
  });
  it('the streamed CSV holds exactly the points of sampleShell, in batches across --dims', async () => {
    const a = await run('sample', 'shell', '-n', '7', '--dims', '1000', '--seed', '3');
    assert.equal(a.code, 0, a.stderr);
    const rows = a.stdout.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    assert.deepEqual(rows.flat(), Array.from(sampleShell({ dims: 1000, inner: 2.1e7, outer: 2.4e7, n: 7, seed: 3 })));
  });
  it('--out onto an existing file is refused without --force (a CSV has no knotnet marker) and replaced with it',
    async () => {
    const out = join(dir, 'mine.csv');
    writeFileSync(out, 'my,data\n1,2\n');
    assertBadInput(await run('sample', 'shell', '-n', '3', '--out', out),
      /^knotnet: --out must not name an existing file that is not a knotnet csv file \(pass --force to replace it\)/);
    assert.equal(readFileSync(out, 'utf8'), 'my,data\n1,2\n');
    assert.equal((await run('sample', 'shell', '-n', '3', '--out', out, '--force')).code, 0);
    assert.equal(readFileSync(out, 'utf8').split('\n')[0], 'dx,dy,dz');
  });
  it('--seed abc is bad input naming it (one seed parser for every command)', async () => {
    assertBadInput(await run('sample', 'shell', '--seed', 'abc'),
      /^knotnet: --seed must be a whole number from 0 to 4294967295 \(got "abc"\)\.$/);
    assertBadInput(await run('compile', 'x', '--var', 'x=0:1', '--seed', '-1'),
      /^knotnet: --seed must be a whole number from 0 to 4294967295 \(got "-1"\)\.$/);
  });
  it('--outer not above --inner is bad input', async () => assertBadInput(await run('sample', 'shell', '--inner', '3',
    '--outer', '2'), /--outer.*greater than --inner.*"2"/));
});

async function compileT3Json() {
  const save = join(dir, 't3.json');
  const r = await run('compile', 'sqrt(dx^2+dy^2+dz^2)', ...R, ...SHELL_RANGE, '--max-error', '1', '--samples',
    '20000', '--json', '--save', save);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ['relus', 'layers', 'params', 'maxError', 'rmsError', 'domain', 'dtype', 'seconds',
    'nodes']) assert.ok(k in j, k);
  assert.ok(j.maxError.certified <= 1);
  assert.ok(j.maxError.measured <= j.maxError.certified);
  const { net, meta } = networkFromJson(JSON.parse(readFileSync(save, 'utf8')));
  assert.equal(meta.expr, 'sqrt(dx^2+dy^2+dz^2)');
  const y = evaluate(net, [2.2e7, 0, 0]);
  assert.ok(Math.abs(y[0]! - 2.2e7) <= j.maxError.certified);
}

async function compileDataRanges() {
  const csv = join(dir, 'data.csv');
  assert.equal((await run('sample', 'shell', '-n', '3000', '--seed', '2', '--out', csv)).code, 0);
  const onnx = join(dir, 't3.onnx');
  const r = await run('compile', 'sqrt(dx^2+dy^2+dz^2)', '--data', csv, '--max-error', '1', '--json', '--export',
    onnx);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.measuredSamples, 3000);
  assert.equal(j.outsideRegion, 0);
  const c = await run('check', onnx, '--expr', 'sqrt(dx^2+dy^2+dz^2)', '--data', csv, '--max-error', '1', '--json');
  assert.equal(c.code, 0, c.stderr);
  const cj = JSON.parse(c.stdout);
  assert.equal(cj.format, 'onnx');
  assert.equal(cj.dtype, 'float64');
  assert.ok(Math.abs(cj.maxError.measured - j.maxError.measured) <= 1e-6 * j.maxError.measured + 1e-9);
  const strict = await run('check', onnx, '--expr', 'sqrt(dx^2+dy^2+dz^2)', '--data', csv, '--max-error', '1e-9');
  assert.equal(strict.code, 1);
}

async function compileFloat32Certifies() {
  const onnx = join(dir, 't3f32.onnx');
  const csv = join(dir, 'f32.csv');
  assert.equal((await run('sample', 'shell', '-n', '5000', '--seed', '4', '--out', csv)).code, 0);
  // At 300 the folded norm is kept (50 ReLUs, quick); T3 at 20 in float32 is tested in test/compile/compile.test.ts.
  const r = await run('compile', 'sqrt(dx^2+dy^2+dz^2)', ...R, ...SHELL_RANGE, '--max-error', '300', '--samples',
    '1000', '--dtype', 'float32', '--json', '--export', onnx);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.float32.maxError.certified <= 300);
  const c = JSON.parse((await run('check', onnx, '--expr', 'sqrt(dx^2+dy^2+dz^2)', '--data', csv, '--json')).stdout);
  assert.equal(c.dtype, 'float32');
  assert.ok(c.maxError.measured <= j.float32.maxError.certified,
    `${c.maxError.measured} > ${j.float32.maxError.certified}`);
  // check --var … --range …: samples of the box kept only inside the certified region.
  const cr = await run('check', onnx, '--expr', 'sqrt(dx^2+dy^2+dz^2)', ...R, ...SHELL_RANGE, '-n', '20000', '--json',
    '--max-error', String(j.float32.maxError.certified));
  assert.equal(cr.code, 0, cr.stderr);
  const crj = JSON.parse(cr.stdout);
  assert.equal(crj.samples, 20000);
  const w = crj.worstInput;
  const s = w.dx ** 2 + w.dy ** 2 + w.dz ** 2;
  assert.ok(s >= 4.41e14 && s <= 5.76e14);
  // Without --range the box's corners and centre are sampled too, far outside the certificate.
  const box = JSON.parse((await run('check', onnx, '--expr', 'sqrt(dx^2+dy^2+dz^2)', ...R, '-n', '20000',
    '--json')).stdout);
  assert.ok(box.maxError.measured > 1e3);
}

/** b = 1e6·x: float32 resolves about 0.06 there, above b's own tolerance 1e-3 (the global one is 1). */
async function severalOutputsFloat32Refusal() {
  const out = join(dir, 'two-tfjs');
  const r = await run('compile', '--out', 'a=x*y', '--out', 'b=1e6*x', '--var', 'x=0:1', '--var', 'y=0:1',
    '--max-error', '1', '--max-error', 'b=1e-3', '--samples', '1000', '--export', out);
  assert.equal(r.code, 1, r.stderr);
  const m = new RegExp(String.raw`^knotnet: --max-error 0\.001 \(output b\) cannot be kept in float32 by this ` +
    String.raw`network: its certified float32 bound is (\S+) .*\|f\| reaches 1\.00e\+6`, 'm').exec(r.stderr);
  assert.ok(m && Number(m[1]) > 1e-3, r.stderr);
  assert.equal(existsSync(out), false);
}

describe('knotnet compile', () => {
  it('T3 with --json: certified <= 1, measured <= certified, keys of the contract and the per-node breakdown',
    compileT3Json);

  it('--data takes the ranges from the samples and measures on them; ONNX export runs in check', compileDataRanges);

  it('--dtype float32 with a tolerance below the float32 floor is refused at once, exit 2, nothing written',
    async () => {
    const onnx = join(dir, 'refused.onnx');
    // T3's |f| in one variable: the float32 floor 2^-24·2.4e7 = 1.43, the rounding of the output that every
    // float32 certificate includes, is checked before any planning.
    const r = await run('compile', 'sqrt(s)', '--var', 's=4.41e14:5.76e14', '--max-error', '1', '--samples', '1000',
      '--export', onnx, '--dtype', 'float32');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(String.raw`^knotnet: --max-error must be at least the float32 floor of this ` +
      String.raw`function, 1\.43 \(the rounding of an output of max \|f\| = 2\.40e\+7 in float32, .*\(got 1\)\.$`,
    'm'));
    assert.equal(existsSync(onnx), false);
  });

  it('--dtype float32 certifies the float32 evaluation: onnxruntime float32 measures below the float32 certificate',
    compileFloat32Certifies);

  it('several outputs with a TF.js export: the refusal names the output whose own tolerance float32 cannot keep',
    severalOutputsFloat32Refusal);

  const bad: [string[], RegExp][] = [
    [['[x, 2*x]', '--var', 'x=0:1', '--adversary'], /--adversary.*one output.*"y1, y2"/],
    [['sqrt(dx^2+dy^2)', '--var', 'dx=-1:1'], /--var.*missing dy/],
    [['x+y', '--var', 'x=0:1', '--var', 'y=0:1', '--var', 'z=0:1'], /--var.*"z"/],
    [['sqrt(x)', '--var', 'x=-1:1'], /expression.*defined on the range.*-1, 1/],
    [['x', '--var', 'x=1:0'], /--var x.*"1:0"/],
    [['x', '--var', 'x=0:1', '--max-error', '0'], /--max-error.*positive.*"0"/],
    [['foo(x)', '--var', 'x=0:1'], /expression.*known functions.*"foo"/],
    [['x', '--var', 'x=0:1', '--save', '/nonexistent-dir/x.json'], /--save.*writable.*nonexistent-dir/],
    [['x', '--var', 'x=0:1', '--export', 'x.png'], /--export.*x\.png/],
    [['sqrt(x)', '--var', 'x=0:1', '--range', 'x=2:3'], /--range x.*overlap.*2:3/],
  ];
  for (const [args, re] of bad) it(`compile ${args.join(' ')} is bad input: ${re}`,
    async () => assertBadInput(await run('compile', ...args), re));

  it('a CSV with a non-numeric cell names the line and column', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'x,y\n1,2\n3,abc\n');
    assertBadInput(await run('compile', 'x+y', '--data', csv), /bad\.csv line 3 column y.*finite number.*"abc"/);
  });
  it('a CSV whose header misses a variable names the header', async () => {
    const csv = join(dir, 'hdr.csv');
    writeFileSync(csv, 'x,z\n1,2\n');
    assertBadInput(await run('compile', 'x+y', '--data', csv), /header.*missing y/);
  });
  it('a --range contradicted by the data is bad input naming the line', async () => {
    const csv = join(dir, 'few.csv');
    writeFileSync(csv, 'x\n0.5\n0.9\n');
    assertBadInput(await run('compile', 'sqrt(x)', '--data', csv, '--range', 'x=0:0.6'), /--range x.*line 3.*0\.9/);
  });
});

describe('knotnet compile --adversary', () => {
  it('--adversary --json: the search\'s float32 error lies under the float32 certificate, the floor is u·max|f|',
    async () => {
    const r = await run('compile', 'sqrt(x^2+y^2)', '--var', 'x=-1e6:1e6', '--var', 'y=-1e6:1e6', '--max-error', '1',
      '--samples', '2000', '--adversary', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { float32: { maxError: { certified: number } }; float32Adversarial: number;
      float32Floor: number; maxError: { certified: number } };
    assert.ok(j.float32Adversarial > 0 && j.float32Adversarial <= j.float32.maxError.certified,
      `${j.float32Adversarial} <= ${j.float32.maxError.certified}`);
    // The output's range is [0, √2·1e6]: the floor is one float32 rounding there.
    assert.ok(Math.abs(j.float32Floor - 2 ** -24 * Math.SQRT2 * 1e6) <= 1e-3 * j.float32Floor, String(j.float32Floor));
  });

  it('--adversary adds its two lines beside the float32 certificate; without it neither line nor key', async () => {
    const args = ['compile', 'exp(x)', '--var', 'x=0:2', '--max-error', '1e-2', '--samples', '1000'];
    const on = await run(...args, '--adversary');
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, new RegExp(String.raw`max error in float32, certified +\S+\n` +
      String.raw`max error in float32, adversarial search +\S+\nfloat32 floor u·max\|f\| +\S+\n`));
    const off = await run(...args, '--json');
    assert.equal(off.code, 0, off.stderr);
    assert.equal('float32Adversarial' in JSON.parse(off.stdout), false);
  });

  it('--adversary on a sliver of the box (no sample of the region found) says the search did not run', async () => {
    const r = await run('compile', 'sqrt(x^2+y^2)', '--var', 'x=-1:1', '--var', 'y=-1:1', '--range',
      'x^2+y^2=0.9999999:1', '--max-error', '1e-2', '--samples', '1000', '--adversary', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { float32Adversarial: number | null; float32Floor: number };
    assert.equal(j.float32Adversarial, null);
    // max |f| = 1 on the region; the certified output range encloses it, a few ulps wider.
    assert.ok(Math.abs(j.float32Floor - 2 ** -24) <= 1e-12 * 2 ** -24, String(j.float32Floor));
  });
});

describe('knotnet compare', () => {
  it('a short run measures every network on the same held-out samples and writes a report', async () => {
    const report = join(dir, 'report');
    const exported = join(dir, 'nets');
    const r = await runCli(['compare', '--budget-seconds', '1', '--samples', '1000', '--certify-seconds', '0.1',
      '--json', '--report', report, '--export-dir', exported]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.rows.length, 5);
    const ours = j.rows[0];
    assert.equal(ours.kind, 'constructed');
    assert.ok(ours.maxError.measured <= ours.maxError.certified);
    for (const row of j.rows.slice(1)) assert.equal(row.kind, 'trained');
    // certify's proven worst case (null: no finite bound in 1 s) covers the whole region, held-out samples included.
    for (const row of j.rows) assert.ok(row.proven.certified === null || row.proven.certified >= row.maxError.measured,
      `${row.name}: proven ${row.proven.certified} < measured ${row.maxError.measured}`);
    for (const f of ['index.html', 'error-vs-time.svg', 'error-vs-time.png',
      'error-distribution.png']) assert.ok(existsSync(join(report, f)), f);
    // The report records what reproduces it: command, seed, budget, version and date.
    const run = JSON.parse(readFileSync(join(report, 'run.json'), 'utf8'));
    assert.equal(run.command, `knotnet compare --budget-seconds 1 --samples 1000 --certify-seconds 0.1 --json ` +
      `--report ${report} --export-dir ${exported}`);
    assert.deepEqual([run.seed, run.budgetSeconds, run.version], [1, 1,
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version]);
    assert.ok(Math.abs(Date.parse(run.date) - Date.now()) < 3600_000);
    assert.deepEqual([j.command, j.seed, j.budgetSeconds, j.version, j.date], [run.command, run.seed, run.budgetSeconds,
      run.version, run.date]);
    assert.match(readFileSync(join(report, 'index.html'), 'utf8'),
      /Made by knotnet \S+ on \S+ with knotnet compare --budget-seconds 1 .* \(seed 1, training budget 1 s\)/);
    // Every network, trained ones included, goes through the exporters: the JSON of the
    // asker's architecture loads with its row's depth, and the constructed ONNX runs in check.
    const asker = networkFromJson(JSON.parse(readFileSync(join(exported, 'asker-s-architecture-raw-units.json'),
      'utf8'))).net;
    assert.equal(asker.layers.length, j.rows[1].layers + 1);
    for (const row of j.rows) {
      const slug = row.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      assert.ok(existsSync(join(exported, `${slug}.onnx`)) && existsSync(join(exported, `${slug}.json`)), slug);
    }
    const c = await runCli(['check', join(exported, 'knotnet-construction.onnx'), '--expr', 'sqrt(dx^2+dy^2+dz^2)',
      ...R, ...SHELL_RANGE, '-n', '2000', '--json']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).dtype, 'float32');
  });
});
