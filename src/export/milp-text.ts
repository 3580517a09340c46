/**
 * A MILP model as text: the CPLEX LP format and free MPS (both read by HiGHS, Gurobi, CPLEX,
 * SCIP and CBC). Every number is written as the shortest decimal that reads back as its double
 * (ECMAScript Number-to-String), so the text states the model's doubles exactly.
 */

/** A linear row: Σ coef·column (sense) rhs. */
export interface MilpRow { name: string; terms: [number, string][]; sense: '=' | '>=' | '<='; rhs: number }

/** A column with its bounds (±Infinity: none); a binary's are [0, 1]. */
export interface MilpColumn { name: string; lo: number; hi: number; binary: boolean }

export interface MilpModel {
  /** Comment lines at the top (without the format's comment mark). */
  comments: string[];
  sense: 'minimize' | 'maximize';
  /** The column the objective is (objective = 1·column). */
  objective: string;
  rows: MilpRow[];
  columns: MilpColumn[];
}

/** A double as the shortest decimal that reads back as it (never "-0"). */
export const lpNumber = (x: number): string => (x === 0 ? '0' : String(x));

/** Words joined into lines of at most about 100 characters (LP rows may span lines). */
function wrap(words: string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length > 100 && line !== '') { lines.push(` ${line}`); line = ' '; }
    line += line.trim() === '' ? w : ` ${w}`;
  }
  lines.push(` ${line}`);
  return lines;
}

/** "+ 0.5 x" / "- 2 h.1.3"; the first term without a plus sign. */
const lpTerm = ([coef, name]: [number, string], i: number): string =>
  `${coef < 0 ? '- ' : i === 0 ? '' : '+ '}${lpNumber(Math.abs(coef))} ${name}`;

/** A column's line in the LP Bounds section, or none for a binary (the Binaries section bounds it). */
function lpBound({ name, lo, hi, binary }: MilpColumn): string[] {
  if (binary) return [];
  if (lo === -Infinity && hi === Infinity) return [` ${name} free`];
  if (lo === hi) return [` ${name} = ${lpNumber(lo)}`];
  return [` ${lo === -Infinity ? '-inf' : lpNumber(lo)} <= ${name} <= ${hi === Infinity ? '+inf' : lpNumber(hi)}`];
}

/** The model in the CPLEX LP format. */
export function lpText(m: MilpModel): string {
  const binaries = m.columns.filter((c) => c.binary).map((c) => c.name);
  return [
    ...m.comments.map((c) => `\\ ${c}`),
    m.sense === 'minimize' ? 'Minimize' : 'Maximize',
    ` obj: ${m.objective}`,
    'Subject To',
    ...m.rows.flatMap((r) => wrap([`${r.name}:`, ...r.terms.map(lpTerm), r.sense, lpNumber(r.rhs)])),
    'Bounds', ...m.columns.flatMap(lpBound),
    ...(binaries.length > 0 ? ['Binaries', ...wrap(binaries)] : []),
    'End', '',
  ].join('\n');
}

const MPS_SENSE = { '=': 'E', '>=': 'G', '<=': 'L' } as const;

/** A column's lines in the MPS BOUNDS section (MPS's default is [0, +∞)). */
function mpsBounds({ name, lo, hi, binary }: MilpColumn): string[] {
  if (binary) return [` BV BND ${name}`];
  if (lo === -Infinity && hi === Infinity) return [` FR BND ${name}`];
  if (lo === hi) return [` FX BND ${name} ${lpNumber(lo)}`];
  return [lo === -Infinity ? ` MI BND ${name}` : ` LO BND ${name} ${lpNumber(lo)}`,
    ...(hi === Infinity ? [] : [` UP BND ${name} ${lpNumber(hi)}`])];
}

/** The model in free MPS (names without spaces, columns in order, binaries between integer markers). */
export function mpsText(m: MilpModel): string {
  const entries = new Map<string, string[]>(m.columns.map((c) => [c.name, []]));
  entries.get(m.objective)!.push(`obj 1`);
  for (const r of m.rows) for (const [coef, col] of r.terms) entries.get(col)!.push(`${r.name} ${lpNumber(coef)}`);
  const columns = m.columns.flatMap((c) => {
    const lines = (entries.get(c.name)!.length ? entries.get(c.name)! : ['obj 0']).map((e) => ` ${c.name} ${e}`);
    return c.binary ? [" M1 'MARKER' 'INTORG'", ...lines, " M2 'MARKER' 'INTEND'"] : lines;
  });
  return [
    ...m.comments.map((c) => `* ${c}`),
    'NAME knotnet',
    'OBJSENSE', m.sense === 'minimize' ? ' MIN' : ' MAX',
    'ROWS', ' N obj', ...m.rows.map((r) => ` ${MPS_SENSE[r.sense]} ${r.name}`),
    'COLUMNS', ...columns,
    'RHS', ...m.rows.filter((r) => r.rhs !== 0).map((r) => ` RHS ${r.name} ${lpNumber(r.rhs)}`),
    'BOUNDS', ...m.columns.flatMap(mpsBounds),
    'ENDATA', '',
  ].join('\n');
}
