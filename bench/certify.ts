/**
 * `knotnet certify` figures (not part of the tests):
 *   node --import tsx bench/certify.ts [EXPORT_DIR] [--only random|t3|asker] [--write]
 * (`--write`, without `--only`: block `certify` of docs/benchmarks.md, bench/write.ts)
 * - 20 random constructions (10 one-variable from approximate, 10 two-variable from
 *   compileFormula): certify's proven bound against the construction's own certificate;
 * - T3 (the distance on the GPS shell; folded by default, and --norm squares): proven bound
 *   after 120 s, and the linear regions each network has on the shell;
 * - the asker's architecture trained by `knotnet compare --export-dir EXPORT_DIR`: proven
 *   within 10% of the worst found, time taken.
 */
import { approximate } from '../src/approx/approximate.ts';
import { certifyNetwork } from '../src/certify/certify.ts';
import { evaluatePoint } from '../src/certify/worst.ts';
import { renderTable } from '../src/cli/table.ts';
import { fmt } from '../src/report/format.ts';
import { compileFormula } from '../src/compile/compile.ts';
import { parseFormula } from '../src/expr/parse.ts';
import { countRelus, type Network } from '../src/net/network.ts';
import { rng } from '../src/random.ts';
import { loadPlainNetwork } from '../src/runtime/plain.ts';
import { T3, t3Ranges } from '../src/reference.ts';
import { recordFor } from './write.ts';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const exportDir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
const SHELL = { expr: parseFormula(T3.normSquared).expr, lo: T3.normSquaredRange[0], hi: T3.normSquaredRange[1] };
const BOX = [[-T3.R, T3.R], [-T3.R, T3.R], [-T3.R, T3.R]] as const;
if (!only) recordFor('certify', `node --import tsx bench/certify.ts ${exportDir ? `${exportDir} ` : ''}--write`);

const ONE_D: [string, [number, number]][] = [['sin(x)', [0, 3]], ['exp(x)', [-1, 1]], ['sqrt(x)', [0.05, 1]],
  ['log(x)', [0.5, 4]], ['tanh(x)', [-2, 2]], ['x^3', [-1, 1]], ['cos(2*x)', [0, 2]], ['1/(1+x^2)',
  [-2, 2]], ['sigmoid(3*x)', [-1, 1]], ['x*sin(x)', [0, 4]]];
const TWO_D: [string, Record<string, [number, number]>][] = [['x*y', { x: [0, 1], y: [0, 1] }],
  ['sin(x)+y^2', { x: [0, 2], y: [-1, 1] }], ['exp(x)*y', { x: [-1, 1], y: [0, 1] }], ['sqrt(x^2+y^2)',
  { x: [1, 2], y: [1, 2] }], ['x^2-y^2', { x: [-1, 1], y: [-1, 1] }], ['cos(x)*y', { x: [0, 2],
  y: [0, 1] }], ['x/(1+y)', { x: [0, 1], y: [0, 1] }], ['log(1+x+y)', { x: [0, 1], y: [0,
  1] }], ['exp(-x^2-y^2)', { x: [-1, 1], y: [-1, 1] }], ['max(x, y)^2', { x: [0, 1], y: [0, 1] }]];

/** One construction's row: certify's interval beside the construction's own certificate. */
interface Checked { expr: string; d: number; relus: number; cert: number; c: ReturnType<typeof certifyNetwork> }

function randomConstructions(): void {
  const rand = rng(15);
  const done: Checked[] = [];
  for (const [expr, domain] of ONE_D) {
    const tol = 10 ** -(2 + Math.floor(rand() * 2)); // 1e-2 or 1e-3
    const r = approximate({ expr, domain, size: { kind: 'maxError', error: tol } });
    done.push({ expr, d: 1, relus: countRelus(r.network), cert: r.certifiedMax,
      c: certifyNetwork({ net: r.network, expr: parseFormula(expr).expr, box: [domain], timeSeconds: 60 }) });
  }
  for (const [expr, vars] of TWO_D) {
    const r = compileFormula({ expr, vars, maxError: 1e-2 });
    const box = r.network.inputs.map((v) => vars[v]!);
    done.push({ expr, d: 2, relus: countRelus(r.network), cert: r.certifiedMax,
      c: certifyNetwork({ net: r.network, expr: parseFormula(expr).expr, box, timeSeconds: 60 }) });
  }
  console.log('# 10 one-variable (approx, max error 1e-2 or 1e-3) and 10 two-variable (compile, 1e-2) ' +
    'constructions: certify (60 s at most each) against the construction\'s own certificate');
  console.log(renderTable(['formula', 'vars', 'ReLUs', 'construction certificate', 'certify: proven', 'certify: found',
    'proven / certificate', 'sub-boxes', 'seconds', 'stopped'], done.map(({ expr, d, relus, cert, c }) =>
    [expr, d, relus, cert, c.upper, c.lower, (c.upper / cert).toFixed(3), c.boxes, c.seconds, c.stopped])));
  randomSummary(done);
}

/** The summary of the random constructions: gaps reached, time taken, certificates the proof shows loose. */
function randomSummary(done: Checked[]): void {
  const ratios = done.map(({ c, cert }) => c.upper / cert);
  const loose = done.filter(({ c, cert }) => c.upper < 0.99 * cert);
  const seconds = done.map(({ c }) => c.seconds);
  console.log(`proven within 10% of found: ${done.filter(({ c }) => c.stopped === 'gap').length} of ${done.length}; ` +
    `seconds ${fmt(Math.min(...seconds))} to ${fmt(Math.max(...seconds))}; proven / certificate ` +
    `${fmt(Math.min(...ratios))} to ${fmt(Math.max(...ratios))}`);
  const named = loose.map(({ expr, c, cert }) => `${expr} ${(100 * (cert / c.upper - 1)).toFixed(0)}%`);
  console.log(`certificates certify proves loose by more than 1%: ${loose.length}` +
    (loose.length ? ` (${named.join(', ')})` : '') + '\n');
}

/** Activation patterns met along n + 1 points of a path: the linear regions it crosses. */
function regionsAlong(net: Network, point: (t: number) => number[], n: number): number {
  let count = 0, prev = '';
  for (let k = 0; k <= n; k++) {
    let cur = point(k / n), bits = '';
    for (const L of net.layers) {
      const next: number[] = [];
      for (let o = 0; o < L.outSize; o++) {
        let z = L.bias[o]!;
        for (let i = 0; i < L.inSize; i++) z += L.weights[o * L.inSize + i]! * cur[i]!;
        if (L.activation === 'relu') { bits += z > 0 ? '1' : '0'; z = Math.max(0, z); }
        next.push(z);
      }
      cur = next;
    }
    if (bits !== prev) count++;
    prev = bits;
  }
  return count;
}

/** Of `bins` equal arcs of a path, how many have an error within 20% of the path's largest (n + 1 points). */
function arcsNearWorst(net: Network, point: (t: number) => number[], n: number, bins: number): number {
  const worst = new Float64Array(bins);
  for (let k = 0; k <= n; k++) {
    const x = point(k / n);
    const b = Math.min(bins - 1, Math.floor((k / n) * bins));
    worst[b] = Math.max(worst[b]!, Math.abs(evaluatePoint(net, x) - Math.hypot(...x)));
  }
  const m = Math.max(...worst);
  return worst.filter((v) => v >= 0.8 * m).length;
}

/**
 * T3 at max error 1, as `compile` builds it by default (folded norm) and with `--norm squares`,
 * on the shell (`--range`) and, for the folded one, on the whole box: certify's proven bound
 * after 120 s, and the linear regions the network has along a quarter of a circle of radius
 * 2.25e7 in azimuth (dz = 0.3·r) and in elevation: their product is the regions per octant of
 * the shell, each of which a proof by input or ReLU splitting must separate; and of 3,000
 * equal arcs of the azimuth circle at radius 2.28e7, those where the error comes within 20% of
 * its largest on that circle.
 */
function t3(): void {
  const rows: (string | number)[][] = [];
  const vars = { dx: [...BOX[0]] as [number, number], dy: [...BOX[1]] as [number, number],
    dz: [...BOX[2]] as [number, number] };
  const R = 2.25e7, q = Math.PI / 2;
  for (const [label, norm, shell] of [['folded (default), shell', 'auto', true],
    ['folded (default), whole box', 'auto', false], ['--norm squares, shell', 'squares', true]] as const) {
    const r = compileFormula({ expr: T3.expr, vars, ...(shell ? { ranges: t3Ranges() } : {}), maxError: 1, norm });
    const c = certifyNetwork({ net: r.network, expr: parseFormula(T3.expr).expr, box: BOX,
      ranges: shell ? [SHELL] : [], timeSeconds: 120, onProgress: (p) => process.stderr.write(`T3 ${label}: proven ` +
      `≤ ${fmt(p.upper)}, found ${fmt(p.lower)}, ${p.boxes} sub-boxes, ${p.seconds.toFixed(0)} s\n`) });
    const azimuth = regionsAlong(r.network, (t) => [R * Math.cos(q * t), R * Math.sin(q * t), 0.3 * R], 2e6);
    const elevation = regionsAlong(r.network,
      (t) => [0.7 * R * Math.cos(q * t), 0.71 * R * Math.cos(q * t), R * Math.sin(q * t)], 2e6);
    const near = arcsNearWorst(r.network,
      (t) => [0.95 * T3.R * Math.cos(q * t), 0.95 * T3.R * Math.sin(q * t), 0.3 * T3.R], 2e6, 3000);
    rows.push([label, countRelus(r.network), r.certifiedMax, c.upper, c.lower,
      (c.upper / r.certifiedMax).toPrecision(3), c.boxes, c.seconds, c.stopped, `${azimuth} × ${elevation}`,
        `${near} of 3000`]);
  }
  console.log('# T3 (the distance on the GPS shell) at max error 1: certify for 120 s at most; the linear regions ' +
    'met along a quarter circle in azimuth × one in elevation (radius 2.25e7); of 3,000 equal arcs of the azimuth ' +
    'circle at radius 2.28e7, those where the error comes within 20% of its largest there');
  console.log(renderTable(['T3 network (max error 1)', 'ReLUs', 'construction certificate', 'certify: proven',
    'certify: found', 'proven / certificate', 'sub-boxes', 'seconds', 'stopped', 'regions on quarter circles',
      'arcs within 20% of worst'], rows));
}

async function asker(dir: string): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const name of ['asker-s-architecture-raw-units', 'asker-s-architecture-standardized']) {
    const m = await loadPlainNetwork(`${dir}/${name}.onnx`);
    const c = certifyNetwork({ net: m.net, expr: parseFormula(T3.expr).expr, box: BOX, ranges: [SHELL], dtype: m.dtype,
      timeSeconds: 60 });
    rows.push([name, c.relus, c.lower, c.upper, c.gap.toFixed(3), c.boxes, c.seconds, c.stopped]);
  }
  console.log(`# the asker's architecture trained by \`knotnet compare --export-dir ${dir}\` (the distance on the ` +
    'shell, ONNX float32): certify for 60 s at most');
  console.log(renderTable(['network (ONNX float32 from compare --export-dir)', 'ReLUs', 'worst found', 'proven', 'gap',
    'sub-boxes', 'seconds', 'stopped'], rows));
  console.log();
}

if (!only || only === 'random') randomConstructions();
if ((!only || only === 'asker') && exportDir) await asker(exportDir);
if (!only || only === 't3') t3();
