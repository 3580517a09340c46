import type { Command } from 'commander';
import { ExitCode, InputError } from '../errors.ts';
import { loadArtifact, type ArtifactRunner } from '../runtime/index.ts';
import { collect, parsePositive } from './args.ts';
import { measure, type Measured } from './check-measure.ts';

export { MAX_REJECTION_DRAWS } from '../compile/region.ts';
import type { CertifyResult } from '../certify/certify.ts';
import { certifyModelFile, type CertifyRequest } from './certify.ts';
import { progress, QUIET_HELP } from './progress.ts';
import { readStoredFacts, type StoredFacts } from './stored.ts';
import { parseWithBands, resolveBands } from './check-bands.ts';
import { checkInputs, refuseUndefined, resolveRegion, storedRegion, type CheckFlags } from './check-request.ts';
import { checkSeveral, isSeveral } from './check-outputs.ts';
import { fmt } from '../report/format.ts';
import { renderPairs } from './table.ts';

export type { CheckFlags } from './check-request.ts';

/** check's request: the formula and sampling region from the flags and, where they say nothing, the file. */
type CheckRequest = ReturnType<typeof resolveRequest>;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Run an exported model in its own runtime (onnxruntime-node, TensorFlow.js, or knotnet\'s ' +
      'evaluator for JSON/safetensors), measure it against the exact formula and compare with the certificate ' +
      'stored in the file.')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .option('--expr <formula>', 'the exact formula the model should compute, a list "[a, b]" for a model with ' +
      'several outputs (default: the one stored in the file)')
    .option('--out <name=formula>', 'the formula of one output of a several-output model (repeatable; the others ' +
      'keep --expr\'s or the stored ones)', collect, [])
    .option('--var <name=a:b>',
      'sample inputs uniformly in these ranges (repeat for each; default: the box stored in the file)', collect, [])
    .option('--range <subexpr=a:b>',
      'keep only samples where the subexpression lies in [a, b] (the region a compile certificate covers; ' +
      'repeatable; default without --var: the ranges stored in the file)', collect, [])
    .option('--data <file.csv>', 'inputs to check on (header = variable names)')
    .option('-n <N>', 'samples when using --var', '100000')
    .option('--seed <N>', 'seed for the samples', '1')
    .option('--max-error <E>', 'exit 1 when the measured max error is above E; several outputs: also name=E per ' +
      'output (repeatable)', collect, [])
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
        if (isSeveral(runner, flags)) await checkSeveral(model, runner, flags, started);
        else await checkModel(model, runner, flags, started);
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
  const parsed = parseWithBands(exprText, stored.exclude, names);
  const { box, rangeTexts, ranges } = resolveRegion(model, names, stored, flags);
  const { formula, bands } = resolveBands(parsed, stored.exclude, names, box, ranges, flags.certify === true);
  return { names, formula, exprText, box, rangeTexts, ranges, bands };
}

/** Load the stored facts, sample or read the inputs, run the model, measure, prove (--certify), print, judge. */
async function checkModel(model: string, runner: ArtifactRunner, flags: CheckFlags, started: number): Promise<void> {
  const stored = readStoredFacts(runner.metadata, runner.inputs, model);
  const req = resolveRequest(model, runner, stored, flags);
  const { names, formula } = req;
  const lastLimit = flags.maxError[flags.maxError.length - 1];
  const limit = lastLimit === undefined ? undefined : parsePositive(lastLimit, '--max-error');
  const x = checkInputs(req, flags);
  const d = names.length;
  const y = await runner.run(x, x.length / d);
  const cert = storedCertificate(stored, req, flags);
  const m = measure(formula.expr, names, x, y, limit, cert.inRegion);
  refuseUndefined(m, x, names, req.box, flags.data, { subject: 'the formula', formula: formula.text });
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

/**
 * The certificate stored in the file and the region it covers: samples outside it are
 * measured but not compared with it. A file without a stored box for every input has no region
 * to compare on, and the certificate is about the stored formula: another --expr is measured only.
 */
function storedCertificate(stored: StoredFacts, req: CheckRequest, flags: CheckFlags) {
  const sameFormula = stored.expr !== undefined && (flags.expr === undefined || flags.expr === stored.expr);
  const inRegion = sameFormula && stored.certified !== undefined ? storedRegion(stored, req.names, req.bands)
    : undefined;
  if (!inRegion) return { certified: undefined, inRegion: () => false };
  return { certified: stored.certified!, inRegion };
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

/** check's table. */
function renderCheck(
  result: { model: string; samples: number; worstInput: Record<string, number | undefined> }, m: Measured,
  runner: ArtifactRunner, certified: number | undefined, stored: StoredFacts, proven: CertifyResult | undefined,
): string {
  type Pair = [string, string | number];
  const undefinedRows: Pair[] = m.undefinedCount
    ? [['samples where the formula is undefined (not counted)', m.undefinedCount]] : [];
  const provenRows: Pair[] = proven ? [['max error, certified (certify)', provenText(proven)]] : [];
  return renderPairs([
    ['model', `${result.model} (${runner.format}, ${runner.dtype})`],
    ['samples', result.samples],
    ...undefinedRows,
    ['max error, measured', m.max],
    ...certificateRows(result.samples, m, runner.dtype, certified, stored),
    ...provenRows,
    ['RMS error, measured', m.rms],
    ['relative max error, measured (max error / max|f|)', m.rel],
    ['worst input', JSON.stringify(result.worstInput)],
  ]);
}

/** The certificate stored in the file beside what was measured in its region (or that none is stored). */
function certificateRows(
  samples: number, m: Measured, dtype: string, certified: number | undefined, stored: StoredFacts,
): [string, string | number][] {
  if (certified === undefined) return [['max error, certified', 'none stored in the file']];
  const outside = samples - m.undefinedCount - m.inRegion;
  return [
    ...(outside > 0 ? [
      ['samples outside the certified region', outside],
      ['max error, measured in the certified region', m.maxInRegion],
    ] as [string, number][] : []),
    [`max error, certified (stored in the file, ${dtype})${stored.exclude ? ` outside ${stored.exclude.join(', ')}`
      : ''}`, certified],
    ...(stored.certifiedFloat64 !== undefined && dtype === 'float32'
      ? [['max error, certified (stored, same weights in float64)', stored.certifiedFloat64]] as [string, number][]
      : []),
  ];
}

/** check --certify's bound and the worst input it found. */
function provenText(proven: CertifyResult): string {
  const gap = proven.stopped === 'gap' ? '' : ', gap not within 10% by the time limit';
  return `${fmt(proven.upper)} (worst found ${fmt(proven.lower)}${gap})`;
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

/** check --certify's proof, with the certify command's progress line. */
async function certifyWithProgress(req: CertifyRequest) {
  const bar = progress('certify');
  try {
    return (await certifyModelFile(req, bar.update)).result;
  } finally {
    bar.done();
  }
}
