/**
 * Functions of a limited domain whose argument's approximation may overshoot it: asin and acos
 * of x·y on [−1, 1]² (the exact range is [−1, 1]; the computed one is wider by its error). The
 * input is clamped to the exact range (exact ReLU identities, 1-Lipschitz) and the error is
 * carried by the modulus of continuity acos(1 − d) where the slope is infinite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFormula } from '../../src/compile/compile.ts';
import { holderError } from '../../src/compile/piece.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';

const BOX: Record<string, [number, number]> = { x: [-1, 1], y: [-1, 1] };

/** Plain-JS references: Math.asin/acos are within a few ulps (accurate balls are unbounded at ±1). */
const CASES: [string, (x: number, y: number) => number][] = [
  ['asin(x*y)', (x, y) => Math.asin(x * y)],
  ['acos(x*y)', (x, y) => Math.acos(x * y)],
  ['2*asin(x*y) + acos(0.5*(x+y))', (x, y) => 2 * Math.asin(x * y) + Math.acos(0.5 * (x + y))],
];

for (const [expr, truth] of CASES) {
  test(`${expr} on [-1, 1]²: built with its input clamped to [-1, 1], certificate <= 1e-2 and >= the error against ` +
    'the true values on fresh samples (the corners, where x·y = ±1, included)', () => {
    const r = compileFormula({ expr, vars: BOX, maxError: 1e-2, measureCount: 5000, seed: 2 });
    assert.ok(r.certifiedMax <= 1e-2, `certified ${r.certifiedMax}`);
    const arc = r.nodes.filter((n) => /^a(sin|cos)\(x \* y\)$/.test(n.text));
    assert.ok(arc.length === 1 && arc[0]!.builtOn![0] === -1 && arc[0]!.builtOn![1] === 1,
      JSON.stringify(arc.map((n) => n.builtOn)));
    const corners = [-1, -1, -1, 1, 1, -1, 1, 1];
    const x = Float64Array.from([...corners, ...sampleBox([BOX.x!, BOX.y!], 20_000, 41)]);
    const y = evaluate(r.network, x);
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      worst = Math.max(worst, Math.abs(y[i]! - truth(x[2 * i]!, x[2 * i + 1]!)) - 1e-14);
    }
    assert.ok(worst <= r.certifiedMax, `measured ${worst} > certified ${r.certifiedMax}`);
  });
}

test('the modulus of asin and acos, acos(1 − d), bounds |asin(u) − asin(v)| for |u − v| <= d at the ends and inside',
  () => {
    const asin = parseFormula('asin(u)').expr;
    for (const d of [1e-12, 1e-6, 1e-3, 0.1, 1, 2]) {
      const bound = holderError(asin, d)!;
      for (const u of [-1, -0.99, -0.5, 0, 0.7, 1 - d]) {
        const v = Math.min(1, u + d);
        // Math.asin near ±1 turns the input's last-bit rounding into about 1e-13 (the slack).
        assert.ok(Math.abs(Math.asin(v) - Math.asin(u)) <= holderError(asin, v - u)! + 1e-12, `d ${d}, u ${u}`);
      }
      // At the end the bound is attained (within rounding): it is the modulus, not a loose bound.
      assert.ok(bound <= (Math.PI / 2 - Math.asin(1 - d)) * (1 + 1e-6) + 1e-15 || d < 1e-6);
    }
  });
