/**
 * The page's text fields parsed into the core's inputs. Errors are InputErrors named like the
 * CLI's arguments (`--domain`, `--var x`, `--range`), so the page can put each message beside
 * its field.
 */
import { InputError, type InputId } from '../../errors.ts';
import type { OutputSpec } from '../../compile/types.ts';
import { listFormulas } from '../../expr/list.ts';
import { nameRecord } from '../../expr/names.ts';
import { parseFormula } from '../../expr/parse.ts';

type Interval = [number, number];

/** `a:b` with finite a < b; `id` names the field (and key) the text belongs to. */
export function parseInterval(text: string, argument: string, id: InputId = {}): Interval {
  const m = /^\s*([^:]+?)\s*:\s*([^:]+?)\s*$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new InputError(argument,
    'be an interval a:b with finite a < b', text.trim(), { code: 'bad-interval', ...id });
  return [a, b];
}

/** The formula field parsed: its variables and, for a list, the outputs (y1, y2, … as compile names them). */
export interface FormulaField { variables: string[]; outputs?: OutputSpec[] }

/**
 * The formula field: one formula, or a list "[a, b, …]" (one network with several outputs,
 * built by compileFormula with `outputs` as `knotnet compile "[a, b]"` builds it); a list's
 * variables are those of all its formulas.
 */
export function parseFormulaField(text: string): FormulaField {
  const list = listFormulas(text);
  if (!list) return parseFormula(text);
  if (list.some((e) => e === '')) throw new InputError('expression', 'list non-empty formulas separated by commas',
    text.trim(), { field: 'expr', code: 'empty-output' });
  const variables = new Set<string>();
  for (const e of list) for (const v of parseFormula(e).variables) variables.add(v);
  return { variables: [...variables], outputs: list.map((expr, i) => ({ name: `y${i + 1}`, expr })) };
}

/** `name=a:b` pairs separated by `sep`; the last `=` splits (a subexpression may hold none). */
function parsePairs(text: string, sep: string, argument: string, form: string,
  field: string): Record<string, Interval> {
  const out = nameRecord<Interval>();
  for (const part of text.split(sep).filter((p) => p.trim())) {
    const eq = part.lastIndexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !name) throw new InputError(argument, `be ${form}`, part.trim(), { field, code: 'bad-pair' });
    out[name] = parseInterval(part.slice(eq + 1), `${argument} ${name}`, { field, key: name });
  }
  return out;
}

/** `dx=-1:1, dy=0:2` → per-variable ranges. */
export function parseVars(text: string): Record<string, Interval> {
  return parsePairs(text, ',', '--var', 'name=a:b, separated by commas', 'vars');
}

/** `dx^2+dy^2=0.25:2; x*y=0:1` → known ranges of subexpressions (`;` since formulas hold commas). */
export function parseRanges(text: string): Record<string, Interval> {
  return parsePairs(text, ';', '--range', 'subexpression=a:b, separated by semicolons', 'ranges');
}

/** The two end points of the plotted line, by variable name. */
export interface PlotLine { from: Record<string, number>; to: Record<string, number> }

/**
 * `[from] dx=-2.4e7, dy=0 to dx=2.4e7, dy=0` → the plotted line's end points; each end names
 * every variable once. Empty → null (the box's diagonal). Points may lie outside the box.
 */
export function parseLine(text: string, names: string[]): PlotLine | null {
  if (!text.trim()) return null;
  const form = 'be two points "from x=a, y=b to x=c, y=d" (every variable at both ends)';
  const m = /^\s*(?:from\s+)?(.*?)\s+to\s+(.*?)\s*$/i.exec(text);
  if (!m) throw new InputError('plot line', form, text.trim(), { field: 'line', code: 'bad-line' });
  const end = (part: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const item of part.split(',').filter((p) => p.trim())) {
      const eq = item.indexOf('=');
      const name = eq < 0 ? '' : item.slice(0, eq).trim();
      if (!name) throw new InputError('plot line', form, item.trim(), { field: 'line', code: 'bad-line' });
      if (!names.includes(name)) throw new InputError('plot line', `name only the variables ${names.join(', ')}`,
        item.trim(), { field: 'line', code: 'bad-line' });
      if (name in out) throw new InputError('plot line', 'name each variable once at each end', part.trim(),
        { field: 'line', code: 'bad-line' });
      const v = item.slice(eq + 1).trim();
      const x = v ? Number(v) : NaN;
      if (!Number.isFinite(x)) throw new InputError(`plot line ${name}`, 'be a finite number', v,
        { field: 'line', code: 'bad-line' });
      out[name] = x;
    }
    const missing = names.filter((n) => !(n in out));
    if (missing.length) throw new InputError('plot line',
      `give every variable (${names.join(', ')}) at both ends, ${missing.join(', ')} missing`, part.trim(),
        { field: 'line', code: 'bad-line' });
    return out;
  };
  const from = end(m[1]!);
  const to = end(m[2]!);
  if (names.every((n) => from[n] === to[n])) throw new InputError('plot line', 'have two different end points',
    text.trim(), { field: 'line', code: 'bad-line' });
  return { from, to };
}
