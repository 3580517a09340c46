import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Layout } from '../../src/approx/clampform.ts';
import { float32Adversary, ulp32 } from '../../src/certify/adversary.ts';
import { anyOrderRange, EXHAUSTIVE } from '../../src/certify/anyorder.ts';
import { evaluateFloat32Fused, fusedAdd } from '../../src/certify/float32fused.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { InputError } from '../../src/errors.ts';
import { accurateFunction } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { roundingErrorBound } from '../../src/net/rounding.ts';
import { affineRoundingBound } from '../../src/net/roundingaffine.ts';
import { toOnnx } from '../../src/export/onnx.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { T3 } from '../../src/reference.ts';
import { propertyRuns } from '../support/runs.ts';
import { t3Fold32At300 } from '../support/t3.ts';
import { abs, dyadic, exactOutputs, lessEq, sub, toNumber } from '../net/exact.ts';
import { boxAndPoints, smallNetwork } from '../net/networks.ts';

const T3_BOX: [number, number][] = [[-T3.R, T3.R], [-T3.R, T3.R], [-T3.R, T3.R]];
const onShell = (x: Float64Array): boolean => {
  const s = x[0]! ** 2 + x[1]! ** 2 + x[2]! ** 2;
  return s >= T3.normSquaredRange[0] && s <= T3.normSquaredRange[1];
};

function clampSqrt(error: number) {
  const r = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error } });
  return float32Layout(r, accurateFunction(parseFormula('sqrt(x)').expr, ['x']));
}

/** The T3 fold built for float32 at 300, built once per process (test/cli/demo-float32.test.ts reads it too). */
const t3Fold32 = t3Fold32At300;

async function onnxFloat32(net: Network, x: Float64Array): Promise<Float64Array> {
  const nIn = net.inputs.length;
  return runOnnx(toOnnx(net, { dtype: 'float32', metadata: {} }), x, x.length / nIn, nIn, 'float32');
}

describe('float32 evaluation in onnxruntime\'s order (fused multiply-add, bias last)', () => {
  for (const [name, build, points] of [
    ['the clamp form of sqrt on [0, 1]', () => clampSqrt(1e-4).network,
      () => Float64Array.from({ length: 4001 }, (_, i) => i / 4000)],
    ['the T3 fold built for float32', () => t3Fold32().network,
      () => sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 4000, seed: 12 })],
  ] as const) {
    it(`equals onnxruntime-node float32 bit for bit on ${name}`, async (t) => {
      const net = build();
      const x = points();
      const ort = await onnxFloat32(net, x);
      const fused = evaluateFloat32Fused(net, x);
      const differ = fused.findIndex((v, i) => v !== ort[i]);
      assert.equal(differ, -1, `row ${differ}: fused ${fused[differ]} vs onnxruntime ${ort[differ]}`);
      const ours = evaluate(net, x, 'float32');
      const same = ours.reduce((n, v, i) => n + (v === ort[i] ? 1 : 0), 0);
      t.diagnostic(`net/evaluate.ts float32 (products rounded apart) equals onnxruntime on ${same}/${ort.length}`);
    });
  }
});

describe('float32Adversary', () => {
  it('on the clamp form of sqrt: sampled <= adversarial <= float32 certified, at a float32 point of the domain',
    async () => {
    const L = clampSqrt(1e-4);
    const grid = Float64Array.from({ length: 100_001 }, (_, i) => Math.fround(i / 100_000));
    const ort = await onnxFloat32(L.network, grid);
    const sampled = Math.max(...grid.map((x, i) => Math.abs(Math.sqrt(x) - ort[i]!)));
    const a = float32Adversary({ net: L.network, expr: parseFormula('sqrt(x)').expr, box: [[0, 1]], seed: 7 });
    assert.ok(a.worst <= L.certifiedMaxFloat32, `adversarial ${a.worst} > certified ${L.certifiedMaxFloat32}`);
    assert.ok(a.worst >= sampled, `adversarial ${a.worst} < onnxruntime on 1e5 float32 grid points ${sampled}`);
    assert.ok(a.worst >= a.sampledWorst && a.worst >= L.measuredMaxFloat32);
    const x = a.point[0]!;
    assert.ok(Math.fround(x) === x && x >= 0 && x <= 1, `point ${x}`);
  });

  it('on the T3 fold built for float32: onnxruntime on 2e4 shell samples <= adversarial <= float32 certified',
    async () => {
    const c = t3Fold32();
    const shell = sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 20_000, seed: 13 });
    const y = await onnxFloat32(c.network, shell);
    let sampled = 0;
    for (let i = 0; i < y.length; i++) {
      sampled = Math.max(sampled, Math.abs(Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!) - y[i]!));
    }
    const a = float32Adversary({ net: c.network, expr: parseFormula(T3.expr).expr, box: T3_BOX, inside: onShell,
      samples: sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 5000, seed: 14 }), seed: 7 });
    assert.ok(a.worst <= c.certifiedMaxFloat32, `adversarial ${a.worst} > certified ${c.certifiedMaxFloat32}`);
    // hypot's own float64 error (≤ 1 ulp of 2.4e7, 4e-9) is far below the margin.
    assert.ok(a.worst >= sampled - 1e-8, `adversarial ${a.worst} < onnxruntime on 2e4 samples ${sampled}`);
    assert.ok(onShell(a.point) && a.point.every((v) => Math.fround(v) === v));
  });

});

describe('float32Adversary on random clamp forms', () => {
  const seed = 3211;
  it(`property: sampled <= adversarial <= float32 certified for random clamp forms (fast-check seed ${seed})`, () => {
    const exprs = ['sqrt(x)', 'exp(x)', 'sin(3*x)', 'x^2', 'tanh(4*x)'];
    fc.assert(fc.property(fc.constantFrom(...exprs), fc.double({ min: -3, max: 3, noNaN: true }),
      fc.double({ min: 0.1, max: 6, noNaN: true }), fc.integer({ min: 2, max: 60 }), fc.integer({ min: 0, max: 1e6 }),
      (expr, a, w, n, advSeed) => {
        const lo = expr === 'sqrt(x)' ? Math.abs(a) : a;
        const e = parseFormula(expr).expr;
        const r = approximate({ expr, domain: [lo, lo + w], size: { kind: 'knots', segments: n } });
        const L = float32Layout(r, accurateFunction(e, [r.variable]));
        for (const orders of ['runtime', 'any'] as const) {
          const adv = float32Adversary({ net: L.network, expr: e, box: [[lo, lo + w]], n: 500, starts: 4,
            maxEvaluations: 5000, seed: advSeed, orders, polish: orders === 'any' ? 1000 : 0 });
          assert.ok(adv.worst <= L.certifiedMaxFloat32, `${expr} on [${lo}, ${lo + w}], ${n} segments, ` +
            `seed ${advSeed}, ${orders} orders: adversarial ${adv.worst} > certified ${L.certifiedMaxFloat32}`);
          assert.ok(adv.worst >= adv.sampledWorst);
        }
      }), { seed, numRuns: propertyRuns(15) });
  });
});

describe('float32Adversary helpers and refusals', () => {

  it('ulp32 is the float32 spacing: 2^-23 at 1, 2^-24 just below 1, 2 at 2.4e7, 2^-149 at 0', () => {
    assert.deepEqual([ulp32(1), ulp32(Math.fround(1 - 2 ** -24)), ulp32(2.4e7), ulp32(0)],
      [2 ** -23, 2 ** -24, 2, 2 ** -149]);
  });

  it('refuses a wrong box, a budget above its limit and unknown orders, naming the argument', () => {
    const net = clampSqrt(1e-2).network;
    const expr = parseFormula('sqrt(x)').expr;
    assert.throws(() => float32Adversary({ net, expr, box: [[0, 1], [0, 1]], seed: 1 }),
      (e: unknown) => e instanceof InputError && /box/.test(e.message) && /1\)/.test(e.message));
    assert.throws(() => float32Adversary({ net, expr, box: [[1, 0]], seed: 1 }),
      (e: unknown) => e instanceof InputError && /box\[0\]/.test(e.message) && /\[1, 0\]/.test(e.message));
    assert.throws(() => float32Adversary({ net, expr, box: [[0, 1]], maxEvaluations: 1e9, seed: 1 }),
      (e: unknown) => e instanceof InputError && /maxEvaluations/.test(e.message) && /1000000000/.test(e.message));
    assert.throws(() => float32Adversary({ net, expr, box: [[0, 1]], orders: 'fastest' as 'any', seed: 1 }),
      (e: unknown) => e instanceof InputError && /orders/.test(e.message) && /fastest/.test(e.message));
  });
});

/** Every float32 sum of the terms in every order (each step one correctly rounded addition). */
function allOrderSums(terms: number[]): Set<number> {
  const out = new Set<number>();
  const visit = (sum: number, rest: number[]): void => {
    if (!rest.length) { out.add(sum); return; }
    rest.forEach((t, i) => visit(fusedAdd(sum, t), rest.filter((_, j) => j !== i)));
  };
  visit(0, terms);
  return out;
}

describe('anyOrderRange: float32 evaluations in steered summation orders', () => {
  const seed = 3219;
  // float32 values with full 24-bit significands over a range of binades (sums that round in most orders), or 0
  const f32 = (lowest: number, highest: number) => fc.oneof(
    fc.tuple(fc.integer({ min: -(2 ** 24) + 1, max: 2 ** 24 - 1 }), fc.integer({ min: lowest, max: highest }))
      .map(([m, e]) => m * 2 ** (e - 24)), fc.constant(0));
  const oneRow = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.array(f32(-3, 2), { minLength: n,
    maxLength: n }), fc.array(f32(0, 14), { minLength: n, maxLength: n }), f32(0, 14)));

  it(`property: on one row both ends are sums of some order (fused or rounded products), the extreme ones up to ` +
    `${EXHAUSTIVE} terms (fast-check seed ${seed})`, () => {
    fc.assert(fc.property(oneRow, ([w, x, b]) => {
      const net: Network = { inputs: x.map((_, i) => `x${i}`), outputs: ['y'],
        layers: [denseLayer('linear', x.length, 1, w, [b])] };
      const products = w.map((wi, i) => wi * x[i]!).filter((_, i) => w[i] !== 0);
      const bias = b !== 0 ? [b] : [];
      const sums = [...allOrderSums([...products, ...bias]), ...allOrderSums([...products.map(Math.fround), ...bias])];
      const [lo, hi] = anyOrderRange(net)(Float64Array.from(x));
      assert.ok(sums.includes(lo) && sums.includes(hi), `[${lo}, ${hi}] not sums of [${products}] + ${b}`);
      if (products.length + bias.length <= EXHAUSTIVE) {
        assert.deepEqual([lo, hi], [Math.min(...sums), Math.max(...sums)]);
      }
    }), { seed, numRuns: propertyRuns(200) });
  });

});

describe('float32 rounding certificates cover every steered order', () => {
  const seed = 3219;
  it(`property: roundingErrorBound(net, box, float32) >= |any-order float32 - exact net(x)| on random small nets ` +
    `(fast-check seed ${seed})`, () => {
    const netWithBox = smallNetwork().chain((net) => boxAndPoints(net.inputs.length).map((b) => ({ net, ...b })));
    fc.assert(fc.property(netWithBox, ({ net, lo, hi, points }) => {
      const bound = dyadic(roundingErrorBound(net, lo, hi, 'float32')[0]!);
      const range = anyOrderRange(net);
      for (const x of points) {
        const exact = exactOutputs(net, x)[0]!;
        for (const y of range(Float64Array.from(x))) {
          const err = abs(sub(dyadic(y), exact));
          assert.ok(lessEq(err, bound), `at [${x}]: |${y} - exact ${toNumber(exact)}| = ${toNumber(err)} > bound ` +
            `${toNumber(bound)}`);
        }
      }
    }), { seed, numRuns: propertyRuns(300) });
  });

  it(`property: affineRoundingBound(net, box, float32) >= |any-order float32 - exact net(x)| on random small nets ` +
    `(fast-check seed ${seed})`, () => {
    const netWithBox = smallNetwork().chain((net) => boxAndPoints(net.inputs.length).map((b) => ({ net, ...b })));
    fc.assert(fc.property(netWithBox, ({ net, lo, hi, points }) => {
      const bound = affineRoundingBound(net, lo, hi, 'float32');
      const range = anyOrderRange(net);
      for (const x of points) {
        const exact = exactOutputs(net, x)[0]!;
        for (const y of range(Float64Array.from(x))) {
          const err = abs(sub(dyadic(y), exact));
          assert.ok(lessEq(err, dyadic(bound)), `at [${x}]: |${y} - exact ${toNumber(exact)}| = ${toNumber(err)} > ` +
            `bound ${bound}`);
        }
      }
    }), { seed, numRuns: propertyRuns(300) });
  });

  it('on the T3 fold built for float32: the any-order adversary finds at least the runtime orders\' and stays ' +
    'within the certificate', () => {
    const c = t3Fold32();
    const common = { net: c.network, expr: parseFormula(T3.expr).expr, box: T3_BOX, inside: onShell,
      samples: sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n: 2000, seed: 15 }), starts: 4,
      maxEvaluations: 4000, seed: 9 };
    const runtime = float32Adversary(common);
    const any = float32Adversary({ ...common, samples: Float64Array.from([...common.samples, ...runtime.point]),
      orders: 'any', polish: 500 });
    assert.ok(any.worst >= runtime.worst, `any order ${any.worst} < runtime orders ${runtime.worst}`);
    assert.ok(any.worst <= c.certifiedMaxFloat32, `any order ${any.worst} > certified ${c.certifiedMaxFloat32}`);
  });
});
