/**
 * The parser's limits hold for every construct, before mathjs recurses: 400 nested
 * parentheses or calls parse (mathjs alone overflows at 261), longer chains of signs, powers,
 * products and transposes are refused in one sentence, and deep groups taken apart
 * (expr/mathjs.ts parseWithinStack) keep their meaning. Names that objects inherit
 * (`constructor`, `__proto__`, …) are plain variables. A seeded fuzz of random and mutated
 * texts through the CLI's parse path (listFormulas, then parseFormula with a jump list as
 * compile reads it): each parses or throws an InputError of one sentence, never another error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../src/errors.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { enclose } from '../../src/expr/interval.ts';
import type { JumpSite } from '../../src/expr/jumps.ts';
import { listFormulas } from '../../src/expr/list.ts';
import { MAX_FORMULA_DEPTH, parseFormula } from '../../src/expr/parse.ts';
import { propertyRuns } from '../support/runs.ts';

const nest = (open: string, inner: string, n: number) => open.repeat(n) + inner + ')'.repeat(n);

/** The InputError of parseFormula(text), with its field and code. */
function refusal(text: string): InputError {
  try {
    parseFormula(text);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError for ${text.slice(0, 40)}…, got ${String(e)}`);
    return e;
  }
  assert.fail(`${text.slice(0, 40)}… parsed`);
}

describe('the README limits hold for every construct', () => {
  it(`${MAX_FORMULA_DEPTH} nested parentheses and abs( ${MAX_FORMULA_DEPTH - 1} deep parse to the formula written`,
    () => {
      const x = 0.37;
      assert.equal(compileFunction(parseFormula(nest('(', 'x', MAX_FORMULA_DEPTH)).expr, ['x'])(x), x);
      const abs = parseFormula(nest('abs(', '-x', MAX_FORMULA_DEPTH - 2));
      assert.equal(compileFunction(abs.expr, ['x'])(x), x);
    });

  const refused: [string, string, string][] = [
    [`${MAX_FORMULA_DEPTH + 1} nested parentheses`, nest('(', 'x', MAX_FORMULA_DEPTH + 1), 'too-deep'],
    ['abs( 2,000 deep', nest('abs(', 'x', 2000), 'too-deep'],
    ['2,000 unary minus signs', `${'-'.repeat(2000)}x`, 'too-deep'],
    ['2,000 not', `${'not '.repeat(2000)}x`, 'too-deep'],
    ['a 2,000-factor product', Array(2000).fill('x').join('*'), 'too-deep'],
    ['a 2,000-factor implicit product', Array(2000).fill('2').join(' x '), 'too-deep'],
    ['a tower of 2,000 powers', Array(2000).fill('x').join('^-'), 'too-deep'],
    ['5,000 transposes', `x${"'".repeat(5000)}`, 'not-plain'],
    ['5,000 factorials', `x${'!'.repeat(5000)}`, 'too-deep'],
    ['a chain of 5,000 calls', `x${'(1)'.repeat(5000)}`, 'too-deep'],
    ['5,000 accessors', `x${'.a'.repeat(5000)}`, 'too-deep'],
    ['min of 2,000 arguments', `min(${Array(2000).fill('x').join(', ')})`, 'too-deep'],
    ['2,000 nested conditionals', `${'x ? '.repeat(2000)}x${' : x'.repeat(2000)}`, 'not-plain'],
    ['2,000 chained assignments', `${'x = '.repeat(2000)}x`, 'not-plain'],
    ['x%( 30 deep (mathjs parses each group twice: 2^30 work)', nest('x%(', 'x', 30), 'unknown-operator'],
    ['300 unclosed parentheses', `${'('.repeat(300)}x`, 'syntax'],
    ['a 100,000-term sum (200,000 characters), refused before mathjs reads it', `${'x+'.repeat(99_999)}x`, 'too-large'],
    ['-( 250 deep (signs and parentheses together)', nest('-(', 'x', 250), 'too-deep'],
  ];
  for (const [what, text, code] of refused) {
    it(`${what}: an InputError (field expr, code ${code}), one sentence`, () => {
      const e = refusal(text);
      assert.equal(e.field, 'expr');
      assert.equal(e.code, code);
      assert.match(e.message, /^expression must [^\n]* \(got [^\n]*\)\.$/);
    });
  }
});

describe('deep groups parsed apart keep their meaning', () => {
  /** A wrapper around the formula so far: its text and the value it computes from the inner value. */
  type Wrap = { text: (inner: string) => string; value: (v: number) => number };
  const wraps: Wrap[] = [
    { text: (s) => `(${s})`, value: (v) => v },
    { text: (s) => `abs(${s})`, value: (v) => Math.abs(v) },
    { text: (s) => `min(${s}, 0.5)`, value: (v) => Math.min(v, 0.5) },
    { text: (s) => `max(0.25, ${s}, -1)`, value: (v) => Math.max(0.25, v, -1) },
    { text: (s) => `2(${s})`, value: (v) => 2 * v },
    { text: (s) => `(${s}) y`, value: (v) => v * 0.5 },
    { text: (s) => `1 - (${s})`, value: (v) => 1 - v },
    { text: (s) => `(${s})/4`, value: (v) => v / 4 },
  ];
  const seed = 3071;
  it(`property: chains of 30–300 random wrappers evaluate as written (fast-check seed ${seed})`, () => {
    fc.assert(fc.property(fc.array(fc.nat(wraps.length - 1), { minLength: 30, maxLength: 300 }), (picks) => {
      let text = 'x', value = 0.3;
      for (const k of picks) { text = wraps[k]!.text(text); value = wraps[k]!.value(value); }
      const f = parseFormula(text);
      const args = f.variables.map((v) => (v === 'x' ? 0.3 : 0.5));
      assert.equal(compileFunction(f.expr, f.variables)(...args), value);
    }), { seed, numRuns: propertyRuns(40) });
  });
});

describe('variables named as members objects inherit', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    it(`${name} is a variable: listed, evaluated and enclosed by its own range`, () => {
      const f = parseFormula(`x + 2*${name}`);
      assert.deepEqual(f.variables, ['x', name]);
      assert.equal(compileFunction(f.expr, f.variables)(1, 3), 7);
      const box = JSON.parse(`{"x": [0, 1], "${name}": [1, 2]}`) as Record<string, [number, number]>;
      const r = enclose(f.expr, box);
      assert.ok(r.lo <= 2 && r.hi >= 5, `${r.lo}, ${r.hi}`);
      assert.throws(() => enclose(f.expr, { x: [0, 1] }), /no range for variable/);
    });
  }
});

/** Tokens of formulas, good and hostile. */
const TOKENS = ['x', 'y', ' ', '1', '2.5e-3', '1e400', '0x1F', 'pi', 'e', '(', ')', '(', ')', '+', '-', '*', '/', '^',
  ',', 'sin(', 'abs(', 'min(', 'hypot(', 'clamp(', 'sign(', "'", '!', '%', '?', ':', '=', '<', '>=', '==', '[', ']',
  '{', '}', '"', 'not ', '~', '.', '__proto__', 'constructor', 'toString', '\n', '#', '$', ';', 'to', ' in ', 'cm',
  'and', '&', '|', '.^', '@', '\\', 'x.y', 'f(', 'end', 'Infinity', 'NaN', '😀'];
const VALID = ['sin(x) + y^2', 'abs(x - 1/3) * exp(-y)', 'min(x, y, 1) - hypot(x, y)', 'clamp((x - 0.5)/0.1, 0, 1)',
  'log1p(x^2) / (1 + y)', '-x^-2 + 2x y', 'atan2(y, x + 2)', '[x, y^2]', 'sign(x - 0.5) + x'];

/** A text: random tokens, or a valid formula mutated (characters replaced, inserted, deleted, a slice repeated). */
const texts = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join('')),
  fc.tuple(fc.constantFrom(...VALID), fc.array(fc.tuple(fc.nat(3), fc.nat(), fc.constantFrom(...TOKENS)),
    { maxLength: 6 }), fc.nat(), fc.integer({ min: 1, max: 600 })).map(([base, edits, at, times]) => {
    let s = base;
    for (const [kind, i, token] of edits) {
      const p = i % (s.length + 1);
      s = kind === 0 ? s.slice(0, p) + token + s.slice(p + 1) : kind === 1 ? s.slice(0, p) + token + s.slice(p)
        : kind === 2 ? s.slice(0, p) + s.slice(p + 1) : s;
    }
    const p = at % (s.length + 1);
    return s.slice(0, p) + s.slice(p, p + 3).repeat(times) + s.slice(p + 3);
  }),
);

describe('fuzz: formula texts through the CLI parse path', () => {
  const seed = 20261207;
  it(`property: each text parses or is refused with one InputError sentence (fast-check seed ${seed})`, (t) => {
    const tally = { parsed: 0, refused: 0 };
    fc.assert(fc.property(texts, (text) => {
      try {
        for (const part of listFormulas(text) ?? [text]) parseFormula(part, 'expression', [] as JumpSite[]);
        tally.parsed++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`${JSON.stringify(text)}: ${String(e)}`);
        assert.equal(e.field, 'expr', e.message);
        assert.ok(e.code, e.message);
        assert.match(e.message, /^expression must [^\n]* \(got [^\n]*\)\.$/, e.message);
        tally.refused++;
      }
    }), { seed, numRuns: propertyRuns(1500) });
    t.diagnostic(`parsed ${tally.parsed}, refused ${tally.refused}`);
  });
});
