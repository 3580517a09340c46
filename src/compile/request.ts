import { InputError } from '../errors.ts';
import { variablesOf, type Expr } from '../expr/ast.ts';
import type { JumpSite } from '../expr/jumps.ts';
import { parseFormula, type Formula } from '../expr/parse.ts';
import { regionBands } from './bands.ts';
import { resolveJumps } from './jumpgap.ts';
import { ancestors, type Graph } from './graph.ts';
import { lowerForCompile } from './lower.ts';
import { checkOutputs } from './outputs.ts';
import type { Range } from './ranges.ts';
import { formulaRegion, type RegionBand } from './region.ts';
import type { CompileOptions } from './types.ts';

/** A compile request checked: its formulas (one per output), inputs and tolerances. */
export interface Request {
  /** The request named its outputs (`outputs`, even one). */
  multi: boolean;
  formulas: Formula[];
  /** The network's inputs, in the order of `vars`. */
  inputs: string[];
  /** Max error per output; `maxError` the tightest, for which the budget is split. */
  tolerances: number[];
  maxError: number;
  /** Output names as messages name them ('f' for the one formula). */
  names: string[];
  /** Bands cut out of the certified region (--exclude); jumps in `formulas` are written as ramps exact outside them. */
  bands: RegionBand[];
  /** The ramps' steps, clamps min(max(t, 0), 1) exact where t's error is at most 1 (jumpgap.ts). */
  steps: Expr[];
}

/**
 * Validation of compileFormula's options, in the order users meet the rules: the formulas
 * parse, every variable has a range and every range a variable, output names and
 * tolerances, each range a non-empty finite interval, --max-error a positive number; then
 * the bands (--exclude) and the jumps they make room for (withJumps).
 */
export function readRequest(o: CompileOptions): Request {
  const outs = o.outputs ?? [];
  const multi = outs.length > 0;
  const sites: JumpSite[][] = [];
  const parseOne = (text: string, argument?: string) => {
    const jumps = o.exclude?.length ? [] : undefined;
    sites.push(jumps ?? []);
    return parseFormula(text, argument, jumps);
  };
  const formulas = multi ? outs.map((out) => parseOne(out.expr, `--out ${out.name}`)) : [parseOne(o.expr)];
  const variables = [...new Set(formulas.flatMap((f) => f.variables))];
  const inputs = Object.keys(o.vars);
  for (const v of variables) {
    if (!(v in o.vars)) {
      const rule = `give a range for every variable of the expression (missing ${v})`;
      throw new InputError('--var', rule, inputs.join(', ') || 'none', { field: 'vars', code: 'missing' });
    }
  }
  for (const v of inputs) {
    const rule = 'name only variables of the expression';
    if (!variables.includes(v)) throw new InputError('--var', rule, v, { field: 'vars', code: 'unknown-name' });
  }
  if (multi) checkOutputs(outs, inputs);
  for (const [v, [a, b]] of Object.entries(o.vars)) {
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
      const rule = 'be a non-empty interval a:b with finite a < b';
      throw new InputError(`--var ${v}`, rule, `${a}:${b}`, { field: 'vars', code: 'empty-interval', key: v });
    }
    if (!(b - a < Infinity)) { // samples and grids at ±Infinity
      const rule = 'have a width b − a that float64 holds (at most 1.8e308)';
      throw new InputError(`--var ${v}`, rule, `${a}:${b}`, { field: 'vars', code: 'too-wide', key: v });
    }
  }
  if (!(o.maxError > 0) || !Number.isFinite(o.maxError)) {
    const rule = 'be a positive number';
    throw new InputError('--max-error', rule, o.maxError, { field: 'maxError', code: 'not-positive' });
  }
  const tolerances = multi ? outs.map((out) => out.maxError ?? o.maxError) : [o.maxError];
  const names = multi ? outs.map((out) => out.name) : ['f'];
  const { bands, resolved, steps } = withJumps(o, inputs, formulas, sites);
  return { multi, formulas: resolved, inputs, tolerances, maxError: Math.min(...tolerances), names, bands, steps };
}

/**
 * The --exclude bands as region cuts, refused when no point of 10⁴ drawn in the box lies
 * outside them, and each formula's jumps written as ramps (jumpgap.ts resolveJumps: exact on
 * the region outside the bands, the stated ranges included).
 */
function withJumps(o: CompileOptions, inputs: string[], formulas: Formula[], sites: JumpSite[][]) {
  const bands = regionBands(o.exclude, inputs);
  const steps: Expr[] = [];
  if (bands.length === 0) return { bands, resolved: formulas, steps };
  const box = inputs.map((v) => o.vars[v]!);
  const stated = Object.entries(o.ranges ?? {}).map(([text, range]) => ({ text, range,
    expr: parseFormula(text, '--range').expr }));
  const region = formulaRegion(inputs, box, stated, bands);
  if (region.sample(1, 1, 1).samples === null) {
    throw new InputError('--exclude', 'leave part of the region outside the bands (no point of 10,000 drawn in the ' +
      'box lies outside them)', o.exclude!.join(', '), { field: 'exclude', code: 'empty-region' });
  }
  const resolved = formulas.map((f, i) => ({ ...f, expr: resolveJumps(f.expr, sites[i]!, inputs, box, region,
    steps) }));
  return { bands, resolved, steps };
}

/** A stated subexpression range: the node it names, its range, and the argument that stated it. */
export type GivenRanges = Map<number, { range: Range; argument: string }>;

/**
 * The nodes that `ranges` (--range) name: each text a subexpression of an output over the
 * inputs only (Σ a_i² behind a norm included), interned in the graph.
 */
export function givenRanges(o: CompileOptions, g: Graph, outIds: number[], inputs: string[]): GivenRanges {
  const given: GivenRanges = new Map();
  for (const [text, range] of Object.entries(o.ranges ?? {})) {
    const sub = parseFormula(text, '--range');
    for (const v of variablesOf(sub.expr)) {
      if (!inputs.includes(v)) {
        const rule = 'use only variables of the expression';
        throw new InputError('--range', rule, `${text} (${v})`, { field: 'ranges', code: 'unknown-name' });
      }
    }
    const before = g.nodes.length;
    const id = g.intern(lowerForCompile(sub.expr, o.vars));
    if (id >= before || !ancestors(g, outIds, true).has(id)) {
      const rule = 'name a subexpression of the expression';
      throw new InputError('--range', rule, text, { field: 'ranges', code: 'not-subexpression' });
    }
    given.set(id, { range, argument: `--range ${text}` });
  }
  return given;
}
