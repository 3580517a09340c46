import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Layout } from '../../src/approx/clampform.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { WorkError } from '../../src/errors.ts';
import { accurateFunction } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { oracleError, oracleValue } from '../support/oracle.ts';
import { propertyRuns } from '../support/runs.ts';

/**
 * The truth is the real-valued formula. Formulas that cancel in float64 (large terms that
 * nearly cancel, shifted squares, sqrt(a + x) − sqrt(a)) next to plain compositions: the
 * error of the built network, measured by the independent 60-digit oracle (test/support/
 * oracle.ts), never exceeds the certified bound — for approx (float64, and the float32 clamp
 * layout evaluated in float32) and compile (float64 and float32). Work that cannot be done
 * (a WorkError) is allowed; a wrong bound is not. `npm test` runs 50 approx and 6 compile
 * cases; KNOTNET_PROPERTY_RUNS=200 (the long run, README "Tests") sets both counts.
 */
const SEED = Number(process.env.KNOTNET_PROPERTY_SEED ?? 1212);

const pow10 = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((k) => 10 ** k);
const scaleOf = (lo: number, hi: number) => fc.tuple(fc.double({ min: 1, max: 9.9, noNaN: true }), pow10(lo,
  hi)).map(([m, p]) => m * p);
const smooth = fc.constantFrom('sin(x)', 'exp(x)', 'x^2', 'tanh(3*x)', 'sqrt(x + 1)', 'abs(x - 0.3)', 'log1p(x^2)');

interface Case { text: string; domain: [number, number] }
const unit: [number, number] = [0, 1];

/** Formulas that lose many digits in float64, and plain ones. */
const formula: fc.Arbitrary<Case> = fc.oneof(
  scaleOf(2, 7).map((c) => ({ text: `(x + ${c})^2 - ${c * c} - ${2 * c}*x`, domain: unit })),
  scaleOf(4, 16).map((a) => ({ text: `sqrt(${a} + x) - sqrt(${a})`, domain: unit })),
  fc.tuple(scaleOf(3, 12), smooth).map(([c, g]) => ({ text: `(${c} + ${g}) - ${c}`, domain: unit })),
  fc.tuple(scaleOf(2, 6), smooth).map(([c, g]) => ({ text: `${c}*x + ${g} - ${c}*x`, domain: unit })),
  fc.tuple(scaleOf(2, 5)).map(([c]) => ({ text: `x^2 - ${2 * c}*x + ${c * c}`, domain: [c - 1, c + 1] as [number,
    number] })),
  fc.tuple(smooth, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true }))
    .map(([g, a, w]) => ({ text: g, domain: [Math.max(a, g.startsWith('sqrt') ? -1 : -Infinity), Math.max(a, -1)
      + w] as [number, number] })),
);

/** Points of the domain to measure at: a grid, the knots and the segment midpoints. */
function points(domain: [number, number], knots: ArrayLike<number>): number[] {
  const [a, b] = domain;
  const xs = Array.from({ length: 65 }, (_, i) => a + ((b - a) * i) / 64);
  for (let i = 0; i < knots.length; i++) {
    xs.push(knots[i]!);
    if (i + 1 < knots.length) xs.push((knots[i]! + knots[i + 1]!) / 2);
  }
  return xs.filter((x) => x >= a && x <= b);
}

/** max over the points of the oracle's |f − y| (y from evaluate in the dtype given). */
function oracleMax(
  text: string, vars: string[], rows: number[][], y: ArrayLike<number>,
): { max: number; at: number[] } {
  const e = parseFormula(text).expr;
  let max = 0;
  let at = rows[0]!;
  rows.forEach((r, i) => { const err = oracleError(e, vars, r, y[i]!); if (!(err <= max)) { max = err; at = r; } });
  return { max, at };
}

function tolerance(text: string, domain: [number, number], rel: number): number {
  const e = parseFormula(text).expr;
  let m = 0;
  for (let i = 0; i <= 16; i++) m = Math.max(m, Math.abs(oracleValue(e, ['x'], [domain[0]
    + ((domain[1] - domain[0]) * i) / 16])));
  return rel * Math.max(m, 1e-3);
}

/** Runs one case; a WorkError (work refused with its reason) is allowed and counted. */
const tally = { built: 0, refused: 0 };
const allowWork = (run: () => void): void => {
  try { run(); tally.built++; } catch (e) { if (!(e instanceof WorkError)) throw e; tally.refused++; }
};

test(`approx (float64 and the float32 layout): oracle-measured error <= certified, for cancelling formulas and ` +
  `random ones (fast-check seed ${SEED})`, (t) => {
  Object.assign(tally, { built: 0, refused: 0 });
  fc.assert(
    fc.property(formula, fc.constantFrom(1e-2, 1e-4, 1e-6), fc.constantFrom('optimal' as const, 'uniform' as const),
      fc.boolean(), (kase, rel, placement, f32) => {
      allowWork(() => {
        const E = tolerance(kase.text, kase.domain, rel);
        const r = approximate({ expr: kase.text, domain: kase.domain, size: { kind: 'maxError', error: E }, placement,
          maxSegments: 5000 });
        const xs = points(kase.domain, r.pwl.x);
        const m = oracleMax(kase.text, ['x'], xs.map((x) => [x]), evaluate(r.network, xs));
        const what = `${kase.text} on [${kase.domain}] at ${E} (${placement})`;
        assert.ok(m.max <= r.certifiedMax, `${what}: oracle error ${m.max} at x = ${m.at} > ` +
          `certified ${r.certifiedMax}`);
        if (f32 && r.segments <= 256) {
          const layout = float32Layout(r, accurateFunction(parseFormula(kase.text).expr, ['x']));
          const m32 = oracleMax(kase.text, ['x'], xs.map((x) => [x]), evaluate(layout.network, xs, 'float32'));
          assert.ok(m32.max <= layout.certifiedMaxFloat32,
            `${what}, float32 layout: oracle error ${m32.max} at x = ${m32.at} > ` +
              `certified ${layout.certifiedMaxFloat32}`);
        }
      });
    }),
    { seed: SEED, numRuns: propertyRuns(50) },
  );
  t.diagnostic(`built ${tally.built}, refused (WorkError) ${tally.refused}`);
  assert.ok(tally.built > tally.refused, 'most cases are built, so the property is not vacuous');
});

/** Two-variable cancelling formulas for compile. */
const formula2: fc.Arbitrary<string> = fc.oneof(
  scaleOf(2, 6).map((c) => `(x + ${c})^2 - ${c * c} - ${2 * c}*x + y`),
  fc.tuple(scaleOf(4, 14)).map(([a]) => `sqrt(${a} + x) - sqrt(${a}) + x*y`),
  fc.tuple(scaleOf(3, 10), smooth).map(([c, g]) => `(${c} + ${g}) - ${c} + max(x, y)`),
  fc.tuple(smooth).map(([g]) => `${g} + sqrt(x^2 + y^2)`),
);

test(`compile (float64 and float32): oracle-measured error <= certified on the box, for cancelling formulas and ` +
  `random ones (fast-check seed ${SEED})`, (t) => {
  Object.assign(tally, { built: 0, refused: 0 });
  fc.assert(
    fc.property(formula2, fc.constantFrom(1e-1, 1e-3), fc.constantFrom('float64' as const, 'float32' as const), (text,
      E, dtype) => {
      allowWork(() => {
        const r = compileFormula({ expr: text, vars: { x: [0, 1], y: [-1, 1] }, maxError: E, dtype,
          measureCount: 2000 });
        const rows: number[][] = [];
        for (let i = 0; i <= 12; i++) for (let j = 0; j <= 12; j++) rows.push([i / 12, -1 + j / 6]);
        const y = evaluate(r.network, Float64Array.from(rows.flat()), dtype);
        const bound = dtype === 'float32' ? r.certifiedMaxFloat32 : r.certifiedMax;
        const m = oracleMax(text, ['x', 'y'], rows, y);
        assert.ok(m.max <= bound, `${text} at ${E} (${dtype}): oracle error ${m.max} at ${m.at} > certified ${bound}`);
      });
    }),
    { seed: SEED, numRuns: propertyRuns(6) },
  );
  t.diagnostic(`built ${tally.built}, refused (WorkError) ${tally.refused}`);
});
