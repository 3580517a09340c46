/**
 * The MILP export (src/export/milp.ts) solved by HiGHS (the `highs` package: HiGHS compiled to
 * WebAssembly): with the inputs fixed by their bounds the solver's output is the network's
 * value; optimizing over the region, the solver's optimum is within the certified error of the
 * formula's true optimum (found by dense search with the accurate evaluator, or known in
 * closed form).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import highsModule, { type Highs } from 'highs';
import { approximate } from '../../src/approx/approximate.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { InputError } from '../../src/errors.ts';
import { accurateFunction, accurateValue1 } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { exactAffineSign } from '../../src/export/milp-exact.ts';
import { buildMilp, toMilp } from '../../src/export/milp.ts';
import { lpNumber } from '../../src/export/milp-text.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { denseLayer, type Network } from '../../src/net/network.ts';
import { runCli } from '../support/cli.ts';
import { randomNetwork } from './networks.ts';

// The package's types are its CommonJS form; Node's import gives its ES module, whose default is the loader.
const loadHighs = highsModule as unknown as typeof highsModule.default;
let highs: Highs;
before(async () => { highs = await loadHighs(); });

/** Tight tolerances, so the solver's answer is the model's to about 1e-9. */
const EXACT = { output_flag: false, mip_rel_gap: 1e-9, mip_abs_gap: 1e-12, mip_feasibility_tolerance: 1e-9,
  primal_feasibility_tolerance: 1e-9, dual_feasibility_tolerance: 1e-9 };

/** Solves `lp`; returns the objective and each column's value. */
function solve(lp: string): { objective: number; value: (name: string) => number } {
  const r = highs.solve(lp, EXACT);
  assert.equal(r.Status, 'Optimal', `HiGHS: ${r.Status}`);
  return { objective: r.ObjectiveValue, value: (name) => r.Columns[name]!.Primal };
}

/** The LP with each input fixed to a value: its bound line `a <= x <= b` replaced by `x = v`. */
function fixInputs(lp: string, names: string[], x: ArrayLike<number>): string {
  return names.reduce((text, name, i) => {
    const line = new RegExp(`^ \\S+ <= ${name.replace('.', '\\.')} <= \\S+$`, 'm');
    assert.match(text, line);
    return text.replace(line, ` ${name} = ${lpNumber(x[i]!)}`);
  }, lp);
}

describe('with the inputs fixed, HiGHS computes the network', () => {
  test('for random networks and points, the output variable equals evaluate(net) within 1e-6 relative ' +
    '(fast-check, seed 33001)', () => {
    const arb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      widths: fc.array(fc.integer({ min: 2, max: 8 }), { minLength: 1, maxLength: 3 }) });
    fc.assert(fc.property(arb, ({ seed, widths }) => {
      const net = randomNetwork(seed, [2, ...widths, 1]);
      const box: Record<string, [number, number]> = { x0: [-1, 1], x1: [-2, 0.5] };
      const milp = buildMilp(net, { box });
      assert.ok(milp.stats.binaries > 0 || milp.stats.relus === milp.stats.active + milp.stats.inactive);
      for (let p = 0; p < 4; p++) {
        const x = [Math.sin(seed + p) * 0.999, -0.75 + 1.25 * Math.cos(seed * 3 + p)];
        const want = evaluate(net, x)[0]!;
        const got = solve(fixInputs(milp.text, milp.inputs, x)).value(milp.outputs[0]!);
        assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)),
          `seed ${seed}, x ${x}: ${got} vs ${want}`);
      }
    }), { seed: 33001, numRuns: 25 });
  });

  test('a unit proven on is linear and one proven off is left out: relu(x + 2), relu(x - 3) on x in [-1, 1] ' +
    'need no binary, relu(x) one', () => {
    const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 3, [1, 1, 1], [2, -3, 0]),
      denseLayer('linear', 3, 1, [1, 1, 1], [0])] };
    const milp = buildMilp(net, { box: { x: [-1, 1] } });
    const { bigM, ...counts } = milp.stats;
    assert.deepEqual(counts, { variables: 5, binaries: 1, constraints: 5, relus: 3, active: 1, inactive: 1,
      unstable: 1 });
    assert.ok(bigM >= 1 && bigM <= 1 + 1e-12, `big-M ${bigM}`);
    for (const x of [-1, -0.25, 0, 0.5, 1]) {
      assert.ok(Math.abs(solve(fixInputs(milp.text, ['x'], [x])).value('y') - (x + 2 + Math.max(0, x))) < 1e-9);
    }
  });
});

test('exactAffineSign decides signs float64 sums get wrong, and agrees with exact small-integer sums ' +
  '(fast-check, seed 33003)', () => {
  assert.equal(exactAffineSign([1, 1], [1e16, 1], -1e16), 1); // float64: 1e16 + 1 - 1e16 = 0
  assert.equal(exactAffineSign([0.1], [3], -0.30000000000000004), -1); // 0.1·3 = 0.3000000000000000166…
  assert.equal(exactAffineSign([2 ** -1074], [2 ** -1074], 0), 1); // below every double
  fc.assert(fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 4, maxLength: 4 }),
    fc.integer({ min: -40, max: 40 }), ([w1, w2, x1, x2], e) => {
      const scale = 2 ** e;
      const exact = w1! * x1! + w2! * x2!;
      assert.equal(exactAffineSign([w1! * scale, w2!], [x1!, x2! * scale], -exact * scale), 0);
      assert.equal(exactAffineSign([w1!, w2!], [x1!, x2!], 0), Math.sign(exact) as -1 | 0 | 1);
    }), { seed: 33003, numRuns: 300 });
});

test('a knot at a corner of the box is settled exactly: relu(x + 2) and relu(2 - x) on [-2, 2] need no binary', () => {
  const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 2, [1, -1], [2, 2]),
    denseLayer('linear', 2, 1, [1, 1], [0])] };
  const milp = buildMilp(net, { box: { x: [-2, 2] } });
  assert.deepEqual([milp.stats.active, milp.stats.binaries], [2, 0]);
  for (const x of [-2, 0.5, 2]) assert.ok(Math.abs(solve(fixInputs(milp.text, ['x'], [x])).value('y') - 4) < 1e-9);
});

/** Every number in the LP text, read back, is the double it was written from. */
test('lpNumber(x) reads back as x for any finite double (fast-check, seed 33002)', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    assert.equal(Number(lpNumber(x)), x === 0 ? 0 : x);
    assert.doesNotMatch(lpNumber(x), /^-0$/);
  }), { seed: 33002, numRuns: 2000 });
});

describe('optimization examples: the solver optimum is within the certified error of the true optimum', () => {
  test('sin(3x) + 0.1x^2 on [-4, 4] (four local minima) at 0.1: HiGHS minimum within E of the dense-search ' +
    'minimum, f at HiGHS\'s minimizer within 2E of it, the network\'s value at fixed inputs', () => {
    const expr = 'sin(3*x) + 0.1*x^2';
    const r = approximate({ expr, domain: [-4, 4], size: { kind: 'maxError', error: 0.1 } });
    const E = r.certifiedMax;
    const milp = buildMilp(r.network, { meta: { expr, domain: { x: [-4, 4] }, error: { certifiedMax: E } } });
    assert.equal(milp.region.certified[0], E);
    const s = solve(milp.text);
    const f = accurateValue1(parseFormula(expr).expr, 'x');
    let best = Infinity;
    const n = 40_000, h = 8 / n;
    for (let i = 0; i <= n; i++) best = Math.min(best, f(-4 + i * h).value);
    // The dense minimum is above the true one by at most max|f''|·h²/8 (< 1e-7 here).
    const slack = 1e-7;
    assert.ok(s.objective >= best - E - slack && s.objective <= best + E + slack, `${s.objective} vs ${best} ± ${E}`);
    assert.ok(f(s.value('x')).value <= best + 2 * E + slack);
    // At the knots (where units switch, and the ordering and incremental cuts are tight) and between them.
    for (const x of [...r.pwl.x.filter((_, i) => i % 2 === 0), -2.5, -0.3, 1, 3.99]) {
      const y = solve(fixInputs(milp.text, ['x'], [x])).value('y');
      assert.ok(Math.abs(y - evaluate(r.network, [x])[0]!) <= 1e-6, `x ${x}: ${y}`);
    }
  });

  test('the point nearest to three points, sum of distances (compileFormula at 0.1): HiGHS minimum within E of ' +
    'the dense-search minimum (the Fermat point)', () => {
    const expr = 'sqrt(x^2+y^2) + sqrt((x-4)^2+y^2) + sqrt((x-1)^2+(y-3)^2)';
    const vars: Record<string, [number, number]> = { x: [-1, 5], y: [-1, 4] };
    const c = compileFormula({ expr, vars, maxError: 0.1, measureCount: 2000 });
    const E = c.certifiedMax;
    const s = solve(toMilp(c.network, { meta: { expr, domain: vars, error: { certifiedMax: E } } }));
    const f = accurateFunction(parseFormula(expr).expr, ['x', 'y']);
    const gridMin = (cx: number, cy: number, half: number, n: number) => {
      let best = { v: Infinity, x: 0, y: 0 };
      for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) {
        const [x, y] = [cx - half + (2 * half * i) / n, cy - half + (2 * half * j) / n];
        const v = f(x, y);
        if (v < best.v) best = { v, x, y };
      }
      return best;
    };
    const coarse = gridMin(2, 1.5, 3, 120);
    const fine = gridMin(coarse.x, coarse.y, 0.1, 200);
    // f is 3-Lipschitz: the fine grid's minimum is above the true one by at most 3·(0.001/√2).
    const delta = 3 * 0.001 / Math.SQRT2;
    assert.ok(s.objective >= fine.v - delta - E - 1e-7 && s.objective <= fine.v + E + 1e-7,
      `${s.objective} vs ${fine.v} ± ${E}`);
  });

  test('pooling-style bilinear x*y on x in [-1, 2], y in [-1, 3] (compileFormula at 1e-2): min within E of -3, ' +
    'max within E of 6 (the corners, exactly)', () => {
    const c = compileFormula({ expr: 'x*y', vars: { x: [-1, 2], y: [-1, 3] }, maxError: 1e-2, measureCount: 2000 });
    const meta = { expr: 'x*y', domain: { x: [-1, 2], y: [-1, 3] }, error: { certifiedMax: c.certifiedMax } };
    const E = c.certifiedMax;
    const min = solve(toMilp(c.network, { meta })).objective;
    const max = solve(toMilp(c.network, { meta, sense: 'maximize' })).objective;
    assert.ok(Math.abs(min - -3) <= E + 1e-7, `min ${min}, E ${E}`);
    assert.ok(Math.abs(max - 6) <= E + 1e-7, `max ${max}, E ${E}`);
  });
});

test('the MPS form is the same model: HiGHS reads it, and it solves to the LP form\'s optimum and minimizer', () => {
  const r = approximate({ expr: 'x^4-3*x^2+x', domain: [-2, 2], size: { kind: 'maxError', error: 0.1 } });
  const options = { box: { x: [-2, 2] as [number, number] } };
  const mps = buildMilp(r.network, { ...options, format: 'mps' });
  assert.match(mps.text, /^\* knotnet milp:/);
  const read = highs.withModel({ format: 'mps', data: mps.text }, (m) => m.exportModel('lp'));
  assert.match(read, /^bin/m);
  const [a, b] = [solve(read), solve(toMilp(r.network, options))];
  assert.ok(Math.abs(a.objective - b.objective) <= 1e-9, `${a.objective} vs ${b.objective}`);
  assert.ok(Math.abs(a.value('x') - b.value('x')) <= 1e-9);
});

describe('what the file says, and bad input', () => {
  const net = randomNetwork(7, [2, 4, 1]);

  test('the comments state the formula, the region, the certificate and the conditions it needs', () => {
    const text = toMilp(net, { meta: { expr: 'x0*x1', domain: { x0: [0, 1], x1: [0, 2], 'x0+x1': [0.5, 3] },
      error: { certifiedMax: 0.25 } } });
    assert.match(text, /^\\ knotnet milp:/);
    assert.match(text, /^\\ formula: y0 = x0\*x1$/m);
    assert.match(text, /^\\ region: x0 in \[0, 1\], x1 in \[0, 2\]$/m);
    assert.match(text, /^\\ certified max error: \|y0 - formula\| <= 0\.25 everywhere on the region$/m);
    assert.match(text, /holds only where x0\+x1 in \[0\.5, 3\]/);
    const wider = toMilp(net, { box: { x0: [-1, 1] }, meta: { domain: { x0: [0, 1], x1: [0, 2] },
      error: { certifiedMax: 0.25 } } });
    assert.match(wider, /none \(the region reaches outside the domain/);
  });

  test('names the LP format cannot read are renamed, and the file says so', () => {
    const odd: Network = { ...net, inputs: ['free', 'a b'], outputs: ['e1'] };
    const milp = buildMilp(odd, { box: { free: [0, 1], 'a b': [0, 1] } });
    assert.deepEqual([milp.inputs, milp.outputs], [['x.0', 'x.1'], ['y.0']]);
    assert.match(milp.text, /the network's name "a b" is x\.1 here/);
  });

  test('an unbounded input, a missing range, an unknown name, too large a network, a bad activation: InputError ' +
    'with its code', () => {
    const code = (f: () => unknown, c: string, rule: RegExp) => assert.throws(f,
      (e: unknown) => e instanceof InputError && e.code === c && rule.test(e.message));
    code(() => toMilp(net, { box: { x0: [0, Infinity], x1: [0, 1] } }), 'unbounded', /box x0 must be finite/);
    code(() => toMilp(net, { box: { x0: [0, 1] } }), 'missing', /for x1/);
    code(() => toMilp(net, { box: { x0: [0, 1], x1: [0, 1], z: [0, 1] } }), 'unknown-name', /box z/);
    code(() => toMilp(net, { box: { x0: [1, 0], x1: [0, 1] } }), 'empty-interval', /a ≤ b/);
    const wide = randomNetwork(3, [2, 1500, 1500, 1]);
    code(() => toMilp(wide, { box: { x0: [0, 1], x1: [0, 1] } }), 'too-large', /at most 2000000000/);
    const sigmoid = { ...net, layers: [{ ...net.layers[0]!, activation: 'sigmoid' }, net.layers[1]!] };
    code(() => toMilp(sigmoid as unknown as Network, { box: { x0: [0, 1], x1: [0, 1] } }), 'malformed',
      /only relu and linear/);
  });
});

describe('knotnet milp', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'knotnet-milp-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes an LP HiGHS solves, replaces its own file, refuses a foreign one and bad flags (exit 2)', async () => {
    const model = join(dir, 'f.json'), out = join(dir, 'f.lp');
    assert.equal((await runCli(['approx', 'x^4-3*x^2+x', '--domain', '-2:2', '--max-error', '1e-1', '--save', model,
      '--quiet'])).code, 0);
    const r = await runCli(['milp', model, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { binaries: number; relus: number; maxError: { certified: number } };
    assert.ok(j.binaries > 0 && j.binaries <= j.relus && j.maxError.certified > 0);
    const s = solve(readFileSync(out, 'utf8'));
    assert.ok(Math.abs(s.objective - -3.5139) <= j.maxError.certified + 1e-3, `${s.objective}`);
    assert.equal((await runCli(['milp', model, '--out', out, '--maximize'])).code, 0);
    writeFileSync(join(dir, 'mine.lp'), 'Minimize\n obj: x\nEnd\n');
    const foreign = await runCli(['milp', model, '--out', join(dir, 'mine.lp')]);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /--out must not name an existing file that is not a knotnet milp file/);
    const mps = await runCli(['milp', model, '--out', join(dir, 'f.mps'), '--json']);
    assert.equal(mps.code, 0, mps.stderr);
    assert.match(readFileSync(join(dir, 'f.mps'), 'utf8'), /^\* knotnet milp:[^]*\nENDATA\n$/);
    assert.equal((await runCli(['milp', model, '--out', join(dir, 'f.mps')])).code, 0);
    for (const [args, message] of [[['--out', join(dir, 'f.txt')], /--out must end in \.lp .* or \.mps/],
      [['--out', out, '--var', 'x=-inf:1'], /--var x must have finite ends/],
      [['--out', out, '--var', 'q=0:1'], /--var q must name one of the network's inputs/],
      [['--out', out, '--objective', 'z'], /--objective must name one of the outputs/]] as const) {
      const bad = await runCli(['milp', model, ...args]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, message);
      assert.doesNotMatch(bad.stderr, /\n\s+at /);
    }
  });
});
