import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileFormula } from '../../src/compile/compile.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson, networkToJson } from '../../src/net/json.ts';
import { networkSummary } from '../../src/net/network.ts';
import { InputError } from '../../src/errors.ts';
import { plainLoop } from '../support/plainLoop.ts';
import { propertyRuns } from '../support/runs.ts';
import { t3Auto, t3ShallowSquares, t3Squares } from '../support/t3.ts';

const R = 2.4e7;
const T3 = {
  expr: 'sqrt(dx^2+dy^2+dz^2)',
  vars: { dx: [-R, R], dy: [-R, R], dz: [-R, R] } as Record<string, [number, number]>,
  ranges: { 'dx^2+dy^2+dz^2': [4.41e14, 5.76e14] } as Record<string, [number, number]>,
};

/**
 * T3 at max error 1, built once per process (test/support/t3.ts): test/compile/norm.test.ts builds
 * the same requests, and the float32 tests below reuse the networks of the first ones.
 */
const t3AtOne = { auto: t3Auto, never: t3ShallowSquares } as const;

describe('compileFormula on T3 (the original question)', () => {
  const shell = sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n: 100_000, seed: 2026 });

  it('shallow-only squares: certified <= 1 with fewer than 7,778 ReLUs (the equidistributed placement\'s count), '
      + 'measured on 2e4 fresh shell samples <= certified', () => {
    const r = t3ShallowSquares(); // measured on the first 2e4 points of `shell`
    const s = networkSummary(r.network);
    assert.ok(r.certifiedMax <= 1, `certified ${r.certifiedMax}`);
    assert.ok(s.relus < 7778, `relus ${s.relus}`);
    assert.ok(r.nodes.every((n) => n.construction !== 'deep' && n.construction !== 'fold'));
    assert.equal(r.measuredSamples, 20_000);
    assert.equal(r.outsideRegion, 0);
    assert.ok(r.measuredMax <= r.certifiedMax, `measured ${r.measuredMax} > certified ${r.certifiedMax}`);
  });

  it('automatic deep squares: certified <= 1 with fewer than 299 ReLUs (the equidistributed placement\'s count), '
      + 'measured <= certified', () => {
    const r = t3Squares(); // measured on `shell`
    const s = networkSummary(r.network);
    assert.ok(r.certifiedMax <= 1, `certified ${r.certifiedMax}`);
    assert.ok(s.relus < 299, `relus ${s.relus}`);
    assert.ok(r.nodes.some((n) => n.construction === 'deep'));
    assert.ok(r.measuredMax <= r.certifiedMax, `measured ${r.measuredMax} > certified ${r.certifiedMax}`);
  });

  it('--max-depth is respected: a depth limit below the deep plan falls back to a shallower network', () => {
    const r = compileFormula({ ...T3, maxError: 1, maxDepth: 5, measureCount: 2000 });
    assert.ok(networkSummary(r.network).layers <= 5);
    assert.ok(r.certifiedMax <= 1);
  });

  it('the saved JSON evaluated by a plain loop gives the library outputs exactly', () => {
    const r = t3Auto();
    const json = JSON.parse(JSON.stringify(networkToJson(r.network)));
    const x = shell.subarray(0, 300);
    const lib = evaluate(r.network, x);
    for (let i = 0; i < 100; i++) assert.equal(plainLoop(json.layers, Array.from(x.subarray(3 * i, 3 * i + 3)))[0],
        lib[i]);
    assert.deepEqual(networkFromJson(json).net.layers.length, r.network.layers.length);
  });
});

describe('exact pieces cost no approximation', () => {
  it('abs, max, min, relu and affine maps are exact: certified error is only float64 rounding', () => {
    const r = compileFormula({ expr: 'abs(x) + max(x, y) - min(x, 2*y) + relu(y - x) + 3*x - y/2', vars: { x: [-3, 2],
        y: [-1, 4] }, maxError: 1e-9, measureCount: 5000 });
    assert.equal(r.certifiedConstruction, 0);
    assert.ok(r.certifiedMax < 1e-12);
    assert.ok(r.measuredMax <= r.certifiedMax);
  });

  it('a square of a signed input costs 2 ReLUs for |x| plus the half-range square', () => {
    const r = compileFormula({ expr: 'x^2', vars: { x: [-1, 1] }, maxError: 1e-2, deep: 'never', measureCount: 1000 });
    const sq = r.nodes.find((n) => n.kind === 'square')!;
    assert.deepEqual(sq.builtOn, [0, 1]);
    assert.equal(sq.relus, 2 + sq.segments!);
  });
});

describe('sqrt of a sum of squares that reaches 0 (the distance on a box around the origin)', () => {
  for (const [expr, vars] of [
    ['sqrt(x^2+y^2)', { x: [-1, 1], y: [-1, 1] }],
    ['sqrt(x^2)', { x: [-3, 2] }],
    ['sqrt(dx^2+dy^2+dz^2)', { dx: [-2.4e7, 2.4e7], dy: [-2.4e7, 2.4e7], dz: [-2.4e7, 2.4e7] }],
  ] as [string, Record<string, [number, number]>][]) {
    it(`${expr}: compiles (input clamped at 0, sqrt ½-Hölder), measured <= certified, also at the origin`, () => {
      const tol = expr.includes('dx') ? 1e4 : 1e-2;
      const r = compileFormula({ expr, vars, maxError: tol, measureCount: 20000 });
      assert.ok(r.certifiedMax <= tol);
      assert.ok(r.measuredMax <= r.certifiedMax);
      const names = Object.keys(vars);
      const origin = evaluate(r.network, new Float64Array(names.length));
      assert.ok(Math.abs(origin[0]!) <= r.certifiedMax, `at 0: ${origin[0]} > ${r.certifiedMax}`);
    });
  }
});

describe('one approximated node fed by an exact input', () => {
  it('sqrt(x) on [0,1]: no upstream error, so the infinite slope at 0 adds nothing', () => {
    const r = compileFormula({ expr: 'sqrt(x)', vars: { x: [0, 1] }, maxError: 1e-3, measureCount: 20000 });
    assert.ok(r.certifiedMax <= 1e-3);
    assert.ok(r.measuredMax <= r.certifiedMax);
    const node = r.nodes.find((n) => n.kind === 'unary')!;
    assert.ok(node.certified! <= node.budget!);
  });
});

describe('deep squaring', () => {
  it('x^2 on [0,1] with m = 1..20 levels: measured max error equals 2^(-2m-2) (rel. 1e-9) on a grid holding the '
      + 'peaks', () => {
    for (let m = 1; m <= 20; m++) {
      const r = compileFormula({ expr: 'x^2', vars: { x: [0, 1] }, maxError: 1, deep: 'always', deepLevels: m,
          measureCount: 10 });
      const N = 2 ** (m + 1); // peaks at odd multiples of 2^-(m+1)
      const xs = Float64Array.from({ length: N + 1 }, (_, i) => i / N);
      const y = evaluate(r.network, xs);
      let max = 0;
      xs.forEach((x, i) => { max = Math.max(max, Math.abs(x * x - y[i]!)); });
      const exact = 2 ** (-2 * m - 2);
      assert.ok(Math.abs(max - exact) / exact < 1e-9, `m=${m}: measured ${max}, exact ${exact}`);
      assert.ok(r.certifiedMax >= max);
      assert.equal(networkSummary(r.network).layers, m);
    }
  });
});

describe('input errors name the option (the library\'s field, not the CLI flag) and the bad value', () => {
  const cases: [Partial<Parameters<typeof compileFormula>[0]>, RegExp][] = [
    [{ expr: 'x*y', vars: { x: [0, 1] } }, /^vars.*missing y/],
    [{ expr: 'x', vars: { x: [0, 1], z: [0, 1] } }, /^vars.*"z"/],
    [{ expr: 'sqrt(x)', vars: { x: [-1, 1] } }, /expression.*defined on the range.*-1/],
    [{ expr: 'sqrt(x)', vars: { x: [0, 1] }, ranges: { x: [2, 3] } }, /^ranges x.*overlap.*2:3/],
    [{ expr: 'x', vars: { x: [1, 0] } }, /^vars x.*1:0/],
    [{ expr: 'x', vars: { x: [0, 1] }, maxError: -1 }, /^maxError.*-1/],
  ];
  for (const [o, re] of cases) {
    it(`${JSON.stringify(o)} -> ${re}`, () => {
      assert.throws(() => compileFormula({ maxError: 1, ...o } as Parameters<typeof compileFormula>[0]),
          (e: unknown) => e instanceof InputError && re.test((e as Error).message));
    });
  }
});

describe('property: measured <= certified for random compositions over random boxes', () => {
  const seed = 424242;
  it(`holds (fast-check seed ${seed})`, () => {
    const unary = ['sqrt(u + 2)', 'exp(u/3)', 'tanh(u)', 'sin(u)', 'log1p(u^2)', 'abs(u)', 'u^2', '1/(u + 3)',
        'sigmoid(u)'];
    const arb = fc.record({
      f: fc.constantFrom(...unary), g: fc.constantFrom(...unary),
      op: fc.constantFrom('+', '-', '*', 'max', 'min'),
      a: fc.double({ min: -1.5, max: 0.5, noNaN: true }), w: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
      tol: fc.constantFrom(1e-1, 1e-2, 1e-3), deep: fc.constantFrom('auto', 'never') as fc.Arbitrary<'auto' | 'never'>,
    });
    fc.assert(fc.property(arb, (c) => {
      const fx = c.f.replace(/u/g, '(x)');
      const gy = c.g.replace(/u/g, '(y)');
      const expr = c.op === 'max' || c.op === 'min' ? `${c.op}(${fx}, ${gy})` : `(${fx}) ${c.op} (${gy})`;
      const r = compileFormula({ expr, vars: { x: [c.a, c.a + c.w], y: [c.a - 0.2, c.a + c.w] }, maxError: c.tol,
          deep: c.deep, measureCount: 3000, seed: 9 });
      const f = compileFunction(parseFormula(expr).expr, ['x', 'y']);
      // Independent re-measurement on a grid, through the network.
      const xs: number[] = [];
      for (let i = 0; i <= 40; i++) for (let j = 0; j <= 40; j++) xs.push(c.a + (c.w * i) / 40,
          c.a - 0.2 + ((c.w + 0.2) * j) / 40);
      const y = evaluate(r.network, xs);
      let max = 0;
      for (let k = 0; k < y.length; k++) max = Math.max(max, Math.abs(f(xs[2 * k]!, xs[2 * k + 1]!) - y[k]!));
      return r.certifiedMax <= c.tol && max <= r.certifiedMax && r.measuredMax <= r.certifiedMax;
    }), { seed, numRuns: propertyRuns(30), verbose: true }); // 80 in the long run (KNOTNET_PROPERTY_RUNS=80)
  });

  it(`float32 builds: measured float32 <= certified float32 (fast-check seed ${seed + 1})`, () => {
    const unary = ['sqrt(u + 2)', 'exp(u/3)', 'tanh(u)', 'sin(u)', 'u^2', 'abs(u)', '1/(u + 3)'];
    const arb = fc.record({
      f: fc.constantFrom(...unary), g: fc.constantFrom(...unary),
      op: fc.constantFrom('+', '-', '*', 'max', 'min'),
      a: fc.double({ min: -1.5, max: 0.5, noNaN: true }), w: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
      tol: fc.constantFrom(1e-1, 1e-2, 1e-3),
    });
    fc.assert(fc.property(arb, (c) => {
      const fx = c.f.replace(/u/g, '(x)');
      const gy = c.g.replace(/u/g, '(y)');
      const expr = c.op === 'max' || c.op === 'min' ? `${c.op}(${fx}, ${gy})` : `(${fx}) ${c.op} (${gy})`;
      const r = compileFormula({ expr, vars: { x: [c.a, c.a + c.w], y: [c.a - 0.2, c.a + c.w] }, maxError: c.tol,
          dtype: 'float32', measureCount: 500, seed: 9 });
      const f = compileFunction(parseFormula(expr).expr, ['x', 'y']);
      const xs: number[] = [];
      for (let i = 0; i <= 30; i++) for (let j = 0; j <= 30; j++) xs.push(c.a + (c.w * i) / 30,
          c.a - 0.2 + ((c.w + 0.2) * j) / 30);
      const y = evaluate(r.network, xs, 'float32');
      let max = 0;
      for (let k = 0; k < y.length; k++) max = Math.max(max, Math.abs(f(xs[2 * k]!, xs[2 * k + 1]!) - y[k]!));
      return r.certifiedMaxFloat32 <= c.tol && max <= r.certifiedMaxFloat32;
    }), { seed: seed + 1, numRuns: propertyRuns(15) }); // 40 in the long run
  });
});

describe('float32: the certified float32 bound covers float32 evaluation, in knotnet and in onnxruntime', () => {
  const shell = sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n: 20_000, seed: 77 });
  for (const deep of ['auto', 'never'] as const) {
    it(`T3 (${deep}): max |float32 network − exact distance| <= certifiedMaxFloat32, also through ONNX `
        + `float32`, async () => {
      const r = t3AtOne[deep]();
      // 5,000 points through the 7,083-unit shallow network, 20,000 through the folded one.
      const x = deep === 'never' ? shell.subarray(0, 15_000) : shell;
      const y32 = evaluate(r.network, x, 'float32');
      const { toOnnx } = await import('../../src/export/onnx.ts');
      const { runOnnx } = await import('../../src/runtime/onnx.ts');
      const yOrt = await runOnnx(toOnnx(r.network, { dtype: 'float32', metadata: {} }), x, x.length / 3, 3, 'float32');
      let m32 = 0;
      let mOrt = 0;
      for (let i = 0; i < x.length / 3; i++) {
        const d = Math.hypot(x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!);
        m32 = Math.max(m32, Math.abs(d - y32[i]!));
        mOrt = Math.max(mOrt, Math.abs(d - yOrt[i]!));
      }
      assert.ok(m32 <= r.certifiedMaxFloat32, `float32 measured ${m32} > certified ${r.certifiedMaxFloat32}`);
      assert.ok(mOrt <= r.certifiedMaxFloat32,
          `onnxruntime float32 measured ${mOrt} > certified ${r.certifiedMaxFloat32}`);
      assert.ok(r.certifiedMaxFloat32 >= r.certifiedMax);
    });
  }

  it('deep squares on [0,1] in float32: bound >= measured on a dense grid, for m = 4, 10, 16', () => {
    for (const m of [4, 10, 16]) {
      const r = compileFormula({ expr: 'x^2', vars: { x: [0, 1] }, maxError: 1, deep: 'always', deepLevels: m,
          measureCount: 10 });
      const xs = Float64Array.from({ length: 20001 }, (_, i) => i / 20000);
      const y = evaluate(r.network, xs, 'float32');
      let max = 0;
      xs.forEach((x, i) => { max = Math.max(max, Math.abs(x * x - y[i]!)); });
      assert.ok(max <= r.certifiedMaxFloat32, `m=${m}: float32 measured ${max} > certified ${r.certifiedMaxFloat32}`);
    }
  });
});

describe('float32-targeted compile (--dtype float32): exact sawtooth teeth, small accumulators', () => {
  it('T3 at max error 20: certified float32 bound <= 20 (10 × the float32 spacing 2 at 2.4e7) with at most 120 ReLUs '
      + '(issue 32; 413 as squares), and float32 (knotnet, onnxruntime) measured below it', async () => {
    const shell = sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n: 20_000, seed: 78 });
    const r = compileFormula({ ...T3, maxError: 20, dtype: 'float32', samples: shell });
    assert.ok(r.certifiedMaxFloat32 <= 20, `certified float32 ${r.certifiedMaxFloat32}`);
    const relus = networkSummary(r.network).relus;
    assert.ok(relus <= 120, `${relus} ReLUs`);
    const y32 = evaluate(r.network, shell, 'float32');
    const { toOnnx } = await import('../../src/export/onnx.ts');
    const { runOnnx } = await import('../../src/runtime/onnx.ts');
    const yOrt = await runOnnx(toOnnx(r.network, { dtype: 'float32', metadata: {} }), shell, shell.length / 3, 3,
        'float32');
    for (let i = 0; i < shell.length / 3; i++) {
      const d = Math.hypot(shell[3 * i]!, shell[3 * i + 1]!, shell[3 * i + 2]!);
      assert.ok(Math.abs(d - y32[i]!) <= r.certifiedMaxFloat32);
      assert.ok(Math.abs(d - yOrt[i]!) <= r.certifiedMaxFloat32);
    }
  });

  const seed = 4242;
  it(`property: deep x^2 on random [lo, hi] with m = 1..18 levels keeps float32 measured <= certified (fast-check seed `
      + `${seed})`, () => {
    fc.assert(fc.property(
      fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: 1e-6, max: 2e9, noNaN: true }),
      fc.integer({ min: 1, max: 18 }),
      (lo, width, m) => {
        const hi = lo + width;
        const r = compileFormula({ expr: 'x^2', vars: { x: [lo, hi] }, maxError: 1e30, deep: 'always', deepLevels: m,
            dtype: 'float32', measureCount: 10 });
        // A grid plus float32 neighbours of the tooth breakpoints (where rounding would show).
        const xs: number[] = [];
        for (let i = 0; i <= 2000; i++) xs.push(Math.fround(lo + (width * i) / 2000));
        const top = Math.max(Math.abs(lo), Math.abs(hi));
        for (let k = 1; k < 64; k++) for (const d of [-1, 0, 1]) {
          const v = Math.fround((top * k) / 64) * (1 + d * 2 ** -23);
          if (v >= lo && v <= hi) xs.push(v);
          if (-v >= lo && -v <= hi) xs.push(-v);
        }
        const y = evaluate(r.network, Float64Array.from(xs), 'float32');
        xs.forEach((x, i) => assert.ok(Math.abs(x * x - y[i]!) <= r.certifiedMaxFloat32,
            `x=${x} m=${m}: ${Math.abs(x * x - y[i]!)} > ${r.certifiedMaxFloat32}`));
      },
    ), { seed, numRuns: propertyRuns(25) }); // 60 in the long run
  });
});

describe('sampleShell', () => {
  for (const dims of [1, 3, 300]) {
    it(`points in ${dims} dimensions have norms within [inner, outer]`, () => {
      const x = sampleShell({ dims, inner: 2.1e7, outer: 2.4e7, n: 500, seed: dims });
      for (let i = 0; i < 500; i++) {
        let s = 0;
        for (let d = 0; d < dims; d++) s += x[i * dims + d]! ** 2;
        const r = Math.sqrt(s);
        assert.ok(r >= 2.1e7 * (1 - 1e-12) && r <= 2.4e7 * (1 + 1e-12), `norm ${r}`);
      }
    });
  }
});
