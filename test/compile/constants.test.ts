/**
 * Constant subexpressions (sqrt(2), 2*pi, 1000^2, log(10)) are folded to doubles before the
 * graph is built (compile/constants.ts): exactly when float64 computes them with no rounding,
 * else to an accurate value whose proven effect on the output is charged to the certificate.
 * The truth is the real formula (sqrt(2) the real number), evaluated with a proven radius.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFormula } from '../../src/compile/compile.ts';
import { constantCharge, exactValue, foldConstants } from '../../src/compile/constants.ts';
import { sampleBox } from '../../src/compile/sample.ts';
import { accurateEvaluator } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { InputError } from '../../src/errors.ts';
import { evaluate } from '../../src/net/evaluate.ts';

type Box = Record<string, [number, number]>;
const expr = (text: string) => parseFormula(text).expr;

const CASES: [string, Box, number][] = [
  ['x/sqrt(2)', { x: [0.1, 2] }, 1e-3],
  ['sqrt(4)*x', { x: [0.1, 2] }, 1e-3],
  ['x*log(10)', { x: [0.1, 2] }, 1e-3],
  ['x*exp(1)+y', { x: [0, 1], y: [0, 1] }, 1e-3],
  ['1/sqrt(1-v^2/1000^2)', { v: [0, 900] }, 1e-3],
  ['0.5*(1+erf(x/sqrt(2)))', { x: [-4, 4] }, 1e-4],
  ['exp(-x^2/2)/sqrt(2*pi)', { x: [-4, 4] }, 1e-4],
  // Constants that only appear as graph nodes (after cancellation or rewriting): folded there (graph.ts, foldAt).
  ['sin(x - x + 1) + x', { x: [0, 1] }, 1e-3],
  ['exp(x - (x - 1)) + x', { x: [-2, 2] }, 1e-3],
  ['exp(x)/exp(x-1)', { x: [-2, 2] }, 1e-3],
  ['exp(x)^2/exp(2*x-1)', { x: [-2, 2] }, 1e-3],
  ['log(2*x*y)', { x: [0.5, 2], y: [1, 2] }, 1e-3],
  ['(x - x + 3)^2*y + exp(y - y)', { x: [0, 1], y: [0, 1] }, 1e-3],
];

/** max |N(x) − f(x)| less the truth's proven radius over the box's corners and samples: a proven lower bound. */
function errorAgainstTruth(text: string, box: Box, net: Parameters<typeof evaluate>[0]): number {
  const names = Object.keys(box);
  const ranges = names.map((v) => box[v]!);
  const corners = ranges.length === 1 ? ranges[0]! : [ranges[0]![0], ranges[1]![0], ranges[0]![1], ranges[1]![1]];
  const x = Float64Array.from([...corners, ...sampleBox(ranges, 3000, 7)]);
  const y = evaluate(net, x);
  const truth = accurateEvaluator(expr(text), names);
  const out = new Float64Array(1);
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const t = truth(x.subarray(i * names.length, (i + 1) * names.length), out);
    worst = Math.max(worst, Math.abs(y[i]! - t) - out[0]!);
  }
  return worst;
}

for (const [text, box, maxError] of CASES) {
  test(`${text} builds, certified within --max-error ${maxError} and >= the error against the real formula`, () => {
    const r = compileFormula({ expr: text, vars: box, maxError, measureCount: 2000, seed: 3 });
    assert.ok(r.certifiedMax <= maxError, `certified ${r.certifiedMax}`);
    const measured = errorAgainstTruth(text, box, r.network);
    assert.ok(measured <= r.certifiedMax, `measured ${measured} > certified ${r.certifiedMax}`);
  });
}

test('sqrt(4)*x is folded exactly: its certificate is that of 2*x, and charges nothing', () => {
  const vars: Box = { x: [0.1, 2] };
  const folded = compileFormula({ expr: 'sqrt(4)*x', vars, maxError: 1e-3 });
  const plain = compileFormula({ expr: '2*x', vars, maxError: 1e-3 });
  assert.equal(folded.certifiedMax, plain.certifiedMax);
  assert.equal(folded.certifiedMaxFloat32, plain.certifiedMaxFloat32);
  assert.equal(constantCharge(expr('sqrt(4)*x'), vars), 0);
});

test('exactValue proves exact float64 values and refuses rounded ones', () => {
  const cases: [string, number | null][] = [
    ['sqrt(4)', 2], ['1000^2', 1e6], ['2*pi', 2 * Math.PI], ['1/4', 0.25], ['-(3-5)^3', 8], ['2^-3', 0.125],
    ['sqrt(2)', null], ['1/3', null], ['0.1+0.2', null], ['exp(1)', null], ['10^30', null], ['pi/3', null],
  ];
  for (const [text, want] of cases) assert.equal(exactValue(expr(text)), want, text);
});

test('foldConstants folds maximal constant subexpressions only, and leaves literals and variables', () => {
  const inexact: { text: string }[] = [];
  const folded = foldConstants(expr('x*sqrt(2) + 1000^2*y - 3'), inexact as never);
  assert.deepEqual(folded, expr(`x*${Math.SQRT2} + 1000000*y - 3`));
  assert.deepEqual(inexact.map((c) => c.text), ['sqrt(2)']);
});

test('the charge of x·sqrt(2) on [0, 2] is at least 2·|sqrt(2) − fl(sqrt(2))| (9.667e-17 each) and small', () => {
  const charge = constantCharge(expr('x*sqrt(2)'), { x: [0, 2] });
  assert.ok(charge >= 2 * 9.667e-17 && charge <= 1e-14, String(charge));
  // With a kink: |x|·sqrt(2) over x in [-2, 2], both branches bounded by the same slope.
  const kinked = constantCharge(expr('abs(x)*sqrt(2)'), { x: [-2, 2] });
  assert.ok(kinked >= 2 * 9.667e-17 && kinked <= 1e-14, String(kinked));
});

test('several outputs: each certificate includes its constants\' charge and bounds its error against the truth', () => {
  const vars: Box = { x: [-1, 1] };
  const r = compileFormula({ expr: '', vars, maxError: 1e-3, seed: 1, measureCount: 2000,
    outputs: [{ name: 'a', expr: 'x/sqrt(3)' }, { name: 'b', expr: 'x^2*log(2)' }] });
  const names = ['a', 'b'];
  const x = Float64Array.from(sampleBox([vars.x!], 2000, 5));
  const y = evaluate(r.network, x);
  for (const [k, name] of names.entries()) {
    const out = r.outputs![k]!;
    assert.ok(out.certifiedMax <= 1e-3 && out.maxError === 1e-3, JSON.stringify(out));
    const truth = accurateEvaluator(expr(out.expr), ['x']);
    const rad = new Float64Array(1);
    for (let i = 0; i < x.length; i++) {
      const err = Math.abs(y[2 * i + k]! - truth([x[i]!], rad)) - rad[0]!;
      assert.ok(err <= out.certifiedMax, `${name} at ${x[i]}: ${err} > ${out.certifiedMax}`);
    }
  }
});

test('a constant that is not a finite real, or whose rounding has an unbounded effect, is refused naming it', () => {
  const refuse = (text: string, vars: Box, named: RegExp) => assert.throws(
    () => compileFormula({ expr: text, vars, maxError: 1e-3 }),
    (e: unknown) => e instanceof InputError && named.test(e.message));
  refuse('x + sqrt(-1)', { x: [0, 1] }, /sqrt\(-1\)/);
  refuse('x + log(0)', { x: [0, 1] }, /log\(0\)/);
  refuse('sqrt(x*sqrt(2))', { x: [0, 1] }, /sqrt\(2\)/);
});
