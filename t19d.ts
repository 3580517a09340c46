import { compileFormula } from './src/compile/compile.ts';
import { sampleShell } from './src/compile/sample.ts';
import { networkSummary } from './src/net/network.ts';
const R = 2.4e7;
for (const d of [300]) {
  const vars: Record<string, [number, number]> = {};
  const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);
  for (const v of names) vars[v] = [-R, R];
  const sum = names.map((v) => `${v}^2`).join('+');
  const t0 = performance.now();
  const c = compileFormula({ expr: `sqrt(${sum})`, vars, ranges: { [sum]: [4.41e14, 5.76e14] }, maxError: 1, norm: 'fold', samples: sampleShell({ dims: d, inner: 2.1e7, outer: 2.4e7, n: 2000, seed: 5 }) });
  const s = networkSummary(c.network);
  console.log(d, s.relus, s.layers, s.params, c.certifiedMax, c.certifiedConstruction, c.roundingBound, c.measuredMax, 'f32', c.certifiedMaxFloat32, ((performance.now() - t0) / 1000).toFixed(2));
}
