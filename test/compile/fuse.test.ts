import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { approximate } from '../../src/approx/approximate.ts';
import { compileFormula } from '../../src/compile/compile.ts';
import { FormAnalysis, fusionOf, isSinglePiece } from '../../src/compile/fuse.ts';
import { buildFusedGraph } from '../../src/compile/fuseplan.ts';
import { buildGraph } from '../../src/compile/graph.ts';
import { propagateRanges } from '../../src/compile/ranges.ts';
import { exprToString, type Expr } from '../../src/expr/ast.ts';
import { accurateEvaluator } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { networkSummary } from '../../src/net/network.ts';

const SEED = 20261207;
console.log(`fuse property tests: fast-check seed ${SEED}`);

const parse = (text: string): Expr => parseFormula(text).expr;

/** The fusion of a whole formula (null: not one curve). */
function fusionOfText(text: string) {
  const e = parse(text);
  return fusionOf(new FormAnalysis(), e);
}

/**
 * g(form(x)) and the formula at a point of the variables, by the accurate evaluator (each
 * with its proven error radius; the forms here are exact in float64 at these points).
 */
function bothAt(text: string, point: Record<string, number>): { fused: number; direct: number; radius: number } {
  const f = fusionOfText(text)!;
  const names = Object.keys(point);
  const out = new Float64Array(1);
  let radius = 0;
  const at = (e: Expr, vars: string[], values: number[]) => {
    const v = accurateEvaluator(e, vars)(Float64Array.from(values), out);
    radius += out[0]!;
    return v;
  };
  const u = at(f.form, names, names.map((v) => point[v]!));
  radius = 0;
  return { fused: at(f.fn, ['u'], [u]), direct: at(parse(text), names, names.map((v) => point[v]!)), radius };
}

describe('one-form analysis (compile/fuse.ts)', () => {
  it('1/(1+exp(-x)) is g(u) = 1/(1 + exp(u)) at u = -x', () => {
    const f = fusionOfText('1/(1+exp(-x))')!;
    assert.equal(exprToString(f.fn), '1 / (1 + exp(u))');
    assert.equal(exprToString(f.form), '-x');
  });

  it('y + x and x + y are one form: sin(x+y) + cos(y+x) is one curve of x + y', () => {
    const f = fusionOfText('sin(x+y) + cos(y+x)')!;
    assert.equal(exprToString(f.fn), 'sin(u) + cos(u)');
    assert.equal(exprToString(f.form), 'x + y');
  });

  it('a multiple of the form is written k·u + d exactly: sin(x+y)^2 + cos(2*x+2*y+1)', () => {
    const f = fusionOfText('sin(x+y)^2 + cos(2*x+2*y+1)')!;
    assert.equal(exprToString(f.fn), 'sin(u) ^ 2 + cos(2 * u + 1)');
  });

  it('two forms are not one curve: exp(x)*sin(y), sin(x+y)*cos(x-y)', () => {
    assert.equal(fusionOfText('exp(x)*sin(y)'), null);
    assert.equal(fusionOfText('sin(x+y)*cos(x-y)'), null);
  });

  it('a ratio of forms that rounds in float64 is not fused (0.1x+0.3y against x+3y)', () => {
    assert.equal(fusionOfText('sin(0.1*x+0.3*y) + cos(x+3*y)'), null);
  });

  it('one function of an affine form is a single piece already (exp(x), (x+y)^2, abs(x), 1/x)', () => {
    const a = new FormAnalysis();
    const single = ['exp(x)', '(x+y)^2', 'abs(x)', '1/x', 'max(x, 2*x+1)'];
    for (const text of single) assert.ok(isSinglePiece(a, parse(text)), text);
    for (const text of ['x*exp(x)', 'x/(1+x)', 'x*(x+1)']) assert.ok(!isSinglePiece(a, parse(text)), text);
  });

  it('the fused curve equals the formula at points of the region (accurate evaluator, within its radii)', () => {
    const cases: [string, Record<string, number>[]][] = [
      ['1/(1+exp(-x))', [{ x: -10 }, { x: 0.3 }, { x: 7 }]],
      ['x*exp(x) + sin(x)', [{ x: -3 }, { x: 1.7 }]],
      ['sin(x+y)^2 + cos(2*x+2*y+1)', [{ x: 0.2, y: 0.9 }, { x: -1, y: 0.25 }]],
      ['2*pi*sqrt(L/9.80665)', [{ L: 0.1 }, { L: 9.5 }]],
    ];
    for (const [text, points] of cases) {
      for (const p of points) {
        const { fused, direct, radius } = bothAt(text, p);
        assert.ok(Math.abs(fused - direct) <= radius + 1e-15 * Math.abs(direct), `${text} at ${JSON.stringify(p)}`);
      }
    }
  });
});

describe('one-form analysis: rounding and constant parts (compile/fuse.ts)', () => {
  it('a form whose folding rounds is fused only as u itself: sin(x/3) + cos(x/3), not x*0.3333333333333333', () => {
    assert.equal(exprToString(fusionOfText('sin(x/3) + cos(x/3)')!.fn), 'sin(u) + cos(u)');
    // x/3 is folded as x·fl(1/3) = x*0.3333333333333333 in float64, but they are different real forms.
    assert.equal(fusionOfText('sin(x/3) + cos(x*0.3333333333333333)'), null);
    assert.equal(fusionOfText('sin(x*0.1*10) + cos(x)'), null);
  });

  it('a constant part that reads the inputs (x - x + 1) becomes its value in g, no input left inside', () => {
    const f = fusionOfText('sin(x - x + 1) + x')!;
    assert.equal(exprToString(f.fn), 'sin(1) + u');
    assert.equal(exprToString(f.form), 'x');
  });
});

describe('fusion in compile (compile/fuseplan.ts)', () => {
  it('1/(1+exp(-x)) on [-10, 10] at 1e-5: one fused curve, <= 1.05x approx\'s minimum (187), bound >= measured', () => {
    const E = 1e-5;
    const r = compileFormula({ expr: '1/(1+exp(-x))', vars: { x: [-10, 10] }, maxError: E, measureCount: 20000 });
    const a = approximate({ expr: '1/(1+exp(-x))', domain: [-10, 10], size: { kind: 'maxError', error: E } });
    const relus = networkSummary(r.network).relus;
    assert.ok(relus <= 1.05 * networkSummary(a.network).relus, `${relus} vs approx ${networkSummary(a.network).relus}`);
    assert.ok(relus <= 197);
    assert.ok(r.certifiedMax <= E && r.measuredMax <= r.certifiedMax);
    const fused = r.nodes.filter((n) => n.fused);
    assert.equal(fused.length, 1);
    assert.equal(fused[0]!.fused!.form, '-x');
  });

  it('sin(x+y)^2 on [0, 1]^2 is one curve of x + y', () => {
    const vars: Record<string, [number, number]> = { x: [0, 1], y: [0, 1] };
    const r = compileFormula({ expr: 'sin(x+y)^2', vars, maxError: 1e-3, measureCount: 5000 });
    const curves = r.nodes.filter((n) => n.kind === 'unary' || n.kind === 'square' || n.kind === 'norm');
    assert.equal(curves.length, 1);
    assert.ok(r.measuredMax <= r.certifiedMax && r.certifiedMax <= 1e-3);
  });

  it('squares keep their deep construction when it is smaller: (x+1)^2 + (x-1)^2 at 1e-6 is no shallow curve', () => {
    const g = buildFusedGraph(parse('(x+1)^2 + (x-1)^2'), ['x'], { box: { x: [-10, 10] }, maxError: 1e-6 });
    assert.ok(g.nodes.some((n) => n.kind === 'square'));
    assert.ok(!g.nodes.some((n) => n.kind === 'unary' && n.fused));
  });

  it('a curve with no curvature, written the long way, is built node by node: sin(x)^2 + cos(x)^2', () => {
    const g = buildFusedGraph(parse('sin(x)^2 + cos(x)^2'), ['x'], { box: { x: [-3, 3] }, maxError: 1e-4 });
    assert.ok(!g.nodes.some((n) => n.kind === 'unary' && n.fused));
  });

  it('a --range text stays a node of its own (not fused away)', () => {
    const r = compileFormula({
      expr: 'sqrt(x*exp(x))', vars: { x: [0.5, 2] }, ranges: { 'x*exp(x)': [0.8, 15] }, maxError: 1e-3,
      measureCount: 2000,
    });
    assert.ok(r.nodes.some((n) => n.text === 'x * exp(x)'));
  });
});

/**
 * Random compositions of unary functions of x (seeded): f_k(a_k·f_{k−1}(…)), sums and products
 * with x. exp only outermost (of bounded arguments: exp(exp(exp(x))) would be a curve of tens
 * of thousands of segments, minutes for approx and compile alike).
 */
const unary = ['sin', 'cos', 'tanh', 'atan', 'sigmoid'] as const;
const composition = fc.record({
  fns: fc.array(fc.constantFrom(...unary), { minLength: 1, maxLength: 3 }),
  outerExp: fc.boolean(),
  scales: fc.array(fc.constantFrom(0.5, 1, 2, -1), { minLength: 4, maxLength: 4 }),
  shape: fc.constantFrom('plain', 'times x', 'plus sin'),
}).map(({ fns, outerExp, scales, shape }) => {
  let text = 'x';
  [...fns, ...(outerExp ? ['exp'] : [])].forEach((fn, i) => { text = `${fn}(${scales[i]}*${text})`; });
  return shape === 'times x' ? `x*${text}` : shape === 'plus sin' ? `${text} + sin(x)` : text;
});

describe('every formula of one variable: compile within 1.05x of approx\'s minimum (property)', () => {
  it('random compositions of the unary functions on [-2, 2] at 1e-3', () => {
    fc.assert(fc.property(composition, (text) => {
      const E = 1e-3;
      const r = compileFormula({ expr: text, vars: { x: [-2, 2] }, maxError: E, measureCount: 2000, seed: 1 });
      const a = approximate({ expr: text, domain: [-2, 2], size: { kind: 'maxError', error: E } });
      const [c, m] = [networkSummary(r.network).relus, networkSummary(a.network).relus];
      assert.ok(c <= Math.max(1.05 * m, m + 1), `${text}: compile ${c} ReLUs, approx ${m} (seed ${SEED})`);
      assert.ok(r.measuredMax <= r.certifiedMax && r.certifiedMax <= E, `${text}: bound ${r.certifiedMax}`);
    }), { seed: SEED, numRuns: 12 });
  });
});

const HAVERSINE = '2*6371000*asin(sqrt(sin((p2-p1)/2)^2 + cos(p1)*cos(p2)*sin((l2-l1)/2)^2))';
const SAME_REGION: Record<string, [number, number]> = {
  p1: [0.7, 0.9], p2: [0.7, 0.9], l1: [0.1, 0.3], l2: [0.1, 0.3],
};

describe('signs the formula guarantees (compile/ranges.ts, graph.ts)', () => {
  const inputs = Object.keys(SAME_REGION);
  const graph = (norms: boolean) => buildFusedGraph(parse(HAVERSINE), inputs, { box: SAME_REGION, maxError: 1, norms });

  it('the haversine sum sin² + cos·cos·sin² is >= 0 by structure: its range starts at 0, sqrt of it is defined', () => {
    const g = graph(false);
    const ranges = propagateRanges(g, SAME_REGION, new Map());
    const sqrt = g.nodes.find((n) => n.kind === 'unary' && exprToString(n.fn) === 'sqrt(u)')!;
    assert.equal(ranges[(sqrt as { arg: number }).arg]![0], 0);
  });

  it('a product of factors of one sign is >= 0: x*y on [0, 1]^2 ranges from 0 (no rounding slack below)', () => {
    const g = buildGraph(parse('x*y'), ['x', 'y']);
    assert.equal(propagateRanges(g, { x: [0, 1], y: [0, 1] }, new Map())[g.output]![0], 0);
  });

  it('the haversine with --norm fold: sqrt(a² + b·c²), b >= 0 on the box, is the norm of (a, sqrt(b)·c)', () => {
    const norm = graph(true).nodes.find((n) => n.kind === 'norm');
    assert.equal(norm?.kind === 'norm' ? norm.args.length : 0, 2);
  });

  it('2*6371000*u: the constant factor is folded (an affine node, not a product of two nodes)', () => {
    const g = buildGraph(parse('2*6371000*sin(x)'), ['x']);
    const out = g.nodes[g.output]!;
    assert.ok(out.kind === 'affine' && !out.factors && out.terms.length === 1 && out.terms[0]!.coef === 12742000);
  });
});
