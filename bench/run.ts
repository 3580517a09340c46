/**
 * knotnet benchmarks (not part of the tests): `npm run bench`, or `npm run bench -- --quick`.
 * Prints tables of segments needed (uniform vs optimal vs the asymptotic optimum n*), build
 * and certification time, evaluation throughput (ours vs onnxruntime-node), and T3 sizes
 * against tolerance (ours vs the equal-spacing recipe).
 */
import { approximate } from '../src/approx/approximate.ts';
import { float32Layout } from '../src/approx/clampform.ts';
import { accurateFunction } from '../src/expr/accurate.ts';
import { asymptoticSegments } from '../src/approx/placement.ts';
import { makeTarget } from '../src/approx/target.ts';
import { parseFormula } from '../src/expr/parse.ts';
import { compileFormula } from '../src/compile/compile.ts';
import { sampleShell } from '../src/compile/sample.ts';
import { equalSpacingDistanceRelus } from '../src/compile/recipe.ts';
import { evaluate } from '../src/net/evaluate.ts';
import { networkSummary } from '../src/net/network.ts';
import { toOnnx } from '../src/export/onnx.ts';
import { openOnnx, runOnnx } from '../src/runtime/onnx.ts';
import { renderTable } from '../src/cli/table.ts';
import { fmt } from '../src/report/format.ts';
import { T3, t3Box, t3Ranges } from '../src/reference.ts';
import { benchMinimal } from './minimal.ts';
import { recordFor } from './write.ts';

const quick = process.argv.includes('--quick');
recordFor(quick ? 'run-quick' : 'run', `npm run bench -- ${quick ? '--quick ' : ''}--write`);
const LIMIT = quick ? 200_000 : 2_000_000;
const now = () => performance.now() / 1000;
const parts: string[] = [];
let partStart = now();
/** Ends the part of the run just printed: its wall seconds go into the last line. */
function endPart(name: string): void {
  const t = now();
  parts.push(`${name} ${fmt(t - partStart)}`);
  partStart = t;
}

function segmentsFor(expr: string, domain: [number, number], rel: number, placement: 'uniform' | 'optimal') {
  try {
    const r = approximate({ expr, domain, size: { kind: 'maxError', error: rel }, relative: true, placement,
      fit: placement === 'uniform' ? 'interpolate' : 'minimax', maxSegments: LIMIT });
    return r.segments;
  } catch {
    return Infinity;
  }
}

console.log(`# segments for relative max error (certified), uniform+interpolate vs optimal+minimax vs n*  (limit ` +
  `${LIMIT})`);
const rows: (string | number)[][] = [];
for (const [expr, a, b] of [['x^2', 1e6, 1e7], ['sqrt(x)', 0, 1], ['exp(x)', -5, 5],
  ['sin(x)', 0, 2 * Math.PI]] as const) {
  for (const rel of quick ? [1e-3] : [1e-3, 1e-6]) {
    const t = makeTarget(parseFormula(expr).expr, 'x', a, b);
    const nStar = asymptoticSegments(t, rel * t.scale);
    const uni = segmentsFor(expr, [a, b], rel, 'uniform');
    const opt = segmentsFor(expr, [a, b], rel, 'optimal');
    rows.push([`${expr} on [${fmt(a)}, ${fmt(b)}]`, rel, Number.isFinite(uni) ? uni : `> ${LIMIT}`, opt,
      Math.ceil(nStar),
      Number.isFinite(uni) ? `${fmt(uni / opt)}x` : `> ${fmt(LIMIT / opt)}x`, `${fmt(opt / nStar)}x`]);
  }
}
console.log(renderTable(['function', 'rel. error', 'uniform', 'optimal', 'n*', 'uniform/optimal', 'optimal/n*'], rows));

endPart('segments');
console.log('\n# build + certify time, and evaluation throughput');
const big = quick ? 100_000 : 1_000_000;
let t0 = now();
const r = approximate({ expr: 'sin(x)', domain: [0, 2 * Math.PI], size: { kind: 'knots', segments: big },
  placement: 'uniform', fit: 'interpolate' });
const build = now() - t0;
const small = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 } });
const pts = Float64Array.from({ length: 200_000 }, (_, i) => i / 200_000);
t0 = now();
evaluate(small.network, pts);
const ours = pts.length / (now() - t0);
// onnxruntime's session is opened once (model load and graph optimization are not evaluation)
// and warmed up; only its run is timed, as knotnet's evaluate is.
const runner = await openOnnx(toOnnx(small.network, { dtype: 'float32', metadata: {} }), 1, 'float32');
await runner.run(pts.subarray(0, 1000), 1000);
t0 = now();
await runner.run(pts, pts.length);
const ort = pts.length / (now() - t0);
await runner.release();
console.log(renderTable(['measure', 'value'], [
  [`build + certify sin(x), ${big} uniform segments (s)`, build],
  [`certified / measured max error`, `${fmt(r.certifiedMax)} / ${fmt(r.measuredMax)}`],
  [`evaluate sqrt net (${small.segments} ReLUs), knotnet float64 (points/s)`, Math.round(ours)],
  [`evaluate sqrt net, onnxruntime-node float32 (points/s)`, Math.round(ort)],
  ['onnxruntime / knotnet', `${fmt(ort / ours)}x`],
]));

endPart('build and throughput');
console.log('\n# one variable in float32: the one-layer network evaluated in float32 against the clamp form (approx ' +
  '--dtype float32)');
const oneD: (string | number)[][] = [];
for (const [expr, a, b, E] of [['sqrt(x)', 0, 1, 1e-4], ['exp(x)', -5, 5, 1e-3],
  ['sin(x)', 0, 2 * Math.PI, 1e-5]] as const) {
  const fx = accurateFunction(parseFormula(expr).expr, ['x']);
  const base = approximate({ expr, domain: [a, b], size: { kind: 'maxError', error: E } });
  const grid = Float64Array.from({ length: 100_001 }, (_, i) => a + ((b - a) * i) / 100_000);
  const y1 = await runOnnx(toOnnx(base.network, { dtype: 'float32', metadata: {} }), grid, grid.length, 1, 'float32');
  let m1 = 0;
  grid.forEach((x, i) => { m1 = Math.max(m1, Math.abs(fx(x) - y1[i]!)); });
  let r32 = base;
  let L = float32Layout(base, fx);
  if (L.certifiedMaxFloat32 > E && L.roundingBoundFloat32 < 0.8 * E) { r32 = approximate({ expr, domain: [a, b],
    size: { kind: 'maxError', error: E - 1.2 * L.roundingBoundFloat32 } }); L = float32Layout(r32, fx); }
  const y2 = await runOnnx(toOnnx(L.network, { dtype: 'float32', metadata: {} }), grid, grid.length, 1, 'float32');
  let m2 = 0;
  grid.forEach((x, i) => { m2 = Math.max(m2, Math.abs(fx(x) - y2[i]!)); });
  oneD.push([`${expr} on [${fmt(a)}, ${fmt(b)}]`, E, base.segments, m1, r32.segments, networkSummary(L.network).relus,
    L.certifiedMaxFloat32, m2]);
}
console.log(renderTable(['function', 'max error', 'one-layer segments', 'one-layer ORT float32 measured',
  'clamp segments', 'clamp ReLUs', 'clamp float32 certified', 'clamp ORT float32 measured'], oneD));

endPart('one variable in float32');
console.log('\n# T3 distance: ReLUs against tolerance: the equal-spacing recipe, knotnet shallow-only, knotnet deep ' +
  'sawtooth squares (--norm squares), knotnet folded norm (--norm fold)');
const R = T3.R;
const shell = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: quick ? 10_000 : 100_000, seed: 11 });
const t3: (string | number)[][] = [];
for (const E of quick ? [1e3, 1] : [1e3, 1, 1e-2]) {
  t0 = now();
  try {
    const c = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: E, samples: shell,
      norm: 'squares' });
    const fold = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: E, samples: shell,
      norm: 'fold' });
    const fs = networkSummary(fold.network);
    const recipe = equalSpacingDistanceRelus(E,
      { dims: 3, R, sLo: T3.normSquaredRange[0], sHi: T3.normSquaredRange[1] });
    const shallowOnly = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: E, samples: shell,
      deep: 'never', norm: 'squares' });
    const nSq = recipe.relus; const nS = 0;
    const s = networkSummary(c.network);
    const sh = networkSummary(shallowOnly.network);
    t3.push([E, nSq + nS, sh.relus, `${sh.layers}`, shallowOnly.certifiedMax, shallowOnly.measuredMax, s.relus,
      `${s.layers}`, s.params, c.certifiedMax, c.measuredMax, fs.relus, `${fs.layers}`, fs.params, fold.certifiedMax,
        fold.measuredMax, `${fmt((nSq + nS) / Math.min(s.relus, fs.relus))}x`, now() - t0]);
  } catch (e) {
    t3.push([E, `failed: ${(e as Error).message}`, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',
      now() - t0]);
  }
}
console.log(renderTable(['max error', 'equal spacing ReLUs', 'shallow ReLUs', 'layers', 'certified', 'measured',
  'sawtooth ReLUs', 'layers', 'params', 'certified', 'measured', 'folded ReLUs', 'layers', 'params', 'certified',
    'measured', 'equal/best', 'seconds'], t3));

endPart('T3 sizes');
console.log('\n# T3 folded (float64 build, max error 1) evaluated in float32: certified float32 bound ' +
  '(compile/foldround.ts) against the float32 floor, measured in onnxruntime-node');
{
  const fold = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: 1, samples: shell,
    norm: 'fold' });
  const y = await runOnnx(toOnnx(fold.network, { dtype: 'float32', metadata: {} }), shell, shell.length / 3, 3,
    'float32');
  let m = 0;
  for (let i = 0; i < shell.length / 3; i++) m = Math.max(m,
    Math.abs(Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!) - y[i]!));
  const fs = networkSummary(fold.network);
  console.log(renderTable(['ReLUs', 'layers', 'float64 certified', 'float32 certified', 'ORT float32 measured',
    'float32 floor'], [[fs.relus, `${fs.layers}`, fold.certifiedMax, fold.certifiedMaxFloat32, m, 2 ** -24 * T3.R]]));
}

/**
 * T3 built for float32 at each tolerance with this norm construction: its certified float32 bound against the floor,
 * and ORT's float32 error.
 */
async function float32Rows(norm: 'squares' | 'fold', tolerances: number[]): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const E of tolerances) {
    t0 = now();
    try {
      const c = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), maxError: E, samples: shell,
        dtype: 'float32', norm });
      const y = await runOnnx(toOnnx(c.network, { dtype: 'float32', metadata: {} }), onnxShell, onnxShell.length / 3,
        3, 'float32');
      let m = 0;
      for (let i = 0; i < onnxShell.length / 3; i++) {
        m = Math.max(m, Math.abs(Math.hypot(onnxShell[3 * i]!, onnxShell[3 * i + 1]!, onnxShell[3 * i + 2]!) - y[i]!));
      }
      const s = networkSummary(c.network);
      rows.push([E, s.relus, `${s.layers}`, c.certifiedMaxFloat32, m, floor32,
        `${fmt(c.certifiedMaxFloat32 / floor32)}x`, now() - t0]);
    } catch (e) {
      rows.push([E, `failed: ${(e as Error).message}`, '', '', '', '', '', now() - t0]);
    }
  }
  return rows;
}
const float32Header = ['max error', 'ReLUs', 'layers', 'float32 certified', 'ORT float32 measured', 'float32 floor',
  'certified/floor', 'seconds'];

endPart('T3 folded in float32');
console.log('\n# T3 built for float32 (compile --dtype float32): certified float32 bound against the float32 floor ' +
  'u·max|d| (u = 2^-24), measured in onnxruntime-node');
const floor32 = 2 ** -24 * T3.R;
const onnxShell = shell.subarray(0, 3 * (quick ? 10_000 : 100_000));
console.log(renderTable(float32Header, await float32Rows('squares', [100, 40, 30, 25, 20])));

endPart('T3 squares for float32');
console.log('\n# T3 built for float32 as a folded norm (compile --dtype float32 --norm fold): certified float32 ' +
  'bound (compile/foldround.ts) against the float32 floor, measured in onnxruntime-node');
console.log(renderTable(float32Header, await float32Rows('fold', [1000, 300])));

endPart('T3 folded for float32');
console.log('\n# distance in d dimensions (shell radii 2.1e7..2.4e7), max error 1: squares and sqrt (--norm ' +
  'squares) against the folded norm (--norm fold; --norm auto keeps the smaller)');
const dimRows: (string | number)[][] = [];
for (const d of quick ? [3, 30, 300] : [3, 30, 300]) {
  const vars: Record<string, [number, number]> = {};
  const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);
  for (const v of names) vars[v] = [-R, R];
  const sum = names.map((v) => `${v}^2`).join('+');
  const row: (string | number)[] = [d];
  for (const norm of ['squares', 'fold'] as const) {
    t0 = now();
    try {
      const c = compileFormula({ expr: `sqrt(${sum})`, vars, ranges: { [sum]: [...T3.normSquaredRange] }, maxError: 1,
        norm, samples: sampleShell({ dims: d, inner: T3.inner, outer: T3.outer, n: 2000, seed: 5 }) });
      const s = networkSummary(c.network);
      row.push(s.relus, `${s.layers}`, s.params, c.certifiedMax, c.measuredMax, now() - t0);
    } catch (e) {
      row.push(`failed: ${(e as Error).message}`, '', '', '', '', now() - t0);
    }
  }
  dimRows.push(row);
}
console.log(renderTable(['dims', 'squares ReLUs', 'layers', 'params', 'certified', 'measured', 'compile seconds',
  'folded ReLUs', 'layers', 'params', 'certified', 'measured', 'compile seconds'], dimRows));
endPart('d dimensions');
benchMinimal();
endPart('minimal and fit');
console.log(`\n# wall seconds per part: ${parts.join(', ')}`);
