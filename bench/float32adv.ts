/**
 * float32 certificates against an adversary (issue 32):
 *   node --import tsx bench/float32adv.ts [--only TEXT] [--write]
 * For each float32 network the bench builds (T3 folded for float64 at 1, T3 folded and squares built for
 * float32, the clamp forms of `approx --dtype float32`): the certified float32 bound, the error measured
 * by onnxruntime-node float32 on 1e5 samples, the worst error certify/adversary.ts finds (float32 inputs,
 * three float32 evaluation orders (knotnet's, onnxruntime's fused, reversed), truth from expr/accurate.ts),
 * the worst it finds with orders 'any' as well (certify/anyorder.ts: each row summed in the order that
 * rounds the worst way, an order some runtime may take; the certificates hold for any order), and the
 * floor u·max|f| (u = 2^-24). `--only TEXT`: the rows whose name contains TEXT (no `--write` then).
 */
import { approximate } from '../src/approx/approximate.ts';
import { float32Layout } from '../src/approx/clampform.ts';
import { float32Adversary, float32ErrorAt, type AdversaryOptions } from '../src/certify/adversary.ts';
import { renderTable } from '../src/cli/table.ts';
import { compileFormula } from '../src/compile/compile.ts';
import { sampleShell } from '../src/compile/sample.ts';
import { accurateFunction } from '../src/expr/accurate.ts';
import { parseFormula } from '../src/expr/parse.ts';
import { networkSummary, type Network } from '../src/net/network.ts';
import { toOnnx } from '../src/export/onnx.ts';
import { fmt } from '../src/report/format.ts';
import { runOnnx } from '../src/runtime/onnx.ts';
import { T3, t3Box, t3Ranges } from '../src/reference.ts';
import { recordFor } from './write.ts';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] ?? '' : undefined;
if (only === undefined) recordFor('float32-adversary', 'node --import tsx bench/float32adv.ts --write');
const wanted = (name: string): boolean => only === undefined || name.includes(only);
const U = 2 ** -24;
const now = () => performance.now() / 1000;
const ADVERSARY = { starts: 32, maxEvaluations: 150_000, seed: 32 };
/** The any-order search: more starts (32 stop after ~28,000 evaluations), then 20,000 evaluations of polish. */
const ANY_ORDER = { ...ADVERSARY, starts: 200, polish: 20_000, orders: 'any' as const };

/** max |truth − onnxruntime float32| over the rows of x. */
async function onnxMeasured(net: Network, x: Float64Array, truth: (row: Float64Array) => number): Promise<number> {
  const nIn = net.inputs.length;
  const y = await runOnnx(toOnnx(net, { dtype: 'float32', metadata: {} }), x, x.length / nIn, nIn, 'float32');
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(truth(x.subarray(i * nIn, (i + 1) * nIn)) - y[i]!));
  return m;
}

/** The adversary in the runtime orders, then in any order from the same samples, and at the first's worst point. */
function adversaries(o: Omit<AdversaryOptions, 'seed' | 'orders'>): { runtime: number; any: number } {
  const runtime = float32Adversary({ ...o, ...ADVERSARY });
  const any = float32Adversary({ ...o, ...ANY_ORDER });
  const atRuntimeWorst = float32ErrorAt(o.net, o.expr, 'any')([runtime.point])[0]!;
  return { runtime: runtime.worst, any: Math.max(any.worst, atRuntimeWorst) };
}

function row(name: string, net: Network, certified: number, sampled: number, adv: { runtime: number; any: number },
  floor: number, t0: number): (string | number)[] {
  return [name, networkSummary(net).relus, certified, sampled, adv.runtime, adv.any, floor,
    `${fmt(certified / adv.runtime)}x`, `${fmt(certified / adv.any)}x`, `${fmt(certified / floor)}x`, now() - t0];
}

const rows: (string | number)[][] = [];
const t3Expr = parseFormula(T3.expr).expr;
const t3Truth = accurateFunction(t3Expr, [...T3.inputs]);
const build = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 100_000, seed: 11 });
const measure = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 100_000, seed: 21 });
const starts = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 20_000, seed: 31 });
const onShell = (x: Float64Array): boolean => {
  const s = x[0]! ** 2 + x[1]! ** 2 + x[2]! ** 2;
  return s >= T3.normSquaredRange[0] && s <= T3.normSquaredRange[1];
};
for (const [name, opts] of [
  ['T3 folded, built for float64 (max error 1)', { maxError: 1, norm: 'fold' }],
  ['T3 folded, --dtype float32 --max-error 300', { maxError: 300, norm: 'fold', dtype: 'float32' }],
  ['T3 squares, --dtype float32 --max-error 20', { maxError: 20, norm: 'squares', dtype: 'float32' }],
  // --norm auto: the float32 reflections of compile/foldbase.ts where they need fewer ReLUs.
  ['T3 --dtype float32 --norm auto --max-error 40', { maxError: 40, norm: 'auto', dtype: 'float32' }],
  ['T3 --dtype float32 --norm auto --max-error 20', { maxError: 20, norm: 'auto', dtype: 'float32' }],
] as [string, { maxError: number; norm: 'fold' | 'squares' | 'auto'; dtype?: 'float32' }][]) {
  if (!wanted(name)) continue;
  const t0 = now();
  const c = compileFormula({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges(), samples: build, ...opts });
  const sampled = await onnxMeasured(c.network, measure, (x) => t3Truth(x[0]!, x[1]!, x[2]!));
  const adv = adversaries({ net: c.network, expr: t3Expr, box: Object.values(t3Box()), inside: onShell, samples: starts,
  });
  rows.push(row(name, c.network, c.certifiedMaxFloat32, sampled, adv, U * T3.outer, t0));
}

for (const [expr, a, b, E] of [['sqrt(x)', 0, 1, 1e-4], ['exp(x)', -5, 5, 1e-3],
  ['sin(x)', 0, 2 * Math.PI, 1e-5]] as const) {
  const name = `${expr} on [${fmt(a)}, ${fmt(b)}], approx --dtype float32 --max-error ${E}`;
  if (!wanted(name)) continue;
  const t0 = now();
  const e = parseFormula(expr).expr;
  const fx = accurateFunction(e, ['x']);
  let r = approximate({ expr, domain: [a, b], size: { kind: 'maxError', error: E } });
  let L = float32Layout(r, fx);
  // As `approx --dtype float32` does: sized again for the tolerance less the float32 rounding.
  if (L.certifiedMaxFloat32 > E && L.roundingBoundFloat32 < 0.8 * E) {
    r = approximate({ expr, domain: [a, b], size: { kind: 'maxError', error: E - 1.2 * L.roundingBoundFloat32 } });
    L = float32Layout(r, fx);
  }
  const grid = Float64Array.from({ length: 100_001 }, (_, i) => Math.fround(a + ((b - a) * i) / 100_000));
  const sampled = await onnxMeasured(L.network, grid, (x) => fx(x[0]!));
  const maxF = Math.max(...grid.map((x) => Math.abs(fx(x))));
  const adv = adversaries({ net: L.network, expr: e, box: [[a, b]], n: 20_000 });
  rows.push(row(name, L.network, L.certifiedMaxFloat32, sampled, adv, U * maxF, t0));
}

console.log('# float32 certificates against an adversary: certified (compile/foldround.ts with foldcone.ts, ' +
  'foldbase.ts, float32cert.ts, approx/clampform.ts), onnxruntime-node float32 on 1e5 samples (T3: float64 shell ' +
  'points the runtime rounds, truth at the unrounded point; one variable: a float32 grid), the worst error ' +
  'certify/adversary.ts finds (float32 inputs, knotnet and onnxruntime evaluation orders and the reverse column ' +
  'order, 20000 samples then 32 compass searches, 150000 evaluations at most), the search in any order ' +
  '(certify/anyorder.ts: those three orders and, per row, the order that rounds the worst way, products fused or ' +
  'rounded; the same samples, 200 compass searches and 20000 evaluations of polish within 150000; the larger of ' +
  'that and the any-order error at the first search\'s worst point), and the floor u·max|f|');
console.log(renderTable(['network', 'ReLUs', 'float32 certified', 'ORT sampled', 'adversarial, runtime orders',
  'adversarial, any order', 'floor u·max|f|', 'certified/runtime', 'certified/any', 'certified/floor', 'seconds'],
rows));
