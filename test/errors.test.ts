/**
 * The error table: every InputError the core can throw carries a stable field and code (a
 * source walk over every throw site, then one bad call per site), the CLI's message for each
 * is the same sentence as before (cli/flags.ts maps the fields to flags), one seed parser, and
 * ExitCode beside the errors.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { approximate, compileFormula, networkFromJson, parseFormula, toOnnx, toTfjsLayers, denseLayer, InputError,
  type Network } from '../src/index.ts';
import { exportDtype, exportFormatFor, readOnnxInfo, readSafetensors } from '../src/export/index.ts';
import { cliMessage, FLAGS } from '../src/cli/flags.ts';
import { MAX_SEED, parseSeed } from '../src/cli/args.ts';

const SRC = join(import.meta.dirname, '../src');
const CORE = ['expr', 'net', 'approx', 'compile', 'export'];

const R: [number, number] = [0, 1];
const huge: Network = { inputs: ['x'], outputs: ['y'], layers: [denseLayer('linear', 1, 1, [1e39], [0])] };
const cases: [string, () => unknown, string, string, string?][] = [
  ['approximate: domain b < a', () => approximate({ expr: 'x', domain: [1, 0], size: { kind: 'knots',
    segments: 2 } }), 'domain', 'empty-interval'],
  ['approximate: infinite domain', () => approximate({ expr: 'x', domain: [0, Infinity], size: { kind: 'knots',
    segments: 2 } }), 'domain', 'not-finite'],
  ['approximate: two variables', () => approximate({ expr: 'x*y', domain: R, size: { kind: 'knots', segments: 2 } }),
    'expr', 'too-many-variables'],
  ['approximate: 0 knots', () => approximate({ expr: 'x', domain: R, size: { kind: 'knots', segments: 0 } }), 'knots',
    'out-of-range'],
  ['approximate: spacing NaN', () => approximate({ expr: 'x', domain: R, size: { kind: 'spacing', h: NaN } }),
    'spacing', 'not-positive'],
  ['approximate: spacing making too many segments', () => approximate({ expr: 'x', domain: R, size: { kind: 'spacing',
    h: 1e-3 }, maxSegments: 10 }), 'spacing', 'out-of-range'],
  ['approximate: maxError -1', () => approximate({ expr: 'x', domain: R, size: { kind: 'maxError', error: -1 } }),
    'maxError', 'not-positive'],
  ['approximate: rmsError 0', () => approximate({ expr: 'x', domain: R, size: { kind: 'rmsError', error: 0 } }),
    'rmsError', 'not-positive'],
  ['approximate: log on [-1, 1]', () => approximate({ expr: 'log(x)', domain: [-1, 1], size: { kind: 'knots',
    segments: 2 } }), 'expr', 'undefined-on-domain'],
  ['parseFormula: empty', () => parseFormula(' '), 'expr', 'empty'],
  ['parseFormula: syntax', () => parseFormula('x+'), 'expr', 'syntax'],
  ['parseFormula: unknown function', () => parseFormula('foo(x)'), 'expr', 'unknown-function'],
  ['parseFormula: an assignment', () => parseFormula('x = 1'), 'expr', 'not-plain'],
  ['parseFormula: one-argument function with two', () => parseFormula('sqrt(x, y)'), 'expr', 'arity'],
  ['compileFormula: a variable without a range', () => compileFormula({ expr: 'x*y', vars: { x: R }, maxError: 1 }),
    'vars', 'missing'],
  ['compileFormula: a range for no variable', () => compileFormula({ expr: 'x', vars: { x: R, z: R }, maxError: 1 }),
    'vars', 'unknown-name'],
  ['compileFormula: empty variable range', () => compileFormula({ expr: 'x', vars: { x: [1, 0] }, maxError: 1 }),
    'vars', 'empty-interval', 'x'],
  ['compileFormula: maxError -1', () => compileFormula({ expr: 'x', vars: { x: R }, maxError: -1 }), 'maxError',
    'not-positive'],
  ['compileFormula: range of a foreign variable', () => compileFormula({ expr: 'x*y', vars: { x: R, y: R },
    ranges: { 'z+1': R }, maxError: 1 }), 'ranges', 'unknown-name'],
  ['compileFormula: range of no subexpression', () => compileFormula({ expr: 'x+y', vars: { x: R, y: R },
    ranges: { 'x-y': R }, maxError: 1 }), 'ranges', 'not-subexpression'],
  ['compileFormula: range outside what the inputs allow', () => compileFormula({ expr: 'sqrt(x)', vars: { x: R },
    ranges: { x: [2, 3] }, maxError: 1 }), 'ranges', 'no-overlap'],
  ['compileFormula: a bad range formula', () => compileFormula({ expr: 'x', vars: { x: R }, ranges: { 'x+': R },
    maxError: 1 }), 'ranges', 'syntax'],
  ['compileFormula: sqrt of a negative range', () => compileFormula({ expr: 'sqrt(x)', vars: { x: [-1, 1] },
    maxError: 1 }), 'expr', 'undefined-on-range'],
  ['compileFormula: division by zero', () => compileFormula({ expr: 'x/0', vars: { x: R }, maxError: 1 }), 'expr',
    'division-by-zero'],
  ['compileFormula: x^y with x reaching 0', () => compileFormula({ expr: 'x^y', vars: { x: [0, 2], y: R },
    maxError: 1 }), 'expr', 'undefined-on-range'],
  ['exportFormatFor: unknown extension', () => exportFormatFor('net.pt'), 'path', 'unknown-format'],
  ['exportFormatFor: empty', () => exportFormatFor(''), 'path', 'empty'],
  ['exportDtype: tfjs in float64', () => exportDtype('tfjs', 'float64'), 'dtype', 'not-float32'],
  ['toTfjsLayers: float64', () => toTfjsLayers(huge, 'float64' as 'float32'), 'dtype', 'not-float32'],
  ['toOnnx: a weight beyond float32', () => toOnnx(huge, { dtype: 'float32' }), 'dtype', 'float32-overflow'],
  ['networkFromJson: not a network', () => networkFromJson({ format: 'other' }), 'json', 'malformed'],
  ['readOnnxInfo: not ONNX', () => readOnnxInfo(new Uint8Array([255, 255, 255, 255])), 'bytes', 'malformed'],
  ['readSafetensors: too short', () => readSafetensors(new Uint8Array(3)), 'bytes', 'malformed'],
];

describe('every core InputError has a field and a code', () => {
  it('each `new InputError(` in expr, net, approx, compile and export passes an identity', () => {
    const missing: string[] = [];
    let sites = 0;
    for (const dir of CORE) {
      for (const file of readdirSync(join(SRC, dir)).filter((f) => f.endsWith('.ts'))) {
        const text = readFileSync(join(SRC, dir, file), 'utf8');
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
        const visit = (node: ts.Node): void => {
          if (ts.isNewExpression(node) && node.expression.getText(source) === 'InputError') {
            sites++;
            const id = node.arguments?.[3]?.getText(source) ?? '';
            if (!/code: '[a-z0-9-]+'|idOf\(argument, '[a-z0-9-]+'\)/.test(id)) {
              missing.push(`src/${dir}/${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line
                + 1}`);
            }
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
    console.log(`${sites} throw sites in the core`);
    assert.ok(sites > 50);
    assert.deepEqual(missing, []);
  });

  for (const [name, call, field, code, key] of cases) {
    it(`${name}: field ${field}, code ${code}, the library's sentence names the field, the CLI's the flag`, () => {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.field, field, e.message);
        assert.equal(e.code, code, e.message);
        assert.equal(e.issue.key, key);
        const flag = Object.hasOwn(FLAGS, field) ? FLAGS[field]! : undefined;
        const named = flag?.startsWith('--') && /^[ .]/.test(e.message.slice(field.length))
          && e.message.startsWith(field);
        assert.equal(cliMessage(e.issue), named ? flag + e.message.slice(field.length) : e.message);
        return true;
      });
    });
  }
});

describe('the CLI names fields by its flags, from one table', () => {
  it('a field given by its library name is said as the flag, with the key of a keyed field', () => {
    assert.equal(cliMessage({ argument: 'maxError', rule: 'be a positive number', value: 0, field: 'maxError',
      code: 'not-positive' }), '--max-error must be a positive number (got 0).');
    assert.equal(cliMessage({ argument: 'vars.dx', rule: 'be an interval', value: '1:0', field: 'vars',
      code: 'empty-interval', key: 'dx' }), '--var dx must be an interval (got "1:0").');
    assert.equal(cliMessage({ argument: 'model file', rule: 'exist', value: 'x', field: 'model' }),
      'model file must exist (got "x").');
    assert.equal(FLAGS.domain, '--domain');
  });
  it('the 3-argument constructor still works, and a bare 4th argument is the code', () => {
    const e = new InputError('--port', 'be free', 80);
    assert.equal(e.message, '--port must be free (got 80).');
    assert.equal(e.code, undefined);
    assert.equal(new InputError('--port', 'be free', 80, 'in-use').code, 'in-use');
  });
});

describe('one seed parser', () => {
  it('parseSeed accepts whole numbers from 0 to MAX_SEED (2^32 − 1) and refuses anything else, naming the value',
    () => {
    assert.equal(parseSeed('0'), 0);
    assert.equal(parseSeed('7'), 7);
    assert.equal(parseSeed(String(MAX_SEED)), MAX_SEED);
    for (const bad of ['abc', '-1', '1.5', '', '1e3', String(MAX_SEED + 1)]) {
      assert.throws(() => parseSeed(bad), (e: unknown) => e instanceof InputError && e.code === 'out-of-range'
        && cliMessage(e.issue) === `--seed must be a whole number from 0 to ${MAX_SEED} (got ${JSON.stringify(bad)}).`,
        bad);
    }
  });
  it('no command reads --seed any other way', () => {
    const cli = join(SRC, 'cli');
    for (const file of readdirSync(cli)) {
      const text = readFileSync(join(cli, file), 'utf8');
      for (const line of text.split('\n').filter((l) => /flags\.seed\b/.test(l)
        && !l.includes('.option('))) assert.match(line, /parseSeed\(flags\.seed/, `${file}: ${line.trim()}`);
    }
  });
});

describe('ExitCode lives beside the errors', () => {
  it('cli/check.ts no longer imports cli/main.ts (the cycle is gone)', () => {
    assert.doesNotMatch(readFileSync(join(SRC, 'cli/check.ts'), 'utf8'), /from '\.\/main\.ts'/);
  });
});
