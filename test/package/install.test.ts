/**
 * The package as users install it: packed once, installed once into an empty project from the
 * npm cache (no network) with --omit=optional, used from a plain Node ESM file (no tsx), the
 * installed CLI and TypeScript (tsc --strict against the shipped .d.ts); then the ONNX files
 * the plain file wrote run in onnxruntime-node beside it. Processes are few (each Node start
 * loads the package again): the plain file is preloaded (`node --import ./build.mjs
 * quickstart.mjs`) into the run of the JavaScript example, which still starts as its comment
 * says (`node quickstart.mjs`, no loader); the TypeScript example runs in this process, whose
 * tsx loads it as `node --import tsx quickstart.ts` would. In `npm test` that runtime is the
 * repository's own pinned copy, linked into the project (installing every optional runtime
 * writes some 700 MB); `npm run test:package` (KNOTNET_PACKAGE_FULL=1) installs them all
 * from the cache instead, onnxruntime-node's download skipped, as a user's `npm install` does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { diskBytes, freshProject, npmInstall, packRepository, REPO } from '../support/package.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const FULL = process.env.KNOTNET_PACKAGE_FULL === '1';

/** The repository's installed copy of `name` (the version package.json pins), linked into `project`. */
function linkInstalled(project: string, name: string): void {
  symlinkSync(join(REPO, 'node_modules', name), join(project, 'node_modules', name), 'dir');
}

/** The library examples (examples/), which README.md shows: the JavaScript one as written there. */
function example(name: string): string {
  return readFileSync(join(REPO, 'examples', name), 'utf8');
}

let work: string;
let project: string;
let tarball: string;
let built: { sqrt: { segments: number; certified: number }; t3: { certified: number; measured: number;
  inputs: string[] } };
/** The run of examples/quickstart.mjs (build.mjs preloaded): its exit status and what the example printed. */
let quickstart: { status: number | null; stderr: string; stdout: string };
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8',
  timeout: 300_000 });
const json = (r: ReturnType<typeof node>) => {
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
};

function cliRunsFromDist() {
  const bin = join(project, 'node_modules/knotnet/bin/knotnet.js');
  assert.equal(node([bin, '--version']).stdout.trim(), '0.1.0');
  const a = json(node([bin, 'approx', 'x^2', '--domain', '0:1', '--knots', '4', '--placement', 'uniform', '--fit',
    'interpolate', '--json']));
  assert.equal(a.maxError.certified >= 1 / 64, true); // h²/8 · f'' = (1/4)²/8 · 2
  const c = node([bin, 'check', 'sqrt.onnx', '--expr', 'sqrt(x)', '--var', 'x=0:1']);
  assert.equal(c.status, 1);
  assert.match(c.stderr, /^knotnet: .*onnxruntime-node.*\(npm install onnxruntime-node\)\.\n$/);
}

function typesCheckAgainstDts() {
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
      lib: ['es2022', 'dom'], types: [] },
    files: ['consumer.ts', 'quickstart.ts'],
  }));
  const r = node([TSC, '-p', 'tsconfig.json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

/** An example program's output: the same four lines from the JavaScript and the TypeScript one. */
function assertExampleOutput(stdout: string) {
  const lines = stdout.trim().split('\n');
  const sqrt = /^sqrt: 50 ReLUs, certified max error (\S+)$/.exec(lines[0]!);
  assert.ok(sqrt && Number(sqrt[1]) <= 1e-4, lines[0]);
  const xy = /^x\*y: certified max error (\S+)$/.exec(lines[1]!);
  assert.ok(xy && Number(xy[1]) <= 1e-3, lines[1]);
  assert.equal(lines.at(-1), 'domain empty-interval');
}

/** What a module printed with console.log while it was imported (here, through this process's tsx). */
async function printedBy(file: string): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => { lines.push(format(...args)); };
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
  }
  return lines.map((l) => `${l}\n`).join('');
}

async function examplesRun() {
  assert.equal(quickstart.status, 0, quickstart.stderr);
  assertExampleOutput(quickstart.stdout);
  assert.ok(existsSync(join(project, 'xy.onnx')));
  const ts = await printedBy(join(project, 'quickstart.ts'));
  assertExampleOutput(ts);
  assert.match(ts, /^x\*y\.onnx: ready$/m);
}

function readmeShowsTheExample() {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = /```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a js block');
  const program = example('quickstart.mjs').split('\n').filter((l) => !l.startsWith('// knotnet from')).join('\n');
  assert.equal(m[1], program);
}

describe('the packed package in a new project', () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'knotnet-pack-'));
    tarball = packRepository(work);
    project = freshProject();
    for (const f of ['build.mjs', 'run.mjs', 'consumer.ts']) copyFileSync(join(FIXTURES, f), join(project, f));
    for (const f of ['quickstart.mjs', 'quickstart.ts']) writeFileSync(join(project, f), example(f));
    npmInstall(project, [tarball], { omitOptional: true });
    // build.mjs prints its one JSON line before the example's own lines.
    const r = node(['--import', './build.mjs', 'quickstart.mjs']);
    const [first, ...rest] = r.stdout.split('\n');
    built = json({ ...r, stdout: first! });
    quickstart = { status: r.status, stderr: r.stderr, stdout: rest.join('\n') };
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('npm install --omit=optional installs at most 15 MB: no heavy runtime, no protobufjs, no @types/*', () => {
    const mb = diskBytes(join(project, 'node_modules')) / 1e6;
    const mathjs = diskBytes(join(project, 'node_modules/mathjs')) / 1e6;
    console.log(`installed size with --omit=optional: ${mb.toFixed(1)} MB (mathjs ${mathjs.toFixed(1)} MB)`);
    assert.ok(mb <= 15, `${mb} MB`);
    for (const p of ['onnxruntime-node', 'onnxruntime-web', '@tensorflow/tfjs', 'typescript', 'tsx', 'esbuild',
      'protobufjs', 'onnx-proto', '@types']) {
      assert.equal(existsSync(join(project, 'node_modules', p)), false, p);
    }
  });

  it('a plain ESM file builds sqrt on [0, 1] at 1e-4 (50 segments) and T3 at 1, and writes ONNX', () => {
    const r = built;
    assert.ok(existsSync(join(project, 'sqrt.onnx')) && existsSync(join(project, 't3.onnx')));
    assert.equal(r.sqrt.segments, 50);
    assert.ok(r.sqrt.certified <= 1e-4, String(r.sqrt.certified));
    assert.ok(r.t3.certified <= 1 && r.t3.measured <= r.t3.certified, JSON.stringify(r.t3));
    assert.deepEqual(r.t3.inputs, ['dx', 'dy', 'dz']);
  });

  it('the installed CLI runs from dist/: --version, approx; check names the missing onnxruntime-node', cliRunsFromDist);

  it('TypeScript files (and examples/quickstart.ts) type-check against the shipped .d.ts with tsc --noEmit --strict',
    typesCheckAgainstDts);

  it('examples/quickstart.mjs runs in plain Node and quickstart.ts through tsx, printing the certified errors',
    examplesRun);

  it("README's JavaScript example is examples/quickstart.mjs as written", readmeShowsTheExample);

  it(`onnxruntime-node (${FULL ? 'every optional runtime installed offline, its download skipped'
    : 'linked beside the package'}) runs both ONNX files within their certificates`, () => {
    if (FULL) npmInstall(project, [tarball]);
    else linkInstalled(project, 'onnxruntime-node');
    const ran = json(node(['run.mjs']));
    assert.ok(ran.sqrtMax <= built.sqrt.certified, `${ran.sqrtMax} > ${built.sqrt.certified}`);
    assert.ok(ran.t3Samples > 10000);
    assert.ok(ran.t3Max <= built.t3.certified, `${ran.t3Max} > ${built.t3.certified}`);
  });
});
