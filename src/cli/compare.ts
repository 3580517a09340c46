import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { accurateFunction } from '../expr/accurate.ts';
import { parseFormula } from '../expr/parse.ts';
import { T3, t3Box } from '../reference.ts';
import { compareNotes, compareReportFiles } from '../report/compare.ts';
import { PNG_FIGURES, requireRuntimes, TRAINING } from '../runtime/preflight.ts';
import { collect, parseCount, parseNumberInRange, parsePositive, parseSeed, parseVarRanges } from './args.ts';
import { certifyRows, compareSamples, construct, labelRows, trainAndMeasure, type CompareTask } from './compare-run.ts';
import { compareJson, compareTable, exportFiles, provenNote, renderCompare, sampleCounts,
  type CompareOutcome } from './compare-render.ts';
import { checkOutputs } from './files.ts';
import { listFormulas } from '../expr/list.ts';
import { FORCE_HELP } from './outputs.ts';
import { note, QUIET_HELP } from './progress.ts';
import { writeOutputs, type StagedOutput } from './staging.ts';
import { commandLine, VERSION } from './version.ts';

/** compare's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface CompareFlags {
  var: string[]; range: string[]; data?: string; dataMargin: string; maxError?: string;
  budgetSeconds: string; samples: string; fineTuneLr?: string; seed: string;
  report?: string; exportDir?: string; force?: boolean; certifySeconds: string; json?: boolean; quiet?: boolean;
}

/** compare's request, every flag parsed and checked (no file read yet). */
export interface CompareRequest extends CompareTask {
  budget: number; certifySeconds: number; fineLr: number | undefined; maxError: number | undefined;
  report: string | undefined; exportDir: string | undefined; force: boolean; json: boolean;
  run: CompareOutcome['run'];
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Construction against training (TensorFlow.js): the asker\'s architecture (raw and standardized), ' +
      'an MLP with our ReLUs and depth, and our network fine-tuned, all measured by one evaluator on the same ' +
      'held-out samples.')
    .argument('[expr]', `formula (default: the original question's distance ${T3.expr} on the GPS-like shell ` +
      `2.1e7..2.4e7)`)
    .option('--var <name=a:b>', 'input range (repeat; default for the distance: ±2.4e7 each)', collect, [])
    .option('--range <subexpr=a:b>', 'known range of a subexpression (repeatable)', collect, [])
    .option('--data <file.csv>',
      'samples (header = variable names), split at random into equal training and held-out halves; ranges not given ' +
      'are taken from them')
    .option('--data-margin <fraction>', 'widen ranges taken from --data by this fraction of their width', '0.01')
    .option('--max-error <E>',
      'certified max error of the constructed network (default: 1 for the distance, else 1e-3 of max |f| on the ' +
      'samples)')
    .option('--budget-seconds <S>', 'training time shared equally by the 4 trained networks', '100')
    .option('--samples <N>',
      'training samples drawn (as many again, drawn separately, are held out); ignored with --data', '20000')
    .option('--fine-tune-lr <rate>',
      'Adam learning rate for fine-tuning our network, at most 1 (default: 1e-3 of its smallest |weight|)')
    .option('--seed <N>', 'seed for samples, shuffling and initializations', '1')
    .option('--report <dir>', 'write index.html (self-contained) with SVG and PNG figures into this folder')
    .option('--export-dir <dir>',
      'write every network (constructed and trained) as ONNX float32 and knotnet JSON into this folder')
    .option('--force', FORCE_HELP)
    .option('--certify-seconds <S>',
      'prove each network\'s worst case over the region with knotnet certify, at most S seconds each (0: skip)', '20')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .addHelpText('after', '\nExamples:\n  knotnet compare --report compare-report\n  knotnet compare "sqrt(x)" ' +
      '--var x=0:1 --budget-seconds 20 --report sqrt-report')
    .action(async (exprArg: string | undefined, flags: CompareFlags, command: Command) => {
      const rawArgs = (command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? [];
      await compareAction(parseCompareFlags(exprArg, flags, rawArgs));
    });
}

/** Longest training budget: an hour (the default is 100 s); longer is not a comparison anyone waits for. */
const MAX_BUDGET_SECONDS = 3600;

/**
 * Most numbers drawn per set (--samples × inputs, drawn twice: training and held out): each is
 * labelled by the accurate evaluator and held as float64 and as TF.js float32 tensors (--samples
 * 1e7 grew to 1.5 GB before training started).
 */
const MAX_SAMPLE_NUMBERS = 1_000_000;

function checkSampleNumbers(n: number, inputs: number, text: string): void {
  if (n * inputs <= MAX_SAMPLE_NUMBERS) return;
  throw new InputError('--samples', `be at most ${Math.floor(MAX_SAMPLE_NUMBERS / inputs)} for ${inputs} input(s) ` +
    `(${MAX_SAMPLE_NUMBERS} numbers per set, --samples times the inputs)`, text, { field: 'samples',
    code: 'out-of-range' });
}

/**
 * Largest fine-tuning rate: Adam moves each weight by about the rate per step, so 1 already moves
 * weights by their own size on unit-scale problems; --fine-tune-lr 1e300 trained to NaN weights and
 * printed a NaN row with exit 0 (issue 30).
 */
const MAX_FINE_TUNE_LR = 1;

function parseFineTuneLr(text: string): number {
  const lr = parsePositive(text, '--fine-tune-lr');
  if (lr <= MAX_FINE_TUNE_LR) return lr;
  throw new InputError('--fine-tune-lr', `be at most ${MAX_FINE_TUNE_LR} (Adam moves each weight by about the rate ` +
    'every step)', text, { field: 'fineTuneLr', code: 'out-of-range' });
}

/** Largest finite float32: TensorFlow.js trains in float32, where larger inputs are Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Every range within float32 (x·y on ±1e150 trained on Infinity and NaN for minutes). */
function checkFloat32Ranges(ranges: Record<string, [number, number]>, argument: string): void {
  for (const [name, [a, b]] of Object.entries(ranges)) {
    if (Math.max(Math.abs(a), Math.abs(b)) <= FLOAT32_MAX) continue;
    throw new InputError(argument, 'lie within the float32 range ±3.4e38 (TensorFlow.js trains in float32)',
      `${name}=${a}:${b}`, { field: argument === '--var' ? 'vars' : 'ranges', code: 'out-of-range', key: name });
  }
}

/** compare's flags as a request: pure but for the date it records. */
export function parseCompareFlags(exprArg: string | undefined, flags: CompareFlags, rawArgs: string[]): CompareRequest {
  const expr = exprArg ?? T3.expr;
  if (listFormulas(expr)) {
    throw new InputError('expression', 'be one formula (compare trains networks of one output; for several: knotnet ' +
      'compile "[a, b]" --var …, then knotnet check)', expr, { field: 'expr', code: 'several-outputs' });
  }
  const budget = parsePositive(flags.budgetSeconds, '--budget-seconds');
  if (budget > MAX_BUDGET_SECONDS) {
    throw new InputError('--budget-seconds', `be at most ${MAX_BUDGET_SECONDS} (an hour of training)`,
      flags.budgetSeconds, { field: 'budgetSeconds', code: 'out-of-range' });
  }
  const certifySeconds = parseNumberInRange(flags.certifySeconds, '--certify-seconds', 0, 3600);
  const n = parseCount(flags.samples, '--samples', 10_000_000);
  const seed = parseSeed(flags.seed);
  const run = { command: commandLine(rawArgs), seed, budgetSeconds: budget, version: VERSION,
    date: new Date().toISOString() };
  const fineLr = flags.fineTuneLr !== undefined ? parseFineTuneLr(flags.fineTuneLr) : undefined;
  const folder = (path: string | undefined) => (path ? String(path).replace(/(.)[/\\]+$/, '$1') : undefined);
  const inputs = parseFormula(expr).variables;
  checkSampleNumbers(n, Math.max(1, inputs.length), flags.samples);
  const vars = parseVarRanges(flags.var, '--var');
  const ranges = parseVarRanges(flags.range, '--range');
  checkFloat32Ranges(vars, '--var');
  checkFloat32Ranges(ranges, '--range');
  const isT3 = expr === T3.expr && Object.keys(vars).length === 0 && !flags.data;
  if (isT3) {
    Object.assign(vars, t3Box());
    ranges[T3.normSquared] ??= [...T3.normSquaredRange];
  }
  const data = flags.data ? { path: flags.data,
    margin: parseNumberInRange(flags.dataMargin, '--data-margin') } : undefined;
  const maxError = flags.maxError !== undefined ? parsePositive(flags.maxError, '--max-error') : undefined;
  return {
    expr, inputs, isT3, vars, ranges, n, seed, ...(data ? { data } : {}), budget, certifySeconds, fineLr, maxError,
    report: folder(flags.report), exportDir: folder(flags.exportDir), force: flags.force === true,
    json: flags.json === true, run,
  };
}

/** Check the output folders, draw the samples, build, train, certify, write both folders or neither, print. */
async function compareAction(req: CompareRequest): Promise<void> {
  const targets: StagedOutput[] = [];
  if (req.report) targets.push({ target: { path: req.report, argument: '--report', kind: 'report' }, files: [] });
  if (req.exportDir) targets.push({ target: { path: req.exportDir, argument: '--export-dir', kind: 'export-dir' },
    files: [] });
  checkOutputs(targets.map((t) => t.target), req.force);
  requireRuntimes([TRAINING, ...(req.report ? PNG_FIGURES : [])]);
  const { outcome, f } = await runComparison(req);
  const domain = { ...req.vars, ...req.ranges };
  if (req.report) {
    const { inputs, vars } = req;
    const oneD = inputs.length === 1 ? { f: (x: number) => f(x), domain: vars[inputs[0]!]!,
      variable: inputs[0]! } : undefined;
    targets[0]!.files = compareReportFiles({
      expr: req.expr, rows: outcome.rows, table: compareTable(outcome), samples: outcome.samples,
      backend: outcome.backend,
      notes: outcome.notes, run: req.run, ...(oneD ? { oneD } : {}),
    });
  }
  if (req.exportDir) targets[targets.length - 1]!.files = exportFiles(outcome, domain);
  await writeOutputs(targets, req.force); // both folders or neither
  if (req.report) note(`wrote ${req.report}/index.html`);
  if (req.exportDir) note(`wrote ${targets[targets.length - 1]!.files.length} files into ${req.exportDir}`);
  process.stdout.write(req.json ? `${compareJson(outcome, req.report)}\n` : renderCompare(outcome));
}

/** The samples, the constructed network, the trained ones and the proofs: the table's content. */
async function runComparison(req: CompareRequest): Promise<{ outcome: CompareOutcome; f: (...x: number[]) => number }> {
  const samples = compareSamples(req);
  const formula = parseFormula(req.expr);
  const { inputs } = req;
  const f = accurateFunction(formula.expr, inputs); // the real formula (expr/accurate.ts)
  const d = inputs.length;
  const trainY = labelRows(f, samples.trainX, d);
  const heldY = labelRows(f, samples.heldX, d);
  const maxAbsY = heldY.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (maxAbsY > FLOAT32_MAX) {
    throw new InputError('expression', 'stay within the float32 range ±3.4e38 on the samples (TensorFlow.js trains ' +
      'in float32)', `max |f| = ${maxAbsY.toPrecision(3)}`, { field: 'expr', code: 'out-of-range' });
  }
  const maxError = constructionTolerance(req, maxAbsY);
  note(`constructing ${req.expr} to certified max error ${maxError.toPrecision(3)}...`);
  const t0 = performance.now();
  const built = construct(req, maxError, samples.heldX);
  const { rows, backend } = await trainAndMeasure({
    inputs, built: { ...built, seconds: (performance.now() - t0) / 1000 },
    train: { x: samples.trainX, y: trainY }, heldOut: { x: samples.heldX, y: heldY },
    budget: req.budget, seed: req.seed, fineLr: req.fineLr, log: note,
  });
  const box = inputs.map((v) => req.vars[v]!);
  const proven = certifyRows(rows.map((r) => r.network), formula.expr, box, req.ranges, req.certifySeconds, note);
  const notes = compareNotes(rows, maxAbsY);
  if (proven) notes.push(provenNote(req.certifySeconds));
  const outcome: CompareOutcome = {
    expr: req.expr, rows, proven, certifySeconds: req.certifySeconds, samples: sampleCounts(samples,
      d), notes, backend, run: req.run,
  };
  return { outcome, f };
}

/** --max-error, else 1 for the distance, else 1e-3 of max |f| on the held-out samples. */
function constructionTolerance(req: CompareRequest, maxAbsY: number): number {
  if (req.maxError !== undefined) return req.maxError;
  if (req.expr === T3.expr) return 1;
  if (!(maxAbsY > 0)) {
    throw new InputError('--max-error',
      'be given when the expression is 0 (or not finite) on every held-out sample (its default is 1e-3 of max |f| ' +
      'there)', `max |f| = ${maxAbsY}`);
  }
  return 1e-3 * maxAbsY;
}
