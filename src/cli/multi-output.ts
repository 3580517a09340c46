import { InputError } from '../errors.ts';
import type { OutputSpec } from '../compile/compile.ts';
import { listFormulas } from '../expr/list.ts';
import { parsePositive } from './args.ts';

/**
 * The outputs asked for: one formula (<expr>), a list "[a, b, …]" (outputs y1, y2, …) or
 * repeated --out name=expr; --max-error E for all and/or name=E per output.
 */
export function parseOutputs(exprArg: string | undefined, outs: string[],
  errors: string[]): { expr: string; maxError: number; outputs?: OutputSpec[] } {
  let specs: OutputSpec[] | undefined;
  if (outs.length > 0) {
    if (exprArg !== undefined) throw new InputError('--out', 'replace <expr>, not come with it', exprArg);
    specs = outs.map((o) => {
      const eq = o.indexOf('=');
      if (eq <= 0) throw new InputError('--out', 'be name=formula', o);
      return { name: o.slice(0, eq).trim(), expr: o.slice(eq + 1).trim() };
    });
  } else if (exprArg === undefined) throw new InputError('expression', 'be given (a formula, a list "[a, b]" or ' +
    '--out name=formula)', '');
  else if (listFormulas(exprArg)) {
    specs = listFormulas(exprArg)!.map((e, i) => ({ name: `y${i + 1}`, expr: e }));
    if (specs.length === 0 || specs.some((o) => o.expr === '')) throw new InputError('expression',
      'list non-empty formulas separated by commas', exprArg);
  }
  let all: number | undefined;
  for (const e of errors) {
    const eq = e.indexOf('=');
    if (eq < 0) { all = parsePositive(e, '--max-error'); continue; }
    const name = e.slice(0, eq).trim();
    const spec = specs?.find((o) => o.name === name);
    if (!spec) throw new InputError('--max-error',
      `name an output (${specs ? specs.map((o) => o.name).join(', ') : 'there is only one'})`, e);
    spec.maxError = parsePositive(e.slice(eq + 1), `--max-error ${name}`);
  }
  const eachGiven = specs && specs.every((o) => o.maxError !== undefined);
  const maxError = all ?? (specs && eachGiven ? Math.min(...specs.map((o) => o.maxError!)) : 1);
  const expr = specs ? `[${specs.map((o) => o.expr).join(', ')}]` : exprArg!;
  return { expr, maxError, ...(specs ? { outputs: specs } : {}) };
}
