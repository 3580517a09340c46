import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { compileFormula, type CompileResult, type OutputSpec } from '../compile/compile.ts';
import { parseFormula } from '../expr/parse.ts';
import { sampleShellBatches } from '../compile/sample.ts';
import { networkSummary } from '../net/network.ts';
import { collect, parseChoice, parseCount, parseNumberInRange, parsePositive, parseSeed, parseVarRanges } from './args.ts';
import { csvChunks, writeChunks } from './csv.ts';
import { regionFromData } from './data.ts';
import { checkOutputs, type OutputTarget } from './files.ts';
import { FORCE_HELP, saveOutputs } from './outputs.ts';
import { writeOutputs } from './staging.ts';
import { fmt } from '../report/format.ts';
import { renderPairs, renderTable } from './table.ts';
import { note, progress, QUIET_HELP } from './progress.ts';

/** Most numbers `sample` writes (-n times --dims). */
const MAX_SAMPLE_NUMBERS = 10_000_000;


export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('Compile a formula in several inputs into one plain ReLU network with a certified end-to-end max error.')
    .argument('[expr]', 'formula, e.g. "sqrt(dx^2+dy^2+dz^2)", or a list "[exprA, exprB]" for one network with several outputs (y1, y2, …)')
    .option('--out <name=expr>', 'an output of a several-output network (repeat for each; instead of <expr>)', collect, [])
    .option('--var <name=a:b>', 'range of an input (repeat for each)', collect, [])
    .option('--range <subexpr=a:b>', 'known range of a subexpression (repeatable)', collect, [])
    .option('--data <file.csv>', 'samples (header = variable names): input and intermediate ranges are taken from them, and the error is measured on them')
    .option('--data-margin <fraction>', 'widen ranges taken from --data by this fraction of their width', '0.01')
    .option('--max-error <E>', 'certified max error to reach; with several outputs also name=E per output (repeatable)', collect, [])
    .option('--deep <mode>', 'sawtooth squares: auto (per node, whichever needs fewer units) | never | always', 'auto')
    .option('--norm <mode>', 'norms sqrt(a^2+b^2+...) of affine forms: auto (fold or squares, whichever is smaller) | fold (angle folding) | squares', 'auto')
    .option('--minimize <what>', 'what auto minimizes: relus | params', 'relus')
    .option('--max-depth <D>', 'most hidden layers', '64')
    .option('--samples <N>', 'fresh samples for the measured error', '100000')
    .option('--seed <N>', 'seed for the fresh samples', '1')
    .option('--dtype <t>', 'float64 | float32: the dtype whose evaluation --max-error is certified for (and of exported weights)', 'float64')
    .option('--max-fan-in <K>', 'most terms per sum (default: 4 for float32, unlimited for float64)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .option('--save <file.json>', 'write the network in knotnet JSON form')
    .option('--export <file...>', 'write artifacts: .onnx, .json, .safetensors, or a folder for TF.js')
    .option('--force', FORCE_HELP)
    .addHelpText('after', `
Example (the original question, T3):
  knotnet compile "sqrt(dx^2+dy^2+dz^2)" --var dx=-2.4e7:2.4e7 --var dy=-2.4e7:2.4e7 --var dz=-2.4e7:2.4e7 \\
    --range "dx^2+dy^2+dz^2=4.41e14:5.76e14" --max-error 1 --save t3.json`)
    .action(async (exprArg: string | undefined, flags: Record<string, any>) => {
      const started = performance.now();
      const vars = parseVarRanges(flags.var as string[], '--var');
      const ranges = parseVarRanges(flags.range as string[], '--range');
      const { expr, maxError, outputs } = parseOutputs(exprArg, flags.out as string[], flags.maxError as string[]);
      if (!outputs && parseFormula(expr).variables.length === 0) throw new InputError('expression', 'use at least one variable (a constant needs no network)', expr);
      const count = parseCount(flags.samples, '--samples', 10_000_000);
      const seed = parseSeed(flags.seed);
      const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
      const saver = saveOutputs({ save: flags.save, exports: flags.export ?? [], dtype, force: flags.force, tolerance: maxError });
      let dataRows: Float64Array | undefined;
      if (flags.data) dataRows = regionFromData(flags.data, expr, vars, ranges, parseNumberInRange(flags.dataMargin, '--data-margin')).rows;
      const deep = parseChoice(flags.deep, '--deep', ['auto', 'never', 'always'] as const);
      const minimize = parseChoice(flags.minimize, '--minimize', ['relus', 'params'] as const);
      const norm = parseChoice(flags.norm, '--norm', ['auto', 'fold', 'squares'] as const);
      const maxDepth = parseCount(flags.maxDepth, '--max-depth', 10_000);
      const maxFanIn = flags.maxFanIn === undefined ? undefined : parseCount(flags.maxFanIn, '--max-fan-in', 1_000_000);
      if (maxFanIn !== undefined && maxFanIn < 2) throw new InputError('--max-fan-in', 'be at least 2', flags.maxFanIn);
      const bar = progress('compile');
      let r: CompileResult;
      try {
        r = compileFormula({ onProgress: (step, detail) => { bar.step(`compile, ${step}`); bar.update(detail); }, expr, vars, ranges, maxError, ...(outputs ? { outputs } : {}), measureCount: count, seed, deep, minimize, maxDepth, norm, dtype, ...(maxFanIn ? { maxFanIn } : {}), ...(dataRows ? { samples: dataRows } : {}) });
      } finally {
        bar.done();
      }
      const seconds = (performance.now() - started) / 1000;
      await saver.write(r.network, {
        expr: r.expr, domain: { ...r.region.box, ...r.region.ranges },
        error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms },
      }, [r.inputs.map((v) => vars[v]![0]), r.inputs.map((v) => vars[v]![1])], r.hints,
      { r64: r.roundingBound, r32: r.certifiedMaxFloat32 - r.certifiedConstruction, outputMagnitude: Math.max(Math.abs(r.outputRange[0]), Math.abs(r.outputRange[1])) });
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...compileSummary(r, seconds), files: saver.written })}\n`);
      else process.stdout.write(`${renderCompile(r, seconds)}${saver.written.length ? `\nwrote ${saver.written.join(', ')}` : ''}\n`);
    });

  program
    .command('sample')
    .description('Write samples as CSV: points uniform in a spherical shell (the original question\'s data).')
    .argument('<kind>', 'shell')
    .option('--dims <N>', 'dimensions', '3')
    .option('--inner <r>', 'inner radius', '2.1e7')
    .option('--outer <r>', 'outer radius', '2.4e7')
    .option('-n <N>', 'number of points', '10000')
    .option('--seed <N>', 'seed', '1')
    .option('--out <file.csv>', 'write here instead of stdout')
    .option('--force', 'replace an existing --out file (a CSV carries no knotnet marker, so any existing file needs it)')
    .option('--quiet', 'print no summary line on stderr')
    .addHelpText('after', '\nExample:\n  knotnet sample shell --dims 3 --inner 2.1e7 --outer 2.4e7 -n 1000 --seed 1 --out shell.csv')
    .action(async (kind: string, flags: Record<string, string>) => {
      parseChoice(kind, 'sample kind', ['shell'] as const);
      const dims = parseCount(flags.dims!, '--dims', 1000);
      const inner = parseNumberInRange(flags.inner!, '--inner', 0, Infinity);
      const outer = parsePositive(flags.outer!, '--outer');
      if (!(outer > inner)) throw new InputError('--outer', `be greater than --inner (${inner})`, flags.outer);
      // About 4 µs a row: 10 million numbers (~570 MB of CSV) take some 15 s; more is refused.
      const n = parseCount(flags.n!, '-n', Math.floor(MAX_SAMPLE_NUMBERS / dims));
      const seed = parseSeed(flags.seed!);
      const out: OutputTarget | undefined = flags.out ? { path: flags.out, argument: '--out', kind: 'csv' } : undefined;
      if (out) checkOutputs([out], !!flags.force);
      const header = dims === 3 ? ['dx', 'dy', 'dz'] : Array.from({ length: dims }, (_, i) => `x${i + 1}`);
      // Streamed in batches of ~64k numbers: memory stays flat whatever -n and --dims are.
      const chunks = csvChunks(header, sampleShellBatches({ dims, inner, outer, n, seed }, Math.max(1, Math.floor(65_536 / dims))));
      if (out) await writeOutputs([{ target: out, files: [{ relativePath: '', bytes: chunks }] }], !!flags.force);
      else await writeChunks(process.stdout, chunks);
      note(`sample: ${n} points uniform in the ${dims}-D shell ${inner} ≤ |x| ≤ ${outer} (seed ${seed}, columns ${header.length <= 4 ? header.join(', ') : `${header[0]} … ${header[header.length - 1]}`}) written to ${flags.out ?? 'stdout'}`);
    });
}

export function compileSummary(r: CompileResult, seconds: number) {
  const s = networkSummary(r.network);
  return {
    expr: r.expr, inputs: r.inputs, relus: s.relus, layers: s.layers, params: s.params, widths: s.widths,
    maxError: { certified: r.certifiedMax, measured: r.measuredMax },
    float32: { maxError: { certified: r.certifiedMaxFloat32 } },
    rmsError: r.measuredRms,
    certifiedBreakdown: { construction: r.certifiedConstruction, float64Rounding: r.roundingBound },
    measuredSamples: r.measuredSamples, outsideRegion: r.outsideRegion,
    ...(r.outputs ? { outputs: r.outputs } : {}),
    domain: r.region.box, ranges: r.region.ranges, dtype: 'float64', seconds,
    nodes: r.nodes,
  };
}

/** "deep, 12 levels", "shallow, 50 segments", "fold, k = 5·5·5 | 4·4·3" (one group per tree level). */
export function constructionText(n: CompileResult['nodes'][number]): string {
  if (n.construction === 'deep') return `deep, ${n.levels} levels`;
  if (n.construction === 'shallow') return `shallow, ${n.segments} segments`;
  if (n.construction === 'fold') return `fold, k = ${(n.folds ?? []).map((f) => f.join('·') || '-').join(' | ')}`;
  return '';
}

function renderCompile(r: CompileResult, seconds: number): string {
  const s = networkSummary(r.network);
  const head = renderPairs([
    ['formula', r.expr],
    ['region', [...Object.entries(r.region.box), ...Object.entries(r.region.ranges)].map(([k, [a, b]]) => `${k} in [${fmt(a)}, ${fmt(b)}]`).join(', ')],
    ['ReLUs', s.relus],
    ['hidden layers (widths)', `${s.layers} (${s.widths.slice(0, -1).join(', ')})`],
    ['parameters', s.params],
    ['max error, certified', r.certifiedMax],
    ['max error in float32, certified', r.certifiedMaxFloat32],
    [`max error, measured (${r.measuredSamples} samples)`, r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['samples outside the region', r.outsideRegion],
    ['seconds', seconds],
  ]);
  const rows = r.nodes.filter((n) => n.kind === 'square' || n.kind === 'unary' || n.kind === 'norm' || n.relus > 0).map((n) => [
    n.text.length > 40 ? `${n.text.slice(0, 37)}...` : n.text, n.kind, n.builtOn ? `[${fmt(n.builtOn[0])}, ${fmt(n.builtOn[1])}]` : `[${fmt(n.range[0])}, ${fmt(n.range[1])}]`,
    constructionText(n),
    n.budget ?? '', n.certified ?? '', n.errorIn, n.relus,
  ]);
  const perOutput = r.outputs
    ? `\n\nper output (each certified over the whole region)\n${renderTable(['output', 'formula', 'max error asked', 'certified', 'measured'], r.outputs.map((o) => [o.name, o.expr.length > 50 ? `${o.expr.slice(0, 47)}...` : o.expr, o.maxError, o.certifiedMax, o.measuredMax]))}`
    : '';
  return `${head}${perOutput}\n\nper node (approximations built on their input range widened by upstream error)\n${renderTable(['node', 'kind', 'built on', 'construction', 'budget', 'certified', 'error so far', 'ReLUs'], rows as (string | number)[][])}`;
}

/**
 * The outputs asked for: one formula (<expr>), a list "[a, b, …]" (outputs y1, y2, …) or
 * repeated --out name=expr; --max-error E for all and/or name=E per output.
 */
export function parseOutputs(exprArg: string | undefined, outs: string[], errors: string[]): { expr: string; maxError: number; outputs?: OutputSpec[] } {
  let specs: OutputSpec[] | undefined;
  if (outs.length > 0) {
    if (exprArg !== undefined) throw new InputError('--out', 'replace <expr>, not come with it', exprArg);
    specs = outs.map((o) => {
      const eq = o.indexOf('=');
      if (eq <= 0) throw new InputError('--out', 'be name=formula', o);
      return { name: o.slice(0, eq).trim(), expr: o.slice(eq + 1).trim() };
    });
  } else if (exprArg === undefined) throw new InputError('expression', 'be given (a formula, a list "[a, b]" or --out name=formula)', '');
  else if (/^\s*\[.*\]\s*$/s.test(exprArg)) {
    specs = splitTopLevel(exprArg.trim().slice(1, -1)).map((e, i) => ({ name: `y${i + 1}`, expr: e }));
    if (specs.length === 0 || specs.some((o) => o.expr === '')) throw new InputError('expression', 'list non-empty formulas separated by commas', exprArg);
  }
  let all: number | undefined;
  for (const e of errors) {
    const eq = e.indexOf('=');
    if (eq < 0) { all = parsePositive(e, '--max-error'); continue; }
    const name = e.slice(0, eq).trim();
    const spec = specs?.find((o) => o.name === name);
    if (!spec) throw new InputError('--max-error', `name an output (${specs ? specs.map((o) => o.name).join(', ') : 'there is only one'})`, e);
    spec.maxError = parsePositive(e.slice(eq + 1), `--max-error ${name}`);
  }
  const maxError = all ?? (specs && specs.every((o) => o.maxError !== undefined) ? Math.min(...specs.map((o) => o.maxError!)) : 1);
  const expr = specs ? `[${specs.map((o) => o.expr).join(', ')}]` : exprArg!;
  return { expr, maxError, ...(specs ? { outputs: specs } : {}) };
}

/** Splits "a, f(b, c), d" at commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { parts.push(text.slice(start, i).trim()); start = i + 1; }
  }
  parts.push(text.slice(start).trim());
  return parts;
}
