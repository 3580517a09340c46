/**
 * The library's options checked up front, in its own terms: every public entry point checks
 * its options before any work, and a bad one is an InputError naming the option by its field
 * (`placement`, `domain`, `size.segments`, …, never a CLI flag; the CLI maps fields to flags
 * when it prints, cli/flags.ts) with a stable code. Pure: no `node:` modules, console or process.
 *
 * Codes of these checks (beside the ones of deeper rules, e.g. `empty-interval`, `not-positive`):
 * - `not-object`: the options (or an entry of a list) are not an object;
 * - `unknown-option`: an option name the entry point does not have (a typo is not ignored);
 * - `missing`: a required option is absent;
 * - `wrong-type`: a value of the wrong type (a string where a number goes, …);
 * - `not-one-of`: a choice outside its list (`fit: 'bogus'`, `dtype: 'float16'`);
 * - `not-whole`: a count that is not a whole number;
 * - `out-of-range`: a number outside its stated limits;
 * - `not-finite`: a number that is NaN or infinite where a finite one goes;
 * - `malformed`: a network whose shape does not hold together.
 */
import { InputError } from './errors.ts';

export type Options = Readonly<Record<string, unknown>>;

const shown = (v: unknown): unknown => (typeof v === 'object' && v !== null ? (Array.isArray(v) ? 'an array'
  : 'an object') : typeof v === 'function' ? 'a function' : v);

/** The options object of `entry`, refused when it is not an object or names an option not in `allowed`. */
export function optionsOf(value: unknown, field: string, allowed: readonly string[]): Options {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(field,
    'be an object of options', shown(value), { field, code: 'not-object' });
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InputError(`${field}.${key}`, `be one of the options ${allowed.join(', ')}`,
      key, { field: key, code: 'unknown-option' });
  }
  return value as Options;
}

/** A required option is present. */
export function required(o: Options, field: string, path = field): unknown {
  const v = o[field];
  if (v === undefined) throw new InputError(path, 'be given', 'nothing', { field: path, code: 'missing' });
  return v;
}

/** An optional choice is one of `choices`. */
export function choice(value: unknown, field: string, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value as string)) throw new InputError(field,
    `be one of ${choices.join(', ')}`, shown(value), { field, code: 'not-one-of' });
}

/** An optional value is of the JS type `type` ('string', 'number', 'boolean', 'function'). */
export function ofType(value: unknown, field: string, type: string): void {
  if (value !== undefined && typeof value !== type) throw new InputError(field, `be a ${type}`, shown(value),
    { field, code: 'wrong-type' });
}

/** An optional whole number in [min, max]. */
export function wholeNumber(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  ofType(value, field, 'number');
  if (!Number.isInteger(value)) throw new InputError(field, 'be a whole number', value, { field, code: 'not-whole' });
  if ((value as number) < min || (value as number) > max) throw new InputError(field,
    `be between ${min} and ${max}`, value, { field, code: 'out-of-range' });
}

/** An optional finite number above 0. */
export function positiveNumber(value: unknown, field: string): void {
  if (value === undefined) return;
  ofType(value, field, 'number');
  if (!Number.isFinite(value)) throw new InputError(field, 'be a finite number', value, { field, code: 'not-finite' });
  if (!((value as number) > 0)) throw new InputError(field, 'be above 0', value, { field, code: 'not-positive' });
}

/** An optional pair [a, b] of numbers (their order and finiteness are the entry point's rules). */
export function numberPair(value: unknown, field: string, key?: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number')) {
    throw new InputError(key === undefined ? field : `${field} ${key}`, 'be a pair [a, b] of numbers', shown(value),
      { field, code: 'wrong-type', ...(key === undefined ? {} : { key }) });
  }
}

/** An optional record of names to pairs [a, b], copied without a prototype (expr/names.ts). */
export function pairRecord(value: unknown, field: string): Record<string, [number, number]> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(field,
    'map names to pairs [a, b]', shown(value), { field, code: 'wrong-type' });
  const out = Object.create(null) as Record<string, [number, number]>;
  for (const [name, pair] of Object.entries(value)) {
    numberPair(pair, field, name);
    out[name] = pair as [number, number];
  }
  return out;
}

/** An optional list whose entries pass `check`. */
export function listOf(value: unknown, field: string, check: (entry: unknown, path: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new InputError(field, 'be a list', shown(value), { field, code: 'wrong-type' });
  value.forEach((entry, i) => check(entry, `${field}[${i}]`));
}

/** A list of names (strings). */
export function nameList(value: unknown, field: string): void {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new InputError(field,
    'be a list of names', shown(value), { field, code: 'wrong-type' });
}

/** A formula tree (parseFormula(text).expr): an object with an `op`. */
export function exprTree(e: unknown, field: string): void {
  if (typeof e !== 'object' || e === null || typeof (e as { op?: unknown }).op !== 'string') throw new InputError(field,
    'be a formula tree (parseFormula(text).expr)', shown(e), { field, code: 'wrong-type' });
}

/** Bounds `lo`, `hi` of a box: lists of numbers, one per input, lo <= hi. */
export function boxBounds(lo: unknown, hi: unknown, inputs: number): void {
  for (const [field, v] of [['lo', lo], ['hi', hi]] as const) {
    const list = v as ArrayLike<unknown> | null | undefined;
    if (typeof list !== 'object' || list === null || typeof list.length !== 'number') throw new InputError(field,
      'be a list of numbers', shown(v), { field, code: 'wrong-type' });
    if (list.length !== inputs) throw new InputError(field, `hold one bound per input (${inputs})`, list.length,
      { field, code: 'wrong-length' });
  }
  const [l, h] = [lo as ArrayLike<number>, hi as ArrayLike<number>];
  for (let i = 0; i < inputs; i++) {
    if (!(l[i]! <= h[i]!)) throw new InputError('lo', 'be at most hi', `${l[i]} > ${h[i]}`,
      { field: 'lo', code: 'empty-interval' });
  }
}

/** A piecewise-linear function { x, y }: at least two knots, x increasing and finite, y finite. */
export function checkPwl(p: unknown, field = 'pwl'): void {
  const { x, y } = (p ?? {}) as { x?: ArrayLike<number>; y?: ArrayLike<number> };
  const bad = (rule: string, value: unknown) => new InputError(field, rule, value, { field, code: 'malformed' });
  if (!x || !y || typeof x.length !== 'number' || x.length < 2 || y.length !== x.length) {
    throw bad('be { x, y } with at least two knots, as many values as knots', shown(p));
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i]) || (i > 0 && !(x[i]! > x[i - 1]!))) {
      throw bad('have finite values at finite, increasing knots', `knot ${i}: (${x[i]}, ${y[i]})`);
    }
  }
}

/** The float types networks run and are stored in. */
export const DTYPES = ['float64', 'float32'] as const;

/** Just the shape checkNetwork needs (the type lives in net/network.ts, above this module). */
interface LayerLike { activation: unknown; inSize: unknown; outSize: unknown; weights: unknown; bias: unknown }

/**
 * A network option holds together: names, at least one layer, each layer's sizes, weight and
 * bias lengths and activation, consecutive layers that fit, a linear last layer (net/network.ts).
 */
export function checkNetwork(net: unknown, field = 'net'): void {
  const o = net as { inputs?: unknown; outputs?: unknown; layers?: unknown } | null;
  if (typeof o !== 'object' || o === null) {
    throw malformed(field, 'be a network { inputs, outputs, layers }', shown(net));
  }
  if (!names(o.inputs) || !names(o.outputs)) throw malformed(field, 'name its inputs and outputs (lists of strings)',
    'other');
  if (!Array.isArray(o.layers) || o.layers.length === 0) {
    throw malformed(field, 'have at least one layer', shown(o.layers));
  }
  const layers = o.layers as LayerLike[];
  let width = (o.inputs as string[]).length;
  for (let i = 0; i < layers.length; i++) width = checkLayer(layers[i], i, width, field);
  const last = layers.at(-1)!;
  if (width !== (o.outputs as string[]).length || last.activation !== 'linear') {
    const outputs = (o.outputs as string[]).length;
    throw malformed(field, `end in a linear layer of ${outputs} outputs`, `${width} (${String(last.activation)})`);
  }
}

// checkNetwork's helpers live at module level: evaluate() checks its network on every call.

const malformed = (field: string, rule: string, value: unknown) =>
  new InputError(field, rule, value, { field, code: 'malformed' });

const names = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isString);

const isString = (s: unknown) => typeof s === 'string';

const sized = (v: unknown, n: number) => (ArrayBuffer.isView(v) || Array.isArray(v))
  && (v as ArrayLike<number>).length === n;

/** Layer i of a network, taking `width` inputs: its sizes and activation; returns its width. */
function checkLayer(l: LayerLike | undefined, i: number, width: number, field: string): number {
  if (l?.inSize !== width || !Number.isInteger(l.outSize) || (l.outSize as number) < 1) {
    throw malformed(field, `have layers that fit (layer ${i + 1} takes ${width} inputs)`,
      `inSize ${String(l?.inSize)}`);
  }
  if (!sized(l.weights, width * (l.outSize as number)) || !sized(l.bias, l.outSize as number)) {
    throw malformed(field, `have layer ${i + 1}'s weights (outSize × inSize) and bias (outSize) at their sizes`,
      'other sizes');
  }
  if (l.activation !== 'relu' && l.activation !== 'linear') throw malformed(field, 'use only relu and linear layers',
    String(l.activation));
  return l.outSize as number;
}
