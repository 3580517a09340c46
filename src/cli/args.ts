import { InputError } from '../errors.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { nameRecord } from '../expr/names.ts';
import { parseFormula } from '../expr/parse.ts';

/** A number in any JS notation (1e6, 2.4e7, -0.5); rejects empty, NaN and ±Infinity. */
export function parseNumber(text: string, argument: string): number {
  const v = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (!Number.isFinite(v)) throw new InputError(argument, 'be a finite number', text);
  return v;
}

export function parsePositive(text: string, argument: string): number {
  const v = parseNumber(text, argument);
  if (!(v > 0)) throw new InputError(argument, 'be a positive number', text);
  return v;
}

export function parseCount(text: string, argument: string, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new InputError(argument, `be a whole number from 1 to ${max}`,
    text);
  return v;
}

/** Largest seed: mulberry32 (src/random.ts) keeps 32 bits. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * The one seed parser of every command: a whole number from 0 to MAX_SEED, as typed ("abc", "-1", "1.5" are refused).
 */
export function parseSeed(text: string, argument = '--seed'): number {
  const v = typeof text === 'string' && /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v > MAX_SEED) throw new InputError(argument,
    `be a whole number from 0 to ${MAX_SEED}`, text, { field: 'seed', code: 'out-of-range' });
  return v;
}

export function parseNumberInRange(text: string, argument: string, lo = 0, hi = 1): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new InputError(argument, `be a number from ${lo} to ${hi}`, text);
  return v;
}

/**
 * An end of an interval: a number in any JS notation, or a formula of constants (pi/2, 2*pi,
 * sqrt(2), e^3) evaluated in float64; that double is the end the region has. NaN otherwise.
 */
function intervalEnd(text: string): number {
  const v = Number(text);
  if (!Number.isNaN(v) || !/[a-z(]/i.test(text)) return v;
  try {
    const f = parseFormula(text, 'end');
    return f.variables.length === 0 ? compileFunction(f.expr, [])() : NaN;
  } catch {
    return NaN;
  }
}

/** "a:b" with a < b, both finite: numbers or formulas of constants (intervalEnd). */
export function parseInterval(text: string, argument: string): [number, number] {
  const m = /^\s*([^:]+?)\s*:\s*([^:]+?)\s*$/.exec(text ?? '');
  if (!m) throw new InputError(argument, 'be an interval a:b', text);
  const a = intervalEnd(m[1]!);
  const b = intervalEnd(m[2]!);
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new InputError(argument, 'have finite ends a:b (numbers, or constants such as pi/2)', text);
  }
  if (!(a < b)) throw new InputError(argument, 'be a non-empty interval a:b with a < b', text);
  // Sampling and placement divide b − a: past float64's range it is Infinity (samples at ±Infinity).
  if (!(b - a < Infinity)) {
    throw new InputError(argument, 'have a width b − a that float64 holds (at most 1.8e308)', text);
  }
  return [a, b];
}

/** "name=a:b". */
export function parseVarRange(text: string, argument: string): { name: string; range: [number, number] } {
  const i = (text ?? '').lastIndexOf('=');
  if (i <= 0) throw new InputError(argument, 'be name=a:b', text);
  const name = text.slice(0, i).trim();
  return { name, range: parseInterval(text.slice(i + 1), `${argument} ${name}`) };
}

/** Repeated "name=a:b" flags as a record; a name given twice is bad input (not silently the last). */
export function parseVarRanges(texts: string[], argument: string): Record<string, [number, number]> {
  const out = nameRecord<[number, number]>();
  for (const t of texts) {
    const p = parseVarRange(t, argument);
    if (Object.hasOwn(out, p.name)) throw new InputError(argument, `give each name once (${p.name} is given twice)`, t);
    out[p.name] = p.range;
  }
  return out;
}

export function parseChoice<T extends string>(text: string, argument: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new InputError(argument, `be one of ${choices.join(', ')}`,
    text);
  return text as T;
}

/** The one collector of repeatable flags (commander's option argument parser): each value appended to the list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
