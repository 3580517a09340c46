import { InputError } from '../errors.ts';
import { idOf } from './calls.ts';

/**
 * The limits of a formula, checked on its text before mathjs reads it. mathjs parses by
 * recursive descent: each level of parentheses costs it about 38 stack frames (261 levels
 * overflow Node's default stack), each unary sign one, each `^` of a chain two, and a `%`
 * followed by a group is parsed twice (2^n work for n nested groups). So the text is scanned
 * first: brackets balanced and nested at most MAX_FORMULA_DEPTH deep, signs and powers
 * chained at most that deep together with the brackets around them, and the characters that
 * can only make a refused node (`? % [ ] { } ; " '` and a lone `=`) refused at once. What
 * passes is parsed within the stack (mathjs.ts parseWithinStack takes deep groups apart).
 */

/** Limits that keep every pass over a formula (derivatives, enclosures, evaluation) cheap and within the stack. */
export const MAX_FORMULA_CHARS = 200_000;
/**
 * Every sampled value of f walks all nodes (about 20 ns each once optimized), and sizing and
 * certifying take tens of thousands of values: 10,000 nodes (a 2,500-term sum) keeps that
 * within seconds.
 */
export const MAX_FORMULA_NODES = 10_000;
export const MAX_FORMULA_DEPTH = 400;

export const NOT_PLAIN = 'be a plain formula (no assignments, conditionals, matrices, transposes, units or strings)';
/** Characters that can only make what convert refuses (conditionals, matrices, objects, strings, blocks). */
const NEVER_PLAIN = new Set(['?', '[', ']', '{', '}', ';', '"', "'"]);
/** Words mathjs reads as binary operators (they end a chain of signs and powers). */
const BINARY_WORDS = new Set(['and', 'or', 'xor', 'mod', 'to', 'in']);

/** What nestingOf finds: the deepest brackets, the deepest chain with them, the numbers and names. */
interface Nesting { brackets: number; chain: number; operands: number }

/** One level of brackets: its depth, and the signs and powers chained in it so far. */
interface Level { base: number; chain: number }

/**
 * Throws an InputError (one sentence, naming `argument`) when the text breaks a limit above
 * or uses a character that can only make a refused formula; otherwise returns nothing.
 */
export function scanFormulaText(text: string, argument: string): void {
  if (text.length > MAX_FORMULA_CHARS) throw new InputError(argument, `have at most ${MAX_FORMULA_CHARS} characters`,
    `${text.length} characters`, idOf(argument, 'too-long'));
  refuseNeverPlain(text, argument);
  const { brackets, chain, operands } = nestingOf(text, argument);
  // Each number and name is a node of the formula: far more than the limit is refused before mathjs reads them.
  if (operands > 4 * MAX_FORMULA_NODES) throw new InputError(argument,
    `have at most ${MAX_FORMULA_NODES} operations, numbers and variables`, `${operands} numbers and names alone`,
    idOf(argument, 'too-large'));
  if (brackets > MAX_FORMULA_DEPTH) throw new InputError(argument,
    `nest parentheses at most ${MAX_FORMULA_DEPTH} deep`, `${brackets} deep`, idOf(argument, 'too-deep'));
  if (chain > MAX_FORMULA_DEPTH) throw new InputError(argument,
    `nest parentheses, signs and powers at most ${MAX_FORMULA_DEPTH} deep together`, `${chain} deep`,
    idOf(argument, 'too-deep'));
}

function refuseNeverPlain(text: string, argument: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') throw new InputError(argument, 'use only the operators + - * / ^', `% in ${text}`,
      idOf(argument, 'unknown-operator'));
    const loneEquals = c === '=' && !'<>=!'.includes(text[i - 1] ?? '') && text[i + 1] !== '=';
    if (NEVER_PLAIN.has(c) || loneEquals) throw new InputError(argument, NOT_PLAIN, text, idOf(argument, 'not-plain'));
  }
}

/**
 * The deepest bracket nesting, the deepest nesting of brackets, unary signs (`+ - ~ not`)
 * and `^` together, and the count of numbers and names, in one pass. A chain of signs and
 * powers is counted until an operator that ends it (`+ - * / ,`, comparisons, and, or, …, or
 * two operands side by side): an upper bound of both mathjs's recursion and the depth of the
 * tree the signs and powers make.
 * Unbalanced brackets are refused here (mathjs would recurse into each unclosed one).
 */
function nestingOf(text: string, argument: string): Nesting {
  const levels: Level[] = [{ base: 0, chain: 0 }];
  let brackets = 0, chain = 0, operands = 0, operand = false;
  const top = () => levels[levels.length - 1]!;
  const unbalanced = (rule: string) => new InputError(argument, rule, text, idOf(argument, 'syntax'));
  const link = () => { top().chain++; chain = Math.max(chain, top().base + top().chain); operand = false; };
  const end = () => { top().chain = 0; operand = false; };
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    const { token, operand: isOperand } = tokenAt(text, i);
    i += token.length;
    if (c === '(') {
      levels.push({ base: top().base + top().chain + 1, chain: 0 });
      brackets = Math.max(brackets, levels.length - 1);
      chain = Math.max(chain, top().base);
      operand = false;
    } else if (c === ')') {
      if (levels.length === 1) throw unbalanced('be a valid formula (a ")" closes no parenthesis)');
      levels.pop();
      operand = true;
    } else if (token === '^' || token === '.^' || token === '~' || token === 'not') link();
    else if (c === '+' || c === '-') {
      if (operand) end();
      else link();
    } else if (/\s/.test(c)) continue;
    else if (isOperand) {
      if (operand) end();
      operand = true;
      operands++;
    } else if (token === '!') operand = true;
    else end();
  }
  if (levels.length > 1) throw unbalanced('be a valid formula (a parenthesis is not closed)');
  return { brackets, chain, operands };
}

const WORD_START = 'A-Za-z_$\\u00C0-\\u02AF\\u0370-\\u03FF\\u2100-\\u214F\\u{1D400}-\\u{1D7FF}';
/** A number with its exponent's sign, or a word (mathjs's letters), read where lastIndex says (sticky). */
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = new RegExp(`[${WORD_START}][\\w${WORD_START}]*`, 'uy');

/** The token starting at i: a number, a word, `.^`, or one character; `operand` for a number or a word. */
function tokenAt(text: string, i: number): { token: string; operand: boolean } {
  for (const pattern of [NUMBER, WORD]) {
    pattern.lastIndex = i;
    const match = pattern.exec(text);
    if (match) return { token: match[0], operand: !BINARY_WORDS.has(match[0]) };
  }
  return { token: text.startsWith('.^', i) ? '.^' : text[i]!, operand: false };
}
