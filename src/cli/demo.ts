import type { Command } from 'commander';
import { approximate } from '../approx/approximate.ts';
import { compileFormula, type CompileResult } from '../compile/compile.ts';
import { requireRuntimes, TRAINING } from '../runtime/preflight.ts';
import { initTfjs } from '../runtime/tfjs.ts';
import { equalSpacingDistanceRelus } from '../compile/recipe.ts';
import { sampleShell } from '../compile/sample.ts';
import { networkSummary } from '../net/network.ts';
import { T3, t3Box, t3Ranges } from '../reference.ts';
import { t3Float32Figures } from './demo-float32.ts';
import { renderTable } from './table.ts';
import { note, progress, QUIET_HELP } from './progress.ts';

/** T1 of the reference: the answer's script as published (knots 1e6, 1e6+1e5, …, 9.9e6). */
function answerAsPublished() {
  const start = 1e6, stop = 1e7, knotSpacing = 1e5, dataSpacing = 1e4;
  const knots: number[] = [];
  for (let k = start; k < stop - 1e-6; k += knotSpacing) knots.push(k);
  const grads = knots.slice(1).map((k, i) => (k * k - knots[i]! * knots[i]!) / knotSpacing);
  const dgr = [grads[0]!, ...grads.slice(1).map((g, i) => g - grads[i]!)];
  let sq = 0, max = 0, n = 0;
  for (let x = start; x < stop - 1e-6; x += dataSpacing) {
    let y = knots[0]! ** 2;
    for (let i = 0; i < dgr.length; i++) y += Math.max(0, dgr[i]! * (x - knots[i]!));
    const e = x * x - y;
    sq += e * e; n++; max = Math.max(max, Math.abs(e));
  }
  return { relus: dgr.length, knots: knots.length, rms: Math.sqrt(sq / n), max };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('The main job on built-in defaults: reference tasks T1, T2 and T3 (the distance network beside the ' +
      'equal-spacing recipe: shallow, deep sawtooth squares, folded norm) and a short comparison with training.')
    .option('--json', 'print one JSON object instead of the tables')
    .option('--quiet', QUIET_HELP)
    .action(async (flags: { json?: boolean }) => {
      requireRuntimes([TRAINING]); // the comparison at the end trains: say so before T1–T3's minutes of work
      const started = performance.now();
      const demo = await runDemo();
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`${flags.json ? demoJson(demo, seconds) : renderDemo(demo, seconds)}\n`);
    });
}

/** The reference tasks T1 and T2: x² on [1e6, 1e7] with 90 ReLUs; sqrt(x) on [0, 1] to 1e-4. */
function demoT1T2() {
  const published = answerAsPublished();
  const t1 = (['interpolate', 'minimax', 'lsq'] as const).map((fit) =>
    approximate({ expr: 'x^2', domain: [1e6, 1e7], size: { kind: 'knots', segments: 90 }, placement: 'uniform', fit }));
  const t2opt = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 } });
  const bar = progress('T2 uniform knots');
  const t2uni = approximate({
    expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError',
      error: 1e-4 }, placement: 'uniform', fit: 'interpolate', maxSegments: 10_000_000,
    onTrial: (t) => bar.update(`${t.segments} segments -> certified ${t.error.toPrecision(4)}`),
  });
  bar.done();
  return { published, t1, t2opt, t2uni, nStar: 2 / (4 * Math.sqrt(1e-4)) };
}

/** Every task of the demo, and the short comparison with training. */
async function runDemo() {
  const t12 = demoT1T2();
  note('T3: compiling the distance network...');
  const t3 = demoT3();
  note('comparison: training TensorFlow.js networks for about 16 s...');
  const comparison = await demoComparison(t3.auto, t3.autoSeconds);
  return { ...t12, t3, comparison };
}

type Demo = Awaited<ReturnType<typeof runDemo>>;

/** demo --json. */
function demoJson(d: Demo, seconds: number): string {
  const { published, t1, t2uni, t2opt, t3 } = d;
  return JSON.stringify({
    t1: {
      published: { relus: published.relus, maxError: { measured: published.max }, rmsError: published.rms },
      ours: t1.map((r) => ({ fit: r.fit, relus: r.segments,
        maxError: { certified: r.certifiedMax, measured: r.measuredMax }, rmsError: r.measuredRms })),
    },
    t2: {
      uniform: { relus: t2uni.segments, maxError: { certified: t2uni.certifiedMax, measured: t2uni.measuredMax } },
      optimal: { relus: t2opt.segments, maxError: { certified: t2opt.certifiedMax, measured: t2opt.measuredMax } },
      asymptoticOptimum: d.nStar,
    },
    t3: { samples: t3.samples, equalSpacing: t3.equalSpacing, ours: t3.ours },
    comparison: d.comparison.map((r) => ({
      name: r.name, relus: r.relus, layers: r.layers, maxError: { measured: r.maxError,
        certified: r.certified ?? null }, rmsError: r.rmsError, seconds: r.seconds,
    })),
    seconds,
  });
}

/** The line under T3's table: what each float32 column is. */
const FLOAT32_LEGEND = '(float32, the network evaluated with every operation rounded to float32: certified = proven ' +
  'bound; adversarial = the worst error found by search (seeded, from the shell samples; a lower bound of the ' +
  'true worst); measured = on the shell samples; floor u·max|d| = 2^-24·2.4e7, one rounding of the output)';

/** demo's tables: T1, T2, T3 and the comparison. */
function renderDemo(d: Demo, seconds: number): string {
  const { published, t1, t2uni, t2opt, nStar, t3 } = d;
  const out: string[] = [];
  out.push('T1  x^2 on [1e6, 1e7] with 90 ReLUs: the answer\'s equal spacing as published vs knotnet on the same ' +
    'budget');
  out.push(renderTable(['network', 'ReLUs', 'max error', 'RMS error', 'max error is'], [
    ['answer as published (knots 1e6..9.9e6, checked every 1e4)', published.relus, published.max, published.rms,
      'measured'],
    ...t1.map((r) => [`knotnet uniform, ${r.fit}`, r.segments, r.certifiedMax, r.measuredRms,
      'certified'] as (string | number)[]),
  ]));
  out.push('');
  out.push('T2  sqrt(x) on [0, 1] to certified max error 1e-4');
  out.push(renderTable(['knots', 'ReLUs', 'certified max error', 'vs n*'], [
    ['uniform, interpolate', t2uni.segments, t2uni.certifiedMax, `${(t2uni.segments / nStar).toFixed(0)}x`],
    ['optimal, minimax', t2opt.segments, t2opt.certifiedMax, `${(t2opt.segments / nStar).toFixed(2)}x`],
    ['asymptotic optimum n* = 2/(4*sqrt(1e-4))', nStar, 1e-4, '1.00x'],
  ]));
  out.push('');
  out.push(`T3  distance between far-apart points, certified max error 1 on the shell 2.1e7..2.4e7 (measured on ` +
    `${t3.samples} fresh shell samples)`);
  const t3Header = ['network', 'ReLUs', 'hidden layers', 'params', 'certified max error', 'measured max error',
    'float32 certified', 'float32 adversarial', 'float32 measured', 'float32 floor'];
  out.push(renderTable(t3Header, [
    ['the answer\'s equal spacing, sized by formula', t3.equalSpacing.relus, 2, '', 1, '', '', '', '', ''],
    ...t3.ours.map((r) => [
      `knotnet ${r.construction}`, r.relus, r.layers, r.params, r.maxError.certified, r.maxError.measured,
      r.float32.certified, r.float32.adversarial, r.float32.measured, r.float32.floor,
    ] as (string | number)[]),
  ]));
  out.push(FLOAT32_LEGEND);
  out.push('');
  out.push('Construction against training (TensorFlow.js, 4 s each, 5,000 training and 5,000 held-out shell ' +
    'samples; `knotnet compare` runs the full version)');
  const comparisonRows = d.comparison.map((r) => [r.name, r.relus, r.layers, r.maxError, r.rmsError, r.seconds]);
  out.push(renderTable(['network', 'ReLUs', 'layers', 'held-out max error', 'held-out RMS', 'seconds'],
    comparisonRows));
  out.push('', `(${seconds.toFixed(1)} s)`);
  return out.join('\n');
}

/** T3 of the reference: the original question's distance, shallow-only and automatic. */
function demoT3() {
  const samples = 100_000;
  const shell = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: samples, seed: 20181106 });
  const base = { expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: 1, samples: shell };
  let auto: CompileResult | null = null;
  let autoSeconds = 0;
  const d = Float64Array.from({ length: samples },
    (_, i) => Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!));
  const configs = [
    { construction: 'shallow only (squares and sqrt)', deep: 'never' as const, norm: 'squares' as const },
    { construction: 'deep sawtooth squares and sqrt', deep: 'auto' as const, norm: 'squares' as const },
    { construction: 'folded norm (--norm fold, the default\'s choice)', deep: 'auto' as const, norm: 'fold' as const },
    { construction: 'built for float32 (--dtype float32 --max-error 20)', deep: 'auto' as const,
      dtype: 'float32' as const, maxError: 20 },
  ];
  const ours = configs.map(({ construction, ...c }) => {
    const t0 = performance.now();
    const r = compileFormula({ ...base, ...c });
    if ('norm' in c && c.norm === 'fold') { auto = r; autoSeconds = (performance.now() - t0) / 1000; }
    const s = networkSummary(r.network);
    return { construction, relus: s.relus, layers: s.layers, params: s.params,
      maxError: { certified: r.certifiedMax, measured: r.measuredMax },
      float32: t3Float32Figures(r.network, r.certifiedMaxFloat32, shell, d) };
  });
  return { samples, equalSpacing: equalSpacingDistanceRelus(1,
    { dims: 3, R: T3.R, sLo: T3.normSquaredRange[0],
    sHi: T3.normSquaredRange[1] }), ours, auto: auto! as CompileResult, autoSeconds };
}

/** A short construction-against-training run on the distance (the full one: `knotnet compare`). */
async function demoComparison(built: CompileResult, seconds: number) {
  const n = 5000;
  const trainX = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed: 11 });
  const heldX = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed: 12 });
  const dist = (x: Float64Array) => Float64Array.from({ length: x.length / 3 },
    (_, i) => Math.hypot(x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!));
  await initTfjs('wasm');
  const { compareWithTraining } = await import('../train/compare.ts'); // TensorFlow.js: loaded only here
  return compareWithTraining({
    inputs: [...T3.inputs], constructed: { network: built.network, seconds, certified: built.certifiedMax,
      name: 'knotnet construction' },
    train: { x: trainX, y: dist(trainX) }, heldOut: { x: heldX, y: dist(heldX) }, budgetSeconds: 16, seed: 1,
  });
}
