import type { Command } from 'commander';
import { ExitCode, InputError } from '../errors.ts';
import { sampleBox } from '../compile/sample.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { parseFormula } from '../expr/parse.ts';
import { loadArtifact, type ArtifactRunner } from '../runtime/index.ts';
import { collect, parseCount, parsePositive, parseSeed, parseVarRange, parseVarRanges } from './args.ts';
import { readCsv } from './csv.ts';
import type { CertifyResult } from '../certify/certify.ts';
import { certifyModelFile, type CertifyRequest } from './certify.ts';
import { progress, QUIET_HELP } from './progress.ts';
import { inRegion, readStoredFacts, type StoredFacts } from './stored.ts';
import { fmt } from '../report/format.ts';
import { renderPairs } from './table.ts';


type RangeTest = { f: (...x: number[]) => number; range: [number, number]; text: string };

/** check's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface CheckFlags {
  expr?: string; var: string[]; range: string[]; data?: string; n: string; seed: string;
  maxError?: string; certify?: boolean; json?: boolean; quiet?: boolean;
}

/** check's request: the formula and sampling region from the flags and, where they say nothing, the file. */
type CheckRequest = ReturnType<typeof resolveRequest>;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Run an exported model in its own runtime (onnxruntime-node, TensorFlow.js, or knotnet\'s ' +
      'evaluator for JSON/safetensors), measure it against the exact formula and compare with the certificate ' +
      'stored in the file.')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .option('--expr <formula>', 'the exact formula the model should compute (default: the one stored in the file)')
    .option('--var <name=a:b>',
      'sample inputs uniformly in these ranges (repeat for each; default: the box stored in the file)', collect, [])
    .option('--range <subexpr=a:b>',
      'keep only samples where the subexpression lies in [a, b] (the region a compile certificate covers; ' +
      'repeatable; default without --var: the ranges stored in the file)', collect, [])
    .option('--data <file.csv>', 'inputs to check on (header = variable names)')
    .option('-n <N>', 'samples when using --var', '100000')
    .option('--seed <N>', 'seed for the samples', '1')
    .option('--max-error <E>', 'exit 1 when the measured max error is above E')
    .option('--certify', 'also prove the max error over the --var box (and --range region) with knotnet certify ' +
      '(gap 10%, 60 s)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .addHelpText('after', '\nExamples:\n  knotnet check sqrt.onnx -n 100000\n  knotnet check t3.onnx --data ' +
      'shell.csv --max-error 1')
    .action(async (model: string, flags: CheckFlags) => {
      const started = performance.now();
      const runner = await loadArtifact(model);
      try {
        await checkModel(model, runner, flags, started);
      } finally {
        await runner.close?.();
      }
    });
}

/** The formula and sampling region: flags first, then what the file stores; missing ones named. */
function resolveRequest(model: string, runner: ArtifactRunner, stored: StoredFacts, flags: CheckFlags) {
  const names = runner.inputs;
  const exprText: string | undefined = flags.expr ?? stored.expr;
  if (exprText === undefined) throw new InputError('--expr', `be given: ${model} stores no formula in its metadata`,
    'none');
  const formula = parseFormula(exprText, '--expr');
  for (const v of formula.variables) if (!names.includes(v)) throw new InputError('--expr',
    `use only the model's inputs (${names.join(', ')})`, v);
  const box = { ...stored.box, ...parseVarRanges(flags.var as string[], '--var') };
  // --var or --range given: the sampling region is the one stated; neither: the stored one.
  const stated = flags.var.length > 0 || flags.range.length > 0;
  const rangeTexts = stated ? flags.range : Object.entries(stored.ranges).map(([k, [a, b]]) => `${k}=${a}:${b}`);
  if (!flags.data) {
    for (const v of names) if (!box[v]) throw new InputError('--var',
      `give a range for every model input (missing ${v}, and ${model} stores none for it)`, Object.keys(box).join(', ') || 'none');
  }
  if (flags.certify) for (const v of names) if (!box[v]) throw new InputError('--certify',
    `go with a range for every model input (--var, or stored in the file; missing ${v})`, Object.keys(box).join(', ') || 'none');
  return { names, formula, exprText, box, rangeTexts, ranges: rangeTexts.map((t) => rangeTest(t, names)) };
}

function rangeTest(text: string, names: readonly string[]): RangeTest {
  const p = parseVarRange(text, '--range');
  const g = parseFormula(p.name, '--range');
  for (const v of g.variables) if (!names.includes(v)) throw new InputError('--range',
    `use only the model's inputs (${names.join(', ')})`, v);
  return { f: compileFunction(g.expr, [...names]), range: p.range, text };
}

function dataRows(file: string, names: readonly string[]): Float64Array {
  const csv = readCsv(file);
  const cols = names.map((v) => {
    const c = csv.header.indexOf(v);
    if (c < 0) throw new InputError(`--data ${file} header`, `name every model input (missing ${v})`,
      csv.header.join(','));
    return c;
  });
  const x = new Float64Array(csv.count * names.length);
  for (let i = 0; i < csv.count; i++) cols.forEach((c,
    j) => { x[i * names.length + j] = csv.rows[i * csv.header.length + c]!; });
  return x;
}

/** Load the stored facts, sample or read the inputs, run the model, measure, prove (--certify), print, judge. */
async function checkModel(model: string, runner: ArtifactRunner, flags: CheckFlags, started: number): Promise<void> {
  const stored = readStoredFacts(runner.metadata, runner.inputs, model);
  const req = resolveRequest(model, runner, stored, flags);
  const { names, formula } = req;
  const limit = flags.maxError === undefined ? undefined : parsePositive(flags.maxError, '--max-error');
  const x = checkInputs(req, flags);
  const d = names.length;
  const y = await runner.run(x, x.length / d);
  const cert = storedCertificate(stored, req, flags);
  const m = measure(formula.expr, names, x, y, limit, cert.inRegion);
  if (m.undefinedCount > 0 && !flags.data) {
    const row = Object.fromEntries(names.map((v, j) => [v, x[m.undefinedAt * d + j]]));
    const box = Object.entries(req.box).map(([k, [a, b]]) => `${k}=${a}:${b}`).join(' ');
    throw new InputError('--var',
      `give a box where the formula is defined (${formula.text} is undefined or not finite at ${JSON.stringify(row)})`, box);
  }
  if (m.counted === 0) throw new InputError('--data', 'contain inputs where the formula is defined', flags.data);
  const vars = names.map((v) => `${v}=${req.box[v]![0]}:${req.box[v]![1]}`);
  const proven = flags.certify ? await certifyWithProgress({ model, expr: req.exprText, vars,
    ranges: req.rangeTexts }) : undefined;
  const worstInput = Object.fromEntries(names.map((v, j) => [v, x[m.at * d + j]]));
  const result = checkResult({ model, runner, req, stored, m, certified: cert.certified, proven, worstInput,
    samples: x.length / d, started });
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${renderCheck(result, m, runner, cert.certified, stored, proven)}\n`);
  verdict(model, m, limit, cert.certified, worstInput);
}

/** The inputs to check on: the --data rows, else -n samples of the box (and the stated ranges). */
function checkInputs(req: CheckRequest, flags: CheckFlags): Float64Array {
  const { names } = req;
  if (flags.data) return dataRows(flags.data, names);
  const n = parseCount(flags.n, '-n', 10_000_000);
  const seed = parseSeed(flags.seed);
  const box = names.map((v) => req.box[v]!);
  return req.ranges.length === 0 ? sampleBox(box, n, seed) : sampleRegion(box, req.ranges, n, seed);
}

/**
 * The certificate stored in the file and the region it covers: samples outside it are
 * measured but not compared with it. A file without a stored box for every input has no region
 * to compare on, and the certificate is about the stored formula: another --expr is measured only.
 */
function storedCertificate(stored: StoredFacts, req: CheckRequest, flags: CheckFlags) {
  const { names } = req;
  const certBox = names.map((v) => stored.box[v]);
  const certRanges = Object.entries(stored.ranges).map(([k, r]) => rangeTest(`${k}=${r[0]}:${r[1]}`, names));
  const sameFormula = stored.expr !== undefined && (flags.expr === undefined || flags.expr === stored.expr);
  const compareCert = sameFormula && stored.certified !== undefined && certBox.every((b) => b !== undefined);
  return {
    certified: compareCert ? stored.certified! : undefined,
    inRegion: compareCert ? (row: number[]) => inRegion(row, certBox, certRanges) : () => false,
  };
}

/** What check found, as check --json prints it. */
function checkResult(c: {
  model: string; runner: ArtifactRunner; req: CheckRequest; stored: StoredFacts; m: Measured;
  certified: number | undefined;
  proven: CertifyResult | undefined; worstInput: Record<string, number | undefined>; samples: number; started: number;
}) {
  const { m, certified, proven, stored } = c;
  return {
    model: c.model, format: c.runner.format, dtype: c.runner.dtype, expr: c.req.exprText, samples: c.samples,
    maxError: {
      measured: m.max,
      ...(certified !== undefined ? { certifiedInFile: certified, measuredInCertifiedRegion: m.maxInRegion,
        samplesInCertifiedRegion: m.inRegion } : {}),
      ...(stored.certifiedFloat64 !== undefined ? { certifiedInFileFloat64: stored.certifiedFloat64 } : {}),
      ...(proven ? { certified: proven.upper, certifyWorstFound: proven.lower,
        certifyGapReached: proven.stopped === 'gap' } : {}),
    },
    rmsError: m.rms, relativeMaxError: m.rel, undefinedSamples: m.undefinedCount, nonFiniteOutputs: m.nonFinite,
    worstInput: c.worstInput,
    certifiedInFile: stored.certified ?? null,
    seconds: (performance.now() - c.started) / 1000,
  };
}

function renderCheck(result: { model: string; samples: number; worstInput: Record<string, number | undefined> },
  m: Measured, runner: ArtifactRunner, certified: number | undefined, stored: StoredFacts, proven: { upper: number; lower: number; stopped: string } | undefined): string {
  const outside = result.samples - m.undefinedCount - m.inRegion;
  return renderPairs([
    ['model', `${result.model} (${runner.format}, ${runner.dtype})`],
    ['samples', result.samples],
    ...(m.undefinedCount ? [['samples where the formula is undefined (not counted)', m.undefinedCount] as [string,
      number]] : []),
    ['max error, measured', m.max],
    ...(certified !== undefined ? [
      ...(outside > 0 ? [['samples outside the certified region', outside] as [string, number],
        ['max error, measured in the certified region', m.maxInRegion] as [string, number]] : []),
      [`max error, certified (stored in the file, ${runner.dtype})`, certified] as [string, number],
      ...(stored.certifiedFloat64 !== undefined && runner.dtype === 'float32' ? [['max error, certified (stored, ' +
        'same weights in float64)', stored.certifiedFloat64] as [string, number]] : []),
    ] : [['max error, certified', 'none stored in the file'] as [string, string]]),
    ...(proven ? [['max error, certified (certify)',
      `${fmt(proven.upper)} (worst found ` +
      `${fmt(proven.lower)}${proven.stopped === 'gap' ? '' : ', gap not within 10% by the time limit'})`] as [string, string]] : []),
    ['RMS error, measured', m.rms],
    ['relative max error, measured (max error / max|f|)', m.rel],
    ['worst input', JSON.stringify(result.worstInput)],
  ]);
}

/**
 * Exit 1 (after the table) on a non-finite output, a measured error above the file's certificate or above --max-error.
 */
function verdict(model: string, m: Measured, limit: number | undefined, certified: number | undefined,
  worstInput: Record<string, number | undefined>): void {
  if (m.nonFinite > 0) {
    process.stderr.write(`knotnet: the model's output is not finite (NaN or infinite) at ${m.nonFinite} of ` +
      `${m.counted} samples, e.g. at ${JSON.stringify(worstInput)}: its max error is infinite.\n`);
    throw new ExitCode(1);
  }
  if (certified !== undefined && m.inRegion > 0 && m.maxInRegion > certified) {
    // Not knotnet's own soundness check (exit 3): the file is outside knotnet's hands once
    // written, and a file whose weights were changed is the likely cause.
    process.stderr.write(`knotnet: ${model} fails its own certificate: the measured max error ${m.maxInRegion} in ` +
      `its certified region is above the certified ${certified} stored in the file; the file may have been modified ` +
      `since knotnet wrote it.\n`);
    throw new ExitCode(1);
  }
  if (limit !== undefined && m.max > limit) {
    process.stderr.write(`knotnet: measured max error ${m.max} is above --max-error ${limit}.\n`);
    throw new ExitCode(1);
  }
}

interface Measured {
  max: number; at: number; rms: number; rel: number; counted: number; nonFinite: number;
  undefinedCount: number; undefinedAt: number; maxInRegion: number; inRegion: number;
}

/**
 * Errors of the outputs `y` against the real formula at the rows of `x`. The truth is the
 * accurate value (float64 where provably accurate to 2^−44·|f| or 1e-3 of --max-error, else
 * higher precision). A non-finite output is an infinite error; rows where f is undefined are
 * counted apart. Relative max error is the max error over max |f| on the samples (README,
 * "Certified and measured": one definition in every command), never pointwise |e|/|f|.
 */
function measure(expr: Parameters<typeof accurateEvaluator>[0], names: string[], x: Float64Array, y: Float64Array,
  limit: number | undefined, inCertRegion: (row: number[]) => boolean): Measured {
  const d = names.length;
  const f = accurateEvaluator(expr, names);
  const out = new Float64Array(1);
  const absTol = limit === undefined ? 0 : 1e-3 * limit;
  const m: Measured = { max: 0, at: 0, rms: 0, rel: 0, counted: 0, nonFinite: 0, undefinedCount: 0, undefinedAt: -1,
    maxInRegion: 0, inRegion: 0 };
  let sq = 0, maxAbsF = 0;
  for (let i = 0; i < y.length; i++) {
    const row = x.subarray(i * d, i * d + d);
    const exact = f(row, out, absTol);
    if (!Number.isFinite(exact)) { m.undefinedCount++; if (m.undefinedAt < 0) m.undefinedAt = i; continue; }
    m.counted++;
    if (!Number.isFinite(y[i]!)) m.nonFinite++;
    const e = Number.isFinite(y[i]!) ? Math.abs(exact - y[i]!) : Infinity;
    if (m.counted === 1 || e > m.max) { m.max = e; m.at = i; }
    sq += e * e;
    maxAbsF = Math.max(maxAbsF, Math.abs(exact));
    if (inCertRegion(Array.from(row))) { m.inRegion++; m.maxInRegion = Math.max(m.maxInRegion, e); }
  }
  m.rms = Math.sqrt(sq / m.counted);
  m.rel = maxAbsF > 0 ? m.max / maxAbsF : Infinity;
  return m;
}

/** check --certify's proof, with the certify command's progress line. */
async function certifyWithProgress(req: CertifyRequest) {
  const bar = progress('certify');
  try {
    return (await certifyModelFile(req, bar.update)).result;
  } finally {
    bar.done();
  }
}

/** Most box samples rejection sampling draws before it gives up on a sliver of a region. */
export const MAX_REJECTION_DRAWS = 20_000_000;

/**
 * n samples uniform in the part of the box where every stated range holds (rejection
 * sampling, batches of at most 1e6). Gives up as soon as the acceptance rate seen so far
 * projects more than MAX_REJECTION_DRAWS draws: the region is a sliver of the box.
 */
function sampleRegion(box: [number, number][], given: RangeTest[], n: number, seed: number): Float64Array {
  const d = box.length;
  const kept = new Float64Array(n * d);
  let rows = 0, drawn = 0;
  for (let round = 0; rows < n; round++) {
    const m = Math.min(Math.max(n, 10_000), 1_000_000);
    const batch = sampleBox(box, m, seed + round * 7919);
    drawn += m;
    for (let i = 0; i < m && rows < n; i++) {
      const row = Array.from(batch.subarray(i * d, i * d + d));
      if (inRegion(row, [], given)) kept.set(row, d * rows++); // the box holds by construction: the ranges only
    }
    if (rows < n && (rows === 0 || (drawn * n) / rows > MAX_REJECTION_DRAWS)) {
      throw new InputError('--range',
        `leave enough of the --var box to draw -n ${n} samples within ${MAX_REJECTION_DRAWS} draws (kept ${rows} of ` +
        `${drawn}; widen the ranges or lower -n)`, given.map((g) => g.text).join(', '));
    }
  }
  return kept;
}
