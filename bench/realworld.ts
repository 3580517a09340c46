/**
 * Real-world formulas (issue 16): `node --import tsx bench/realworld.ts [case ...]`.
 * Each case: ReLUs, hidden layers, certified and measured max error per output (measured on
 * 1e5 fresh samples against the accurate evaluation of expr/accurate.ts: float64 ball arithmetic
 * with a proven error bound per point, falling back to double-double and 40–100 digit decimal
 * arithmetic where that bound is not below 2^-44·|f|; the error counted is |N − f̃| less f̃'s
 * proven radius, a lower bound of the true error), build seconds.
 */
import { compileFormula, type OutputSpec } from '../src/compile/compile.ts';
import { sampleBox } from '../src/compile/sample.ts';
import { parseFormula } from '../src/expr/parse.ts';
import { accurateEvaluator } from '../src/expr/accurate.ts';
import { evaluate } from '../src/net/evaluate.ts';
import { networkSummary } from '../src/net/network.ts';
import { renderTable } from '../src/cli/table.ts';
import { recordFor } from './write.ts';

const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const N = `(${A} / sqrt(1 - ${E2} * sin(lat)^2))`;
const R = 6371000;
const r = 0.05;

interface Case { name: string; outputs: OutputSpec[]; vars: Record<string, [number, number]>; ranges?: Record<string,
  [number, number]>; maxError: number; note: string }
/** Cases typed as a textbook writes them (issue 28): no hand rescaling, no ranges stated where none is needed. */
const CASES: Case[] = [
  {
    name: 'haversine', maxError: 1, note: 'R = 6,371,000 m; both points in lat [0.7, 0.9], lon [0.1, 0.3] (radians), ' +
      'so they may coincide',
    vars: { lat1: [0.7, 0.9], lon1: [0.1, 0.3], lat2: [0.7, 0.9], lon2: [0.1, 0.3] },
    outputs: [{ name: 'd',
      expr: `2*${R}*asin(sqrt(sin((lat2-lat1)/2)^2 + cos(lat1)*cos(lat2)*sin((lon2-lon1)/2)^2))` }],
  },
  {
    name: 'ecef', maxError: 1, note: 'WGS-84, N = a/sqrt(1 - e²sin²(lat)), lat [0.7, 0.9], lon [0.1, 0.3] rad, ' +
      'h [0, 1000] m; three outputs',
    vars: { lat: [0.7, 0.9], lon: [0.1, 0.3], h: [0, 1000] },
    outputs: [
      { name: 'X', expr: `(${N} + h) * cos(lat) * cos(lon)` },
      { name: 'Y', expr: `(${N} + h) * cos(lat) * sin(lon)` },
      { name: 'Z', expr: `(${N} * (1 - ${E2}) + h) * sin(lat)` },
    ],
  },
  {
    name: 'arm', maxError: 1e-4, note: 'links 0.5 m and 0.3 m, t1 [-1.5, 1.5], t2 [0, 2.5] rad; two outputs, to 0.1 mm',
    vars: { t1: [-1.5, 1.5], t2: [0, 2.5] },
    outputs: [{ name: 'px', expr: '0.5*cos(t1) + 0.3*cos(t1+t2)' },
      { name: 'py', expr: '0.5*sin(t1) + 0.3*sin(t1+t2)' }],
  },
  {
    name: 'black-scholes', maxError: 0.08, note: `r = ${r}; S, K in [80, 120], vol [0.1, 0.5], T [0.25, 2] years; ` +
      `0.08 = 1e-3 of the smallest strike`,
    vars: { S: [80, 120], K: [80, 120], v: [0.1, 0.5], T: [0.25, 2] },
    // S/K in [80/120, 120/80], v·sqrt(T) in [0.1·0.5, 0.5·sqrt(2)] (stated; range propagation finds them too).
    ranges: { 'S/K': [0.666, 1.5001], 'v*sqrt(T)': [0.0499, 0.7072] },
    outputs: [{ name: 'C',
      expr: `S * normcdf((log(S/K) + (${r} + v^2/2)*T) / (v*sqrt(T))) - K*exp(${-r}*T) * normcdf((log(S/K) + (${r} ` +
      `- v^2/2)*T) / (v*sqrt(T)))` }],
  },
];

const pick = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (pick.length === 0) recordFor('realworld', 'node --import tsx bench/realworld.ts --write');
for (const c of CASES.filter((k) => pick.length === 0 || pick.includes(k.name))) {
  const t0 = performance.now();
  let row: (string | number)[][];
  try {
    // One output is compiled as a user types one formula (its norms recognized, as the CLI does); several as --out.
    const single = c.outputs.length === 1;
    const res = compileFormula({ expr: single ? c.outputs[0]!.expr : c.name, vars: c.vars,
      ...(c.ranges ? { ranges: c.ranges } : {}), maxError: c.maxError, ...(single ? {} : { outputs: c.outputs }),
      measureCount: 20000 });
    const outs = res.outputs ?? [{ name: c.outputs[0]!.name, expr: c.outputs[0]!.expr, maxError: c.maxError,
      certifiedMax: res.certifiedMax }];
    const seconds = (performance.now() - t0) / 1000;
    const s = networkSummary(res.network);
    const inputs = res.inputs;
    const n = 100_000;
    const x = sampleBox(inputs.map((v) => c.vars[v]!), n, 20261130);
    const y = evaluate(res.network, x);
    console.error(`${c.name}: built in ${seconds.toFixed(1)} s, ${s.relus} ReLUs; measuring on 1e5 fresh samples`);
    row = outs.map((o, k) => {
      const f = accurateEvaluator(parseFormula(o.expr).expr, inputs);
      const radius = new Float64Array(1);
      let worst = 0;
      let widest = 0;
      for (let i = 0; i < n; i++) {
        const v = f(x.subarray(i * inputs.length, (i + 1) * inputs.length), radius);
        worst = Math.max(worst, Math.abs(y[i * c.outputs.length + k]! - v) - radius[0]!);
        widest = Math.max(widest, radius[0]!);
      }
      if (!(worst <= o.certifiedMax)) throw new Error(`${c.name} ${o.name}: measured ${worst} above certified ` +
        `${o.certifiedMax}`);
      return [c.name, o.name, s.relus, s.layers, o.maxError, o.certifiedMax, worst, widest, seconds];
    });
  } catch (e) {
    row = [[c.name, '', `failed: ${(e as Error).message.slice(0, 160)}`, '', c.maxError, '', '', '',
      (performance.now() - t0) / 1000]];
  }
  console.log(`# ${c.name}: ${c.note}`);
  console.log(renderTable(['case', 'output', 'ReLUs', 'layers', 'max error asked', 'certified', 'measured (1e5)',
    'reference radius', 'build seconds'], row));
}
