import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import { exprToString } from '../expr/ast.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { parseFormula } from '../expr/parse.ts';
import { readCsv } from './csv.ts';

/**
 * Reads `--data` samples for `expr` and completes the region from them: inputs without a
 * `--var` get the data's range, the arguments of sqrt/log/division get the range their values
 * take on the data, each widened by `margin` of its width. A given `--range` must hold for
 * every row (the data contradicts it otherwise). Fills `vars` and `ranges` in place; returns
 * the rows (row-major, columns in the expression's variable order).
 */
export function regionFromData(path: string, expr: string, vars: Record<string, [number, number]>,
  ranges: Record<string, [number, number]>, margin: number): { rows: Float64Array; count: number } {
  const formula = parseFormula(expr);
  const csv = readCsv(path);
  const missing = formula.variables.filter((v) => !csv.header.includes(v));
  if (missing.length) throw new InputError(`--data ${path} header`,
    `name every variable of the expression (missing ${missing.join(', ')})`, csv.header.join(','));
  const cols = formula.variables.map((v) => csv.header.indexOf(v));
  const d = cols.length;
  const rows = new Float64Array(csv.count * d);
  for (let i = 0; i < csv.count; i++) cols.forEach((c,
    j) => { rows[i * d + j] = csv.rows[i * csv.header.length + c]!; });
  const row = (i: number) => Array.from(rows.subarray(i * d, i * d + d));
  formula.variables.forEach((v, j) => {
    if (vars[v]) return;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < csv.count; i++) { lo = Math.min(lo, rows[i * d + j]!); hi = Math.max(hi, rows[i * d + j]!); }
    if (lo === hi) throw new InputError(`--data ${path} column ${v}`,
      `vary for its range to be taken from the data (every row holds the same value; give it with --var ${v}=a:b)`, lo);
    const w = (hi - lo) * margin || Math.abs(lo) * 1e-9 || 1e-9;
    vars[v] = [lo - w, hi + w];
  });
  for (const [text, [a, b]] of Object.entries(ranges)) {
    const sub = parseFormula(text, '--range');
    const extra = sub.variables.filter((v) => !formula.variables.includes(v));
    if (extra.length) throw new InputError('--range', 'use only variables of the expression',
      `${text} (${extra.join(', ')})`);
    const f = compileFunction(sub.expr, formula.variables);
    for (let i = 0; i < csv.count; i++) {
      const v = f(...row(i));
      if (!(v >= a && v <= b)) throw new InputError(`--range ${text}`,
        `hold for the data (${path} line ${i + 2} gives ${v})`, `${a}:${b}`);
    }
  }
  for (const sub of argumentsOfPartialFunctions(formula.expr)) {
    if (ranges[sub.text]) continue;
    const f = compileFunction(sub.expr, formula.variables);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < csv.count; i++) { const v = f(...row(i)); lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const w = (hi - lo) * margin;
    ranges[sub.text] = [lo - w, hi + w];
  }
  return { rows, count: csv.count };
}

/** Arguments of sqrt, log, log1p, fractional powers and denominators: where ranges matter. */
function argumentsOfPartialFunctions(e: Expr,
  out: { expr: Expr; text: string }[] = []): { expr: Expr; text: string }[] {
  const push = (x: Expr) => { if (x.op !== 'var' && x.op !== 'const') out.push({ expr: x, text: exprToString(x) }); };
  switch (e.op) {
    case 'const': case 'var': break;
    case 'neg': argumentsOfPartialFunctions(e.arg, out); break;
    case 'call':
      if (['sqrt', 'log', 'log1p'].includes(e.fn)) push(e.arg);
      argumentsOfPartialFunctions(e.arg, out);
      break;
    case 'div': push(e.b); argumentsOfPartialFunctions(e.a, out); argumentsOfPartialFunctions(e.b, out); break;
    case 'pow': if (!(e.b.op === 'const' && Number.isInteger(e.b.value))) push(e.a); argumentsOfPartialFunctions(e.a,
      out); break;
    default: argumentsOfPartialFunctions(e.a, out); argumentsOfPartialFunctions(e.b, out);
  }
  return out;
}
