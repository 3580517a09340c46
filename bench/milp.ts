/**
 * `knotnet milp` figures (not part of the tests):
 *   node --import tsx bench/milp.ts [--seconds S] [--width W] [--write]
 * (`--write`: block `milp` of docs/benchmarks.md, bench/write.ts)
 * For each formula: a ReLU MLP of the usual size (two hidden layers of W = 32 units, Adam on
 * 2,000 samples for S = 20 s of training, TensorFlow.js) certified by certifyNetwork (its
 * exact-arithmetic proven error E, what its MILP computes), and knotnet's construction at the
 * same certified error E; both written by toMilp and minimized by HiGHS (WebAssembly): binaries,
 * solve seconds, the optimum, and the truth by dense search.
 */
import highsModule from 'highs';
import { approximate } from '../src/approx/approximate.ts';
import { certifyNetwork } from '../src/certify/certify.ts';
import { renderTable } from '../src/cli/table.ts';
import { compileFormula } from '../src/compile/compile.ts';
import { buildMilp } from '../src/export/milp.ts';
import { accurateFunction } from '../src/expr/accurate.ts';
import { parseFormula } from '../src/expr/parse.ts';
import type { Network } from '../src/net/network.ts';
import { rng } from '../src/random.ts';
import { networkFromModel, reluMlp, scalingOf, trainFor } from '../src/train/index.ts';
import { recordFor } from './write.ts';

const args = process.argv.slice(2);
recordFor('milp', ['node --import tsx bench/milp.ts', ...args.filter((a) => a !== '--write'), '--write'].join(' '));
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1])
  : fallback);
const SECONDS = flag('--seconds', 20);
const WIDTH = flag('--width', 32);
const loadHighs = highsModule as unknown as typeof highsModule.default;
const highs = await loadHighs();

interface Case { expr: string; vars: Record<string, [number, number]> }
const CASES: Case[] = [
  { expr: 'sin(3*x) + 0.1*x^2', vars: { x: [-4, 4] } },
  { expr: 'sqrt(x^2+y^2) + sqrt((x-4)^2+y^2) + sqrt((x-1)^2+(y-3)^2)', vars: { x: [-1, 5], y: [-1, 4] } },
];

/** A trained MLP of the usual size, as a plain network. */
async function trained(c: Case): Promise<Network> {
  const names = Object.keys(c.vars), f = accurateFunction(parseFormula(c.expr).expr, names);
  const rand = rng(33), n = 2000;
  const x = new Float64Array(n * names.length), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    names.forEach((v, j) => { const [a, b] = c.vars[v]!; x[i * names.length + j] = a + (b - a) * rand(); });
    y[i] = f(...x.subarray(i * names.length, (i + 1) * names.length));
  }
  const model = reluMlp(names.length, [WIDTH, WIDTH], 33);
  const scaling = scalingOf(x, y, names.length);
  await trainFor(model, x, y, names.length, { budgetSeconds: SECONDS, seed: 33, scaling, learningRate: 3e-3 });
  return networkFromModel(model, names, scaling);
}

/** Minimizes the network's MILP in HiGHS (time limit 300 s). */
function minimize(net: Network, c: Case) {
  const m = buildMilp(net, { box: c.vars });
  const started = performance.now();
  const r = highs.solve(m.text, { output_flag: false, time_limit: 300, mip_feasibility_tolerance: 1e-9 });
  return { binaries: m.stats.binaries, seconds: (performance.now() - started) / 1000, status: r.Status,
    optimum: r.ObjectiveValue, bigM: m.stats.bigM };
}

/** The formula's minimum on a 1,000-point (one input) or 300 × 300 grid. */
function denseMinimum(c: Case): number {
  const names = Object.keys(c.vars), f = accurateFunction(parseFormula(c.expr).expr, names);
  const n = names.length === 1 ? 100_000 : 300;
  const at = (v: string, i: number) => c.vars[v]![0] + ((c.vars[v]![1] - c.vars[v]![0]) * i) / n;
  let best = Infinity;
  if (names.length === 1) for (let i = 0; i <= n; i++) best = Math.min(best, f(at(names[0]!, i)));
  else for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) best = Math.min(best, f(at(names[0]!, i),
    at(names[1]!, j)));
  return best;
}

const rows: (string | number)[][] = [];
for (const c of CASES) {
  const names = Object.keys(c.vars);
  const mlp = await trained(c);
  const proof = certifyNetwork({ net: mlp, expr: parseFormula(c.expr).expr, box: names.map((v) => c.vars[v]!),
    timeSeconds: 60 });
  const E = proof.upperExact;
  const built = names.length === 1
    ? approximate({ expr: c.expr, domain: c.vars[names[0]!]!, size: { kind: 'maxError', error: E } }).network
    : compileFormula({ expr: c.expr, vars: c.vars, maxError: E, measureCount: 2000 }).network;
  const truth = denseMinimum(c);
  for (const [who, net] of [[`trained ${WIDTH}x${WIDTH}`, mlp], ['knotnet', built]] as const) {
    const s = minimize(net, c);
    rows.push([c.expr, who, E.toPrecision(3), s.binaries, s.bigM.toPrecision(3), s.seconds.toFixed(2), s.status,
      s.optimum.toPrecision(6), truth.toPrecision(6)]);
  }
}
console.log(`# a trained ReLU MLP (${WIDTH}x${WIDTH}, Adam on 2,000 samples for ${SECONDS} s, TensorFlow.js) ` +
  'certified by certify\'s engine (exact arithmetic), knotnet\'s network at that certified error E, both written ' +
  'by toMilp and minimized in HiGHS (WebAssembly, 300 s at most), and the minimum by dense search');
console.log(renderTable(['formula', 'network', 'certified E', 'binaries', 'largest M', 'HiGHS s', 'status',
  'optimum', 'dense-search min'], rows));
