import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { certifyNetwork } from '../../src/certify/certify.ts';
import { cornerBound, cornerValues, tangentPoint } from '../../src/certify/convex-bound.ts';
import { curvature } from '../../src/certify/convexity.ts';
import { FormulaEnclosure } from '../../src/certify/formula.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { exactMaxError } from './oracle.ts';

const SEED = 20261131;
const parse = (t: string) => parseFormula(t).expr;

test('curvature follows the composition rules of disciplined convex programming', () => {
  const cases: [string, string][] = [
    ['sqrt(dx^2+dy^2+dz^2)', 'convex'], ['sqrt((x-1)^2 + 2*(x+y)^2 + 3)', 'convex'], ['abs(x - 2*y)', 'convex'],
    ['max(x, y) + 2*abs(x)', 'convex'], ['exp(max(x, -y))', 'convex'], ['relu(x^2 - 1)', 'convex'], ['-sqrt(x^2+y^2)',
      'concave'],
    ['sqrt(x)', 'concave'], ['log(min(x, 1 - y))', 'concave'], ['3*x - 2*y + 1', 'affine'], ['x*y', 'unknown'],
    ['x^2 - y^2', 'unknown'], ['abs(x^2 - 1)', 'unknown'], ['sqrt(x^2 - y^2)', 'unknown'], ['x^3', 'unknown'],
      ['sin(x)', 'unknown'],
    ['max(x, y)^2', 'unknown'], ['sqrt(exp(x))', 'unknown'], ['-abs(x)/2', 'concave'], ['(x + y)^4', 'convex'],
  ];
  for (const [text, want] of cases) assert.equal(curvature(parse(text)), want, text);
});

/**
 * Random convex formulas of two variables: norms of affine forms, |affine|, max of affine, exp of
 * those; negated for concave.
 */
const convexFormula = fc.tuple(fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 9, maxLength: 9 }),
  fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([c, kind, neg]) => {
  const aff = (i: number) => `(${c[i]! / 2}*x + ${c[i + 1]! / 2}*y + ${c[i + 2]! / 2})`;
  const body = [`sqrt(${aff(0)}^2 + ${aff(3)}^2 + ${Math.abs(c[6]!)})`, `abs(${aff(0)}) + ${aff(3)}`,
    `max(${aff(0)}, ${aff(3)}, ${aff(6)})`, `exp(max(${aff(0)}, ${aff(3)})/4)`][kind]!;
  return neg ? `-(${body})` : body;
});

test('tangent planes and corner maxima of convex or concave formulas hold at sampled points of the box', () => {
  console.log(`fast-check seed ${SEED}`);
  fc.assert(
    fc.property(convexFormula, fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }), (text, b, t, a) => {
      const enc = new FormulaEnclosure(parse(text), ['x', 'y']);
      const s = enc.curvature === 'convex' ? 1 : -1;
      assert.ok(enc.curvature === 'convex' || enc.curvature === 'concave', text);
      const lo = [Math.min(b[0]!, b[1]!), Math.min(b[2]!, b[3]!)], hi = [Math.max(b[0]!, b[1]!), Math.max(b[2]!,
        b[3]!)];
      const f = compileFunction(parse(text), ['x', 'y']);
      // A linear form a·x + c (no slack) as the network's bound.
      const form = { coef: Float64Array.of(a[0]!, a[1]!), c: Float64Array.of(a[2]!), eps: Float64Array.of(0), rows: 1 };
      const x0 = tangentPoint(form.coef, enc.value, s, lo, hi).x0;
      const line = enc.tangent(x0, lo, hi);
      const corner = cornerBound(form, cornerValues(enc, s, lo, hi), lo, hi);
      for (let k = 0; k <= 20; k++) {
        const x = [lo[0]! + (hi[0]! - lo[0]!) * ((k * 0.37 + t[0]!) % 1), lo[1]! + (hi[1]! - lo[1]!) * ((k * 0.61
          + t[1]!) % 1)];
        const fx = f(x[0]!, x[1]!);
        const lx = a[0]! * x[0]! + a[1]! * x[1]! + a[2]!;
        assert.ok(lx + s * fx <= corner + 1e-12 * (1 + Math.abs(corner)), `${text}: corner bound ${corner} < ${lx
          + s * fx} at ${x}`);
        if (line) {
          const tan = (s === 1 ? line.fmLo : line.fmHi) + line.slope[0]! * (x[0]! - line.m[0]!)
            + line.slope[1]! * (x[1]! - line.m[1]!);
          assert.ok(s * (fx - tan) >= -line.slack - 1e-12 * (1 + Math.abs(fx)),
            `${text}: tangent at ${x0} crosses f at ${x}`);
        }
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});

/** Random ReLU networks with 2 inputs, one or two hidden layers, ≤ 24 ReLUs. */
const network = fc.tuple(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1,
  maxLength: 2 })).chain(([widths]) => {
  const sizes = [2, ...widths, 1];
  const w = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
  return fc.tuple(...sizes.slice(1).map((out, i) => fc.tuple(fc.array(w, { minLength: out * sizes[i]!,
    maxLength: out * sizes[i]! }), fc.array(w, { minLength: out, maxLength: out }))))
    .map((ls): Network => ({ inputs: ['x', 'y'], outputs: ['z'], layers: ls.map(([ws, bs],
      i) => denseLayer(i === ls.length - 1 ? 'linear' : 'relu', sizes[i]!, sizes[i + 1]!, ws, bs)) }));
});

test('certifyNetwork against a convex or concave piecewise-affine formula is ≥ the exact max (regions enumerated)',
  () => {
  console.log(`fast-check seed ${SEED + 1}`);
  fc.assert(
    fc.property(network, fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 6, maxLength: 6 }), fc.boolean(), (net,
      c, neg) => {
      const [p, q] = [[c[0]! / 2, c[1]! / 2, c[2]! / 2], [c[3]! / 2, c[4]! / 2, c[5]! / 2]];
      const s = neg ? -1 : 1;
      const text = `${neg ? '-' : ''}max(${p[0]}*x + ${p[1]}*y + ${p[2]}, ${q[0]}*x + ${q[1]}*y + ${q[2]})`;
      const f = (x: number[]) => s * Math.max(p[0]! * x[0]! + p[1]! * x[1]! + p[2]!, q[0]! * x[0]! + q[1]! * x[1]!
        + q[2]!);
      assert.notEqual(curvature(parse(text)), 'unknown');
      // The kink: (p − q)·x = q2 − p2.
      const kink = { a: [p[0]! - q[0]!, p[1]! - q[1]!], b: q[2]! - p[2]! };
      const lo = [-1, -1.5], hi = [1, 1.25];
      const oracle = exactMaxError(net, f, lo, hi, kink.a.some((v) => v !== 0) ? [kink] : []);
      const r = certifyNetwork({ net, expr: parse(text), box: [[lo[0]!, hi[0]!], [lo[1]!, hi[1]!]], gap: 0.05,
        timeSeconds: 5 });
      assert.ok(r.upper >= oracle.max, `proven ${r.upper} < exact max ${oracle.max} at ${oracle.at} for ${text}`);
      assert.ok(r.lower <= oracle.max + 1e-9 * (1 + oracle.max),
        `found ${r.lower} > exact max ${oracle.max} for ${text}`);
    }),
    { seed: SEED + 1, numRuns: 40 },
  );
});
