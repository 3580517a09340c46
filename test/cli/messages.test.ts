/**
 * Every message that can say a tolerance cannot be met speaks in the user's terms: it quotes
 * the user's own --max-error (never an internal share of it, the error budget), names the
 * node in the formula's text where one failed, says what was reached, and offers only the
 * ways out that apply to the request (TF.js is float32 only: --dtype float32, never
 * --dtype float64; compile has no --max-segments).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Refusal } from '../../src/cli/outputs.ts';
import { compileFormula, type CompileOptions } from '../../src/compile/compile.ts';
import { InputError, WorkError } from '../../src/errors.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'knotnet-messages-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The message of the WorkError `f` throws. */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof WorkError, String(e));
    return e.message;
  }
  assert.fail('expected a WorkError');
}

/** Quotes the tolerance only as the user gave it, and no flag the command does not have. */
function inUserTerms(message: string, given: string, foreign: RegExp[]): void {
  assert.ok(message.includes(`--max-error ${given} `), `quotes the user's --max-error ${given}: ${message}`);
  const quoted = [...message.matchAll(/--max-error ([0-9][^\s,;:)]*)/g)].map((m) => m[1]);
  assert.deepEqual(quoted.filter((v) => v !== given), [], `no other tolerance quoted: ${message}`);
  assert.doesNotMatch(message, /budget/, 'no internal budget');
  for (const f of foreign) assert.doesNotMatch(message, f, `inapplicable remedy ${f}: ${message}`);
}

test('compile: a node that cannot be built names the node in the formula\'s text, what it reached, and compile\'s ' +
  'own remedies', () => {
  const o: CompileOptions = { expr: 'sin(x)*y', vars: { x: [0, 3], y: [0, 1] }, maxError: 1e-3, maxSegments: 3,
    deep: 'never' };
  const m = messageOf(() => compileFormula(o));
  inUserTerms(m, '0.001', [/--max-segments/, /--dtype/, /--deep always/]);
  assert.match(m,
    new RegExp(String.raw`the node sin\(x\) \(on its range \[0\.00, 3\.00\]\) needs at least \d+ segments \(a ` +
      String.raw`proven lower bound\), more than the limit of 3`));
  assert.match(m, /raise --max-error/);
});

test('compile: a square node that cannot be built offers --deep always (which builds squares another way)', () => {
  const m = messageOf(() => compileFormula({ expr: 'x^2 + y', vars: { x: [0, 3], y: [0, 1] }, maxError: 1e-6,
    maxSegments: 3, deep: 'never' }));
  inUserTerms(m, '0.000001', [/--max-segments/, /--dtype/]);
  assert.match(m, /the node x \^ 2 .*--deep always/);
});

test('compile --dtype float32: float32 rounding above the tolerance quotes |f| of the user\'s function and offers ' +
  '--dtype float64', () => {
  const m = messageOf(() => compileFormula({ expr: 'x*y', vars: { x: [1, 2], y: [1, 2] }, maxError: 3e-7,
    dtype: 'float32', maxSegments: 50 }));
  inUserTerms(m, '3e-7', [/--max-segments/, /--deep always/]);
  assert.match(m,
    new RegExp(String.raw`float32 rounding \(\|f\| reaches 4\.00, where float32 resolves about 2\.38e-7\); raise ` +
      String.raw`--max-error or use --dtype float64\.$`));
});

test('approx: a tolerance needing more segments than the limit quotes the user\'s tolerance and the limit', () => {
  const m = messageOf(() => approximate({ expr: 'sin(x)', domain: [0, 10], size: { kind: 'maxError', error: 1e-8 },
    maxSegments: 10 }));
  inUserTerms(m, '1e-8', []);
  assert.match(m, /more than the limit of 10 \(--max-segments\)/);
});

test('float32 refusal of exports: TF.js is float32 only, so --dtype float32 is offered and --dtype float64 is not',
  () => {
  const tfjs = float32Refusal(1e-4, 0.0079, 1, true, false);
  inUserTerms(tfjs, '0.0001', [/--dtype float64/]);
  assert.match(tfjs, /TF\.js stores float32 weights only: rerun with --dtype float32/);
  assert.match(tfjs, /\|f\| reaches 1\.00/);
  const asked = float32Refusal(1e-4, 0.0079, 1, true, true);
  inUserTerms(asked, '0.0001', [/rerun with --dtype float32/]);
  const onnx = float32Refusal(1e-4, 0.0079, 1, false, true);
  inUserTerms(onnx, '0.0001', [/TF\.js/, /--dtype float32/]);
  assert.match(onnx, /export with --dtype float64, or raise --max-error/);
});

test('approx "sqrt(x)" --max-error 1e-4 --export m_tfjs m.safetensors m.json: exit 1, says TF.js is float32 only and ' +
  'offers --dtype float32, writes nothing', async () => {
  const out = ['m_tfjs', 'm.safetensors', 'm.json'].map((f) => join(dir, f));
  const r = await runCli(['approx', 'sqrt(x)', '--domain', '0:1', '--max-error', '1e-4', '--export', ...out]);
  assert.equal(r.code, 1, r.stderr);
  const line = r.stderr.trim().split('\n').find((l) => l.startsWith('knotnet: '))!;
  inUserTerms(line, '0.0001', [/--dtype float64/]);
  assert.match(line, /TF\.js stores float32 weights only: rerun with --dtype float32/);
  assert.match(line, /\|f\| reaches 1\.00 /, 'the magnitude of sqrt on [0, 1], not of an internal layer');
  for (const f of out) assert.equal(existsSync(f), false, `${f} not written`);
});

test('compile: a tolerance below the float32 floor (2^-24 of max |f|) is refused at once as bad input', () => {
  assert.throws(() => compileFormula({ expr: 'x*y', vars: { x: [1, 2], y: [1, 2] }, maxError: 2e-7, dtype: 'float32' }),
    (e: unknown) => e instanceof InputError
      && new RegExp(String.raw`^maxError must be at least the float32 floor of this function, 2\.38e-7 \(the ` +
        String.raw`rounding of an output of max \|f\| = 4\.00 in float32, 2\^-24 of it, which every float32 ` +
        String.raw`certificate includes\) \(got 2e-7\)\.$`).test(e.message));
});

test('a formula that starts with a minus sign, taken for an option by the parser, is named with the way to pass it: in '
  + 'parentheses, which then builds; a misspelt option keeps the suggestion', async () => {
  const r = await runCli(['approx', '-x^2', '--domain', '0:1', '--max-error', '1e-3']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: unknown option \'-x^2\' (a formula that starts with a minus sign goes in parentheses: '
    + '"(-x^2)")\n');
  assert.equal((await runCli(['approx', '(-x^2)', '--domain', '0:1', '--max-error', '1e-3', '--quiet'])).code, 0);
  const typo = await runCli(['approx', 'x^2', '--domian', '0:1']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^error: unknown option '--domian'\n\(Did you mean --domain\?\)\n$/);
});
