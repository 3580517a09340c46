import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { certifyNetwork } from '../../src/certify/certify.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import type { Network } from '../../src/net/network.ts';

/** Measured max |N − f| on n uniform samples plus the box corners. */
function measured(net: Network, expr: string, box: [number, number][], n: number): number {
  const names = net.inputs;
  const f = compileFunction(parseFormula(expr).expr, names);
  const x = sampleBox(box, n, 3);
  const y = evaluate(net, x);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(y[i]! - f(...Array.from(x.subarray(i * names.length, (i
    + 1) * names.length)))));
  return max;
}

const cases: [string, [number, number][], () => { network: Network; certifiedMax: number }][] = [
  ['sin(x)', [[0, 3]], () => approximate({ expr: 'sin(x)', domain: [0, 3], size: { kind: 'maxError', error: 1e-3 } })],
  ['sqrt(x)', [[0.01, 1]], () => approximate({ expr: 'sqrt(x)', domain: [0.01, 1], size: { kind: 'maxError',
    error: 1e-4 } })],
  ['x*y', [[0, 1], [0, 1]], () => compileFormula({ expr: 'x*y', vars: { x: [0, 1], y: [0, 1] }, maxError: 1e-2 })],
];

for (const [expr, box, build] of cases) {
  test(`certifyNetwork(construction of ${expr}) is ≥ the measured error and within 10% of the construction's ` +
    `certificate`, () => {
    const built = build();
    const r = certifyNetwork({ net: built.network, expr: parseFormula(expr).expr, box, timeSeconds: 60 });
    const m = measured(built.network, expr, box, 200_000);
    assert.ok(r.upper >= m, `proven ${r.upper} < measured ${m}`);
    assert.ok(r.lower <= built.certifiedMax, `found ${r.lower} above the certificate ${built.certifiedMax}`);
    assert.equal(r.stopped, 'gap');
    assert.ok(r.upper <= 1.1 * built.certifiedMax, `proven ${r.upper} > 1.1 × certificate ${built.certifiedMax}`);
  });
}
