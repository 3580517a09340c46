/**
 * The library is as strict as the CLI: every public entry point of `knotnet` (src/index.ts),
 * called with a bad option, throws an InputError whose field names the option in the
 * library's terms (never a flag) and whose code says what is wrong, before any work. Every
 * code the core throws is listed in InputError's doc comment; the error classes carry codes;
 * `certify` is importable and its bound holds against what approximate measured.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  approximate, approximateOutsideBands, buildArtifacts, certify, compileFormula, compileFunction, denseLayer, enclose,
  evaluate, float32Layout, InputError, layerRanges, networkSummary, networkToJson, parseFormula, pwlToNetwork, rng,
  roundingErrorBound, sampleBox, sampleShell, SoundnessError, toOnnx, toSafetensors, toTfjsLayers, ToleranceError,
  WorkError, type Network,
} from '../src/index.ts';

const net: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('relu', 1, 2, [1, -1], [0, 0]),
  denseLayer('linear', 2, 1, [1, 1], [0])] };
const approx = { expr: 'x^2', domain: [0, 1], size: { kind: 'knots', segments: 4 } };
const compile = { expr: 'x*y', vars: { x: [0, 1], y: [0, 1] }, maxError: 0.1 };
const certifyOptions = { net, expr: 'abs(x)', box: [[-1, 1]] as [number, number][] };
/** Options as a caller without types would pass them. */
const loose = <T>(o: unknown) => o as T;
type Call = () => unknown;

const cases: [string, Call, string, string][] = [
  ['approximate: fit bogus', () => approximate(loose({ ...approx, fit: 'bogus' })), 'fit', 'not-one-of'],
  ['approximate: no size', () => approximate(loose({ ...approx, size: undefined })), 'size', 'missing'],
  ['approximate: placement bogus', () => approximate(loose({ ...approx, placement: 'bogus' })), 'placement',
    'not-one-of'],
  ['approximate: size kind bogus', () => approximate(loose({ ...approx, size: { kind: 'bogus' } })), 'size.kind',
    'not-one-of'],
  ['approximate: knots without segments', () => approximate(loose({ ...approx, size: { kind: 'knots' } })),
    'size.segments', 'missing'],
  ['approximate: error as a string', () => approximate(loose({ ...approx, size: { kind: 'maxError', error: '1' } })),
    'size.error', 'wrong-type'],
  ['approximate: domain a string', () => approximate(loose({ ...approx, domain: '0:1' })), 'domain', 'wrong-type'],
  ['approximate: domain empty', () => approximate(loose({ ...approx, domain: [1, 0] })), 'domain', 'empty-interval'],
  ['approximate: expr a number', () => approximate(loose({ ...approx, expr: 2 })), 'expr', 'wrong-type'],
  ['approximate: relative "yes"', () => approximate(loose({ ...approx, relative: 'yes' })), 'relative', 'wrong-type'],
  ['approximate: maxSegments 1.5', () => approximate(loose({ ...approx, maxSegments: 1.5 })), 'maxSegments',
    'not-whole'],
  ['approximate: maxSegments 1e12', () => approximate(loose({ ...approx, maxSegments: 1e12 })), 'maxSegments',
    'out-of-range'],
  ['approximate: onTrial not a function', () => approximate(loose({ ...approx, onTrial: 1 })), 'onTrial',
    'wrong-type'],
  ['approximate: a misspelt option', () => approximate(loose({ ...approx, maxError: 1e-3 })), 'maxError',
    'unknown-option'],
  ['approximate: no options', () => approximate(loose(null)), 'options', 'not-object'],
  ['approximateOutsideBands: exclude missing', () => approximateOutsideBands(loose({ ...approx })), 'exclude',
    'missing'],
  ['approximateOutsideBands: exclude of numbers', () => approximateOutsideBands(loose({ ...approx, exclude: [1] })),
    'exclude[0]', 'wrong-type'],
  ['compileFormula: no vars', () => compileFormula(loose({ ...compile, vars: undefined })), 'vars', 'missing'],
  ['compileFormula: a var as text', () => compileFormula(loose({ ...compile, vars: { x: '0:1', y: [0, 1] } })),
    'vars', 'wrong-type'],
  ['compileFormula: dtype float16', () => compileFormula(loose({ ...compile, dtype: 'float16' })), 'dtype',
    'not-one-of'],
  ['compileFormula: deep bogus', () => compileFormula(loose({ ...compile, deep: 'bogus' })), 'deep', 'not-one-of'],
  ['compileFormula: norm bogus', () => compileFormula(loose({ ...compile, norm: 'bogus' })), 'norm', 'not-one-of'],
  ['compileFormula: minimize bogus', () => compileFormula(loose({ ...compile, minimize: 'time' })), 'minimize',
    'not-one-of'],
  ['compileFormula: maxFanIn 1', () => compileFormula(loose({ ...compile, maxFanIn: 1 })), 'maxFanIn',
    'out-of-range'],
  ['compileFormula: seed -1', () => compileFormula(loose({ ...compile, seed: -1 })), 'seed', 'out-of-range'],
  ['compileFormula: maxError as text', () => compileFormula(loose({ ...compile, maxError: '0.1' })), 'maxError',
    'wrong-type'],
  ['compileFormula: maxError -1', () => compileFormula(loose({ ...compile, maxError: -1 })), 'maxError',
    'not-positive'],
  ['compileFormula: samples a list', () => compileFormula(loose({ ...compile, samples: [0.5, 0.5] })), 'samples',
    'wrong-type'],
  ['compileFormula: exclude a text', () => compileFormula(loose({ ...compile, exclude: 'x=0.5+-0.1' })), 'exclude',
    'wrong-type'],
  ['compileFormula: an output without a name', () => compileFormula(loose({ ...compile, outputs: [{ expr: 'x' }] })),
    'outputs[0].name', 'missing'],
  ['compileFormula: a misspelt option', () => compileFormula(loose({ ...compile, max_error: 1 })), 'max_error',
    'unknown-option'],
  ['evaluate: dtype float16', () => evaluate(net, [0.5], loose('float16')), 'dtype', 'not-one-of'],
  ['evaluate: a partial row', () => evaluate({ ...net, inputs: ['x', 'y'], layers: [denseLayer('relu', 2, 1, [1, 1],
    [0]), denseLayer('linear', 1, 1, [1], [0])] }, [1, 2, 3]), 'x', 'wrong-length'],
  ['evaluate: layers that do not fit', () => evaluate({ ...net, layers: [net.layers[1]!] }, [0.5]), 'net',
    'malformed'],
  ['roundingErrorBound: dtype float16', () => roundingErrorBound(net, [0], [1], loose('float16')), 'dtype',
    'not-one-of'],
  ['toOnnx: dtype float16', () => toOnnx(net, loose({ dtype: 'float16' })), 'dtype', 'not-one-of'],
  ['toOnnx: no options', () => toOnnx(net, loose(undefined)), 'options', 'not-object'],
  ['toOnnx: metadata of numbers', () => toOnnx(net, loose({ dtype: 'float32', metadata: { a: 1 } })), 'metadata',
    'wrong-type'],
  ['toOnnx: not a network', () => toOnnx(loose({ layers: [] }), { dtype: 'float64' }), 'net', 'malformed'],
  ['toSafetensors: dtype float16', () => toSafetensors(net, loose({ dtype: 'float16' })), 'dtype', 'not-one-of'],
  ['toTfjsLayers: float64', () => toTfjsLayers(net, loose('float64')), 'dtype', 'not-float32'],
  ['buildArtifacts: dtype float16', () => buildArtifacts(net, {}, 'n.onnx', loose('float16')), 'dtype', 'not-one-of'],
  ['buildArtifacts: unknown extension', () => buildArtifacts(net, {}, 'n.pt'), 'path', 'unknown-format'],
  ['sampleBox: n -1', () => sampleBox([[0, 1]], -1, 1), 'n', 'out-of-range'],
  ['sampleBox: n 1e12 (8 TB)', () => sampleBox([[0, 1]], 1e12, 1), 'n', 'out-of-range'],
  ['sampleBox: seed 0.5', () => sampleBox([[0, 1]], 10, 0.5), 'seed', 'not-whole'],
  ['sampleBox: no box', () => sampleBox([], 10, 1), 'box', 'wrong-type'],
  ['sampleShell: 0 dimensions', () => sampleShell({ dims: 0, inner: 1, outer: 2, n: 1, seed: 1 }), 'dims',
    'out-of-range'],
  ['sampleShell: inner above outer', () => sampleShell({ dims: 2, inner: 3, outer: 2, n: 1, seed: 1 }), 'inner',
    'out-of-range'],
  ['parseFormula: a number', () => parseFormula(loose(42)), 'expr', 'empty'],
  ['compileFunction: variables as text', () => compileFunction(parseFormula('x').expr, loose('x')), 'variables',
    'wrong-type'],
  ['compileFunction: a text for the tree', () => compileFunction(loose('x'), ['x']), 'expr', 'wrong-type'],
  ['pwlToNetwork: knots not increasing', () => pwlToNetwork({ x: Float64Array.of(0, 0), y: Float64Array.of(1, 2) }),
    'pwl', 'malformed'],
  ['float32Layout: f not a function', () => float32Layout(approximate(loose(approx)), loose(1)), 'f', 'wrong-type'],
  ['layerRanges: two bounds for one input', () => layerRanges(net, [0, 0], [1, 1]), 'lo', 'wrong-length'],
  ['roundingErrorBound: lo above hi', () => roundingErrorBound(net, [1], [0], 'float64'), 'lo', 'empty-interval'],
  ['networkToJson: no layers', () => networkToJson({ ...net, layers: [] }), 'net', 'malformed'],
  ['toTfjsLayers: metadata a list', () => toTfjsLayers(net, 'float32', loose([1])), 'metadata', 'wrong-type'],
  ['rng: seed NaN', () => rng(NaN), 'seed', 'not-finite'],
  ['enclose: no box', () => enclose(parseFormula('x').expr, loose(null)), 'box', 'wrong-type'],
  ['enclose: a text for the tree', () => enclose(loose('x'), { x: [0, 1] }), 'expr', 'wrong-type'],
  ['networkSummary: a ReLU last layer', () => networkSummary({ ...net, layers: [net.layers[0]!], outputs: ['a', 'b'] }),
    'net', 'malformed'],
  ['certify: a number for the formula', () => certify(loose({ ...certifyOptions, expr: 3 })), 'expr', 'wrong-type'],
  ['certify: NaN weights', () => certify({ ...certifyOptions, net: { ...net, layers: [denseLayer('relu', 1, 2,
    [NaN, -1], [0, 0]), net.layers[1]!] } }), 'net', 'not-finite'],
  ['certify: a variable that is not an input', () => certify({ ...certifyOptions, expr: 'abs(z)' }), 'expr',
    'unknown-name'],
  ['certify: box of two ranges for one input', () => certify(loose({ ...certifyOptions, box: [[0, 1], [0, 1]] })),
    'box', 'wrong-length'],
  ['certify: gap -1', () => certify({ ...certifyOptions, gap: -1 }), 'gap', 'not-positive'],
  ['certify: dtype float16', () => certify(loose({ ...certifyOptions, dtype: 'float16' })), 'dtype', 'not-one-of'],
  ['certify: a misspelt option', () => certify(loose({ ...certifyOptions, time: 1 })), 'time', 'unknown-option'],
];

describe('every public entry point refuses bad options with an InputError carrying field and code', () => {
  for (const [what, call, field, code] of cases) {
    it(`${what}: field ${field}, code ${code}, in the library's terms`, () => {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
        assert.equal(e.field, field, e.message);
        assert.equal(e.code, code, e.message);
        assert.doesNotMatch(e.message, /(^|\s)--[a-z]/, 'a flag in a library message');
        return true;
      });
    });
  }
});

describe('errors carry codes, and the API docs list every InputError code', () => {
  it('WorkError, ToleranceError and SoundnessError have codes', () => {
    assert.equal(new WorkError('x').code, 'work-limit');
    const t = new ToleranceError('x', 'segments', null);
    assert.ok(t instanceof WorkError);
    assert.equal(t.code, 'tolerance-not-met');
    assert.equal(new SoundnessError('x', 2, 1).code, 'unsound-certificate');
  });

  it('each code thrown in src appears in the doc comment of InputError (src/errors.ts) and in docs/library.md', () => {
    const src = join(import.meta.dirname, '../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
      .filter((f) => !/^(cli|web|runtime|train)\//.test(f));
    const codes = new Set<string>();
    for (const f of files) {
      const text = readFileSync(join(src, f), 'utf8');
      for (const m of text.matchAll(/code: '([a-z0-9-]+)'|idOf\([a-z]+, '([a-z0-9-]+)'\)/g)) codes.add(m[1] ?? m[2]!);
    }
    const errors = readFileSync(join(src, 'errors.ts'), 'utf8');
    const doc = errors.slice(0, errors.indexOf('export class InputError'));
    const page = readFileSync(join(src, '../docs/library.md'), 'utf8');
    assert.ok(codes.size > 30, `${codes.size} codes found`);
    assert.deepEqual([...codes].filter((c) => !doc.includes(`\`${c}\``)), [], 'missing on InputError');
    assert.deepEqual([...codes].filter((c) => !page.includes(`\`${c}\``)), [], 'missing in docs/library.md');
  });
});

describe('certify from the library', () => {
  it('bounds a network built by approximate: worst found <= approximate\'s certified bound, and <= certify\'s', () => {
    const r = approximate({ expr: 'x^2', domain: [0, 1], size: { kind: 'knots', segments: 4 } });
    const c = certify({ net: r.network, expr: 'x^2', box: [[0, 1]], timeSeconds: 20 });
    assert.ok(c.lower <= c.upper, `${c.lower} > ${c.upper}`);
    assert.ok(c.lower <= r.certifiedMax, `${c.lower} > ${r.certifiedMax}`);
    // x² on 4 equal segments, minimax: the interpolation error h²/8 = 1/128, halved.
    assert.ok(c.upper >= 1 / 256 - 1e-12, `${c.upper}`);
  });

  it('a variable named constructor is a plain input of compileFormula', () => {
    const r = compileFormula({ expr: 'x + constructor', vars: JSON.parse('{"x": [0, 1], "constructor": [1, 2]}') as
      Record<string, [number, number]>, maxError: 0.1 });
    assert.deepEqual(r.network.inputs, ['x', 'constructor']);
    assert.deepEqual([...evaluate(r.network, [0.25, 1.5])].map((v) => Math.round(v * 1e9) / 1e9), [1.75]);
  });
});
