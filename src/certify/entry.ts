import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { parseFormula } from '../expr/parse.ts';
import { nonFiniteParameter, type Network } from '../net/network.ts';
import {
  checkNetwork, choice, DTYPES, exprTree, listOf, numberPair, ofType, optionsOf, positiveNumber, required, wholeNumber,
} from '../validate.ts';
import { certifyNetwork, type CertifyOptions, type CertifyResult } from './certify.ts';

/** Options of `certify`: as certifyNetwork's, with formulas also as text. */
export interface CertifyNetworkOptions extends Omit<CertifyOptions, 'expr' | 'ranges'> {
  /** The formula the network should compute: a text (parsed by parseFormula) or a parsed tree. */
  expr: string | Expr;
  /** Conditions on subexpressions that cut the region down: `expr` (text or tree) within [lo, hi]. */
  ranges?: readonly { expr: string | Expr; lo: number; hi: number; text?: string }[];
}

const OPTIONS = ['net', 'expr', 'box', 'ranges', 'gap', 'timeSeconds', 'maxBoxes', 'dtype', 'seed', 'samples',
  'onProgress'] as const;
type Unlisted = Exclude<keyof CertifyNetworkOptions, (typeof OPTIONS)[number]>;
/** Every option of CertifyNetworkOptions is listed (else tsc fails here): none is refused as unknown. */
export const OPTIONS_LISTED: Unlisted extends never ? true : never = true;

/**
 * Proves an upper bound of max |N(x) − f(x)| over a box (cut down by `ranges`) for any plain
 * ReLU network N, and finds a worst input (certify/certify.ts): the answer is [lower, upper].
 * The options are checked first, InputError with field and code: `net` `malformed` (or
 * `not-finite` for a NaN or infinite weight), `expr` as parseFormula's codes or `unknown-name`
 * (a variable that is not an input), `box` `wrong-length`/`wrong-type`, `ranges` `wrong-type`,
 * `gap`/`timeSeconds` `not-positive`/`not-finite`, `maxBoxes`/`seed`/`samples` `not-whole`/
 * `out-of-range`, `dtype` `not-one-of`, `onProgress` `wrong-type`, any other name `unknown-option`.
 */
export function certify(opts: CertifyNetworkOptions): CertifyResult {
  const o = optionsOf(opts, 'options', OPTIONS);
  checkNetwork(required(o, 'net'));
  const net = o.net as Network;
  const bad = nonFiniteParameter(net);
  if (bad) throw new InputError('net', 'have finite weights and biases', bad, { field: 'net', code: 'not-finite' });
  const expr = formulaOf(required(o, 'expr'), 'expr', net.inputs);
  const box = required(o, 'box');
  if (!Array.isArray(box) || box.length !== net.inputs.length) throw new InputError('box',
    `give one pair [lo, hi] per network input (${net.inputs.length})`, Array.isArray(box) ? box.length : String(box),
    { field: 'box', code: 'wrong-length' });
  box.forEach((b: unknown, i) => numberPair(b, 'box', net.inputs[i]));
  listOf(o.ranges, 'ranges', (r, path) => {
    const c = optionsOf(r, path, ['expr', 'lo', 'hi', 'text']);
    required(c, 'expr', `${path}.expr`);
    ofType(required(c, 'lo', `${path}.lo`), `${path}.lo`, 'number');
    ofType(required(c, 'hi', `${path}.hi`), `${path}.hi`, 'number');
  });
  positiveNumber(o.gap, 'gap');
  positiveNumber(o.timeSeconds, 'timeSeconds');
  wholeNumber(o.maxBoxes, 'maxBoxes', 1);
  choice(o.dtype, 'dtype', DTYPES);
  wholeNumber(o.seed, 'seed', 0);
  wholeNumber(o.samples, 'samples', 1, 10_000_000);
  ofType(o.onProgress, 'onProgress', 'function');
  const ranges = (opts.ranges ?? []).map((r, i) => ({ ...r, expr: formulaOf(r.expr, `ranges[${i}].expr`,
    net.inputs) }));
  return certifyNetwork({ ...opts, expr, ranges } as CertifyOptions);
}

/** A formula given as text or tree, over the network's inputs only. */
function formulaOf(value: unknown, field: string, inputs: readonly string[]): Expr {
  if (typeof value !== 'string') {
    exprTree(value, field);
    return value as Expr;
  }
  const f = parseFormula(value);
  const foreign = f.variables.find((v) => !inputs.includes(v));
  if (foreign !== undefined) throw new InputError(field, `use only the network's inputs (${inputs.join(', ')})`,
    foreign, { field, code: 'unknown-name' });
  return f.expr;
}
