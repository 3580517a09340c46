import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { DEFAULT_MAX_SECONDS } from '../approx/approximate.ts';
import { compileFormula, type CompileOptions, type CompileResult, type OutputSpec } from '../compile/compile.ts';
import { storedOutputs } from '../compile/outputs.ts';
import { MAX_SAMPLED_NUMBERS } from '../compile/sample.ts';
import { parseFormula } from '../expr/parse.ts';
import {
  collect, parseChoice, parseCount, parseNumberInRange, parsePositive, parseSeed, parseVarRanges,
} from './args.ts';
import { float32Search, oneOutput } from './compile-adversary.ts';
import { compileSummary, renderCompile } from './compile-render.ts';
import { regionFromData } from './data.ts';
import { parseOutputs } from './multi-output.ts';
import { networkOutputOptions, saveOutputs, wroteLine } from './outputs.ts';
import { progress } from './progress.ts';

export { parseOutputs } from './multi-output.ts';
export { compileSummary, constructionText } from './compile-render.ts';

/** compile's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface CompileFlags {
  out: string[]; var: string[]; range: string[]; exclude?: string[]; maxError: string[];
  data?: string; dataMargin: string; deep: string; norm: string; minimize: string; maxDepth: string;
  samples?: string; seed: string; dtype: string; maxFanIn?: string; adversary?: boolean; maxSeconds?: string;
  json?: boolean; quiet?: boolean; save?: string; export?: string[]; force?: boolean;
}

/** compile's request, every flag parsed and checked (no file read yet). */
export interface CompileRequest {
  expr: string; maxError: number; outputs?: OutputSpec[];
  vars: Record<string, [number, number]>; ranges: Record<string, [number, number]>; exclude: string[];
  count?: number; seed: number; dtype: 'float64' | 'float32';
  data?: { path: string; margin: number };
  deep: 'auto' | 'never' | 'always'; minimize: 'relus' | 'params'; norm: 'auto' | 'fold' | 'squares';
  maxDepth: number; maxFanIn?: number; adversary: boolean; maxSeconds: number;
  json: boolean; save?: string; exports: string[]; force: boolean;
}

export function registerCompile(program: Command): void {
  networkOutputOptions(program
    .command('compile')
    .description('Compile a formula in several inputs into one plain ReLU network with a certified end-to-end max ' +
      'error.')
    .argument('[expr]', 'formula, e.g. "sqrt(dx^2+dy^2+dz^2)", or a list "[exprA, exprB]" for one network with ' +
      'several outputs (y1, y2, …)')
    .option('--out <name=expr>', 'an output of a several-output network (repeat for each; instead of <expr>)', collect,
      [])
    .option('--var <name=a:b>', 'range of an input (repeat for each)', collect, [])
    .option('--range <subexpr=a:b>', 'known range of a subexpression (repeatable)', collect, [])
    .option('--exclude <formula=c±w>', 'cut the band |formula − c| < w out of the certified region (repeatable); ' +
      'jumps (sign, floor, ceil, round, step, comparisons) are accepted when the bands cover them', collect, [])
    .option('--data <file.csv>',
      'samples (header = variable names): input and intermediate ranges are taken from them, and the error is ' +
      'measured on them')
    .option('--data-margin <fraction>', 'widen ranges taken from --data by this fraction of their width', '0.01')
    .option('--max-error <E>',
      'certified max error to reach; with several outputs also name=E per output (repeatable)', collect, [])
    .option('--deep <mode>', 'sawtooth squares: auto (per node, whichever needs fewer units) | never | always', 'auto')
    .option('--norm <mode>',
      'norms sqrt(a^2+b^2+...) of affine forms: auto (fold or squares, whichever is smaller) | fold (angle folding) ' +
      '| squares', 'auto')
    .option('--minimize <what>', 'what auto minimizes: relus | params', 'relus')
    .option('--max-depth <D>', 'most hidden layers', '64')
    .option('--samples <N>', 'fresh samples for the measured error (default 100000; long formulas fewer, down ' +
      'to 10000: 1e8 formula-node evaluations)')
    .option('--seed <N>', 'seed for the fresh samples', '1')
    .option('--dtype <t>',
      'float64 | float32: the dtype whose evaluation --max-error is certified for (and of exported weights)', 'float64')
    .option('--max-fan-in <K>', 'most terms per sum (default: 4 for float32, unlimited for float64)')
    .option('--max-seconds <s>', 'refuse at once a build whose estimated time (from the segments its pieces need) ' +
      'is longer, and stop one whose certificates spend the work of that time', String(DEFAULT_MAX_SECONDS))
    .option('--adversary', 'also search for the worst float32 error (seeded, a few seconds) and print it beside ' +
      'the float32 certificate and the floor u·max|f|'))
    .addHelpText('after', `
Example (the original question, T3):
  knotnet compile "sqrt(dx^2+dy^2+dz^2)" --var dx=-2.4e7:2.4e7 --var dy=-2.4e7:2.4e7 --var dz=-2.4e7:2.4e7 \\
    --range "dx^2+dy^2+dz^2=4.41e14:5.76e14" --max-error 1 --save t3.json`)
    .action(compileAction);
}

/** Parse the flags, check the output paths, read --data, compile, write the files, print. */
async function compileAction(exprArg: string | undefined, flags: CompileFlags): Promise<void> {
  const started = performance.now();
  const req = parseCompileFlags(exprArg, flags);
  const { vars } = req;
  const saver = saveOutputs({ save: req.save, exports: req.exports, dtype: req.dtype, force: req.force,
    tolerance: req.maxError });
  const samples = req.data ? regionFromData(req.data.path, req.expr, vars, req.ranges,
    req.data.margin).rows : undefined;
  const r = runCompile(req, samples);
  const search = req.adversary ? float32Search(r, req.seed) : undefined;
  const seconds = (performance.now() - started) / 1000;
  const magnitude = Math.max(Math.abs(r.outputRange[0]), Math.abs(r.outputRange[1]));
  await saver.write(r.network, {
    expr: r.expr, domain: { ...r.region.box, ...r.region.ranges },
    ...(r.region.exclude ? { exclude: r.region.exclude } : {}),
    error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms,
      ...(r.outputs ? { outputs: storedOutputs(r.outputs) } : {}) },
  }, [r.inputs.map((v) => vars[v]![0]), r.inputs.map((v) => vars[v]![1])], r.hints,
  { r64: r.roundingBound, r32: r.certifiedMaxFloat32 - r.certifiedConstruction, outputMagnitude: magnitude,
    ...several32(r) });
  const summary = req.json ? { ...compileSummary(r, seconds, search), files: saver.written } : null;
  if (summary) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${renderCompile(r, seconds, search)}${wroteLine(saver.written)}\n`);
}

/**
 * Several outputs: the float32 certificate a float32 file stores (the largest of the outputs'),
 * whether each output keeps its own tolerance in float32 (the first that does not, for the
 * refusal), and the largest float32 rounding bound.
 */
function several32(r: CompileResult) {
  if (!r.outputs) return {};
  const miss = r.outputs.find((o) => o.certifiedMaxFloat32 > o.maxError);
  return { certified32: r.certifiedMaxFloat32, fits32: miss === undefined,
    r32: Math.max(...r.outputs.map((o) => o.certifiedMaxFloat32 - o.certifiedConstruction)),
    ...(miss ? { misses32: { output: miss.name, tolerance: miss.maxError, bound: miss.certifiedMaxFloat32,
      magnitude: Math.max(Math.abs(miss.outputRange[0]), Math.abs(miss.outputRange[1])) } } : {}) };
}

/** compile's flags as a request: pure, in the order the flags have always been checked. */
export function parseCompileFlags(exprArg: string | undefined, flags: CompileFlags): CompileRequest {
  const vars = parseVarRanges(flags.var, '--var');
  const ranges = parseVarRanges(flags.range, '--range');
  const { expr, maxError, outputs } = parseOutputs(exprArg, flags.out, flags.maxError);
  const jumps = flags.exclude?.length ? [] : undefined;
  if (!outputs && parseFormula(expr, 'expression', jumps).variables.length === 0) {
    throw new InputError('expression', 'use at least one variable (a constant needs no network)', expr);
  }
  const count = flags.samples === undefined ? undefined
    : parseCount(flags.samples, '--samples',
      Math.min(10_000_000, Math.floor(MAX_SAMPLED_NUMBERS / Object.keys(vars).length)));
  const seed = parseSeed(flags.seed);
  const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  if (flags.data && flags.exclude?.length) {
    throw new InputError('--exclude', 'go without --data (the certified region is the --var box outside the bands)',
      flags.exclude.join(', '), { field: 'exclude', code: 'unsupported' });
  }
  const data = flags.data ? { path: flags.data,
    margin: parseNumberInRange(flags.dataMargin, '--data-margin') } : undefined;
  const deep = parseChoice(flags.deep, '--deep', ['auto', 'never', 'always'] as const);
  const minimize = parseChoice(flags.minimize, '--minimize', ['relus', 'params'] as const);
  const norm = parseChoice(flags.norm, '--norm', ['auto', 'fold', 'squares'] as const);
  const maxDepth = parseCount(flags.maxDepth, '--max-depth', 10_000);
  const maxFanIn = flags.maxFanIn === undefined ? undefined : parseCount(flags.maxFanIn, '--max-fan-in', 1_000_000);
  if (maxFanIn !== undefined && maxFanIn < 2) throw new InputError('--max-fan-in', 'be at least 2', flags.maxFanIn);
  if (flags.adversary) oneOutput(outputs);
  const maxSeconds = parsePositive(flags.maxSeconds ?? String(DEFAULT_MAX_SECONDS), '--max-seconds');
  return {
    expr, maxError, ...(outputs ? { outputs } : {}), vars, ranges, exclude: flags.exclude ?? [],
    ...(count !== undefined ? { count } : {}), seed, dtype,
    ...(data ? { data } : {}),
    deep, minimize, norm, maxDepth, ...(maxFanIn !== undefined ? { maxFanIn } : {}),
    adversary: flags.adversary === true, maxSeconds,
    json: flags.json === true, ...(flags.save !== undefined ? { save: flags.save } : {}),
    exports: flags.export ?? [], force: flags.force === true,
  };
}

/** The compilation itself, with compile's progress line; `samples` (from --data) replace the fresh ones. */
export function runCompile(req: CompileRequest, samples?: Float64Array): CompileResult {
  const bar = progress('compile');
  const options: CompileOptions = {
    onProgress: (step, detail) => { bar.step(`compile, ${step}`); bar.update(detail); },
    expr: req.expr, vars: req.vars, ranges: req.ranges, maxError: req.maxError,
    ...(req.exclude.length ? { exclude: req.exclude } : {}),
    ...(req.outputs ? { outputs: req.outputs } : {}), seed: req.seed,
    ...(req.count !== undefined ? { measureCount: req.count } : {}),
    deep: req.deep, minimize: req.minimize, maxDepth: req.maxDepth, norm: req.norm, dtype: req.dtype,
    ...(req.maxFanIn ? { maxFanIn: req.maxFanIn } : {}), ...(samples ? { samples } : {}), maxSeconds: req.maxSeconds,
  };
  try {
    return compileFormula(options);
  } finally {
    bar.done();
  }
}
