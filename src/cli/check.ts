import type { Command } from 'commander';
import { ExitCode, InputError } from '../errors.ts';
import { sampleBox } from '../compile/sample.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { parseFormula } from '../expr/parse.ts';
import { loadArtifact } from '../runtime/index.ts';
import { parseCount, parsePositive, parseSeed, parseVarRange, parseVarRanges } from './args.ts';
import { readCsv } from './csv.ts';
import { certifyModelFile } from './certify.ts';
import { fmt, renderPairs } from './table.ts';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Run an exported model in its own runtime (onnxruntime-node, TensorFlow.js, or knotnet\'s evaluator for JSON/safetensors) and measure it against the exact formula.')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .requiredOption('--expr <formula>', 'the exact formula the model should compute')
    .option('--var <name=a:b>', 'sample inputs uniformly in these ranges (repeat for each)', collect, [])
    .option('--range <subexpr=a:b>', 'with --var: keep only samples where the subexpression lies in [a, b] (the region a compile certificate covers; repeatable)', collect, [])
    .option('--data <file.csv>', 'inputs to check on (header = variable names)')
    .option('-n <N>', 'samples when using --var', '100000')
    .option('--seed <N>', 'seed for the samples', '1')
    .option('--max-error <E>', 'exit 1 when the measured max error is above E')
    .option('--certify', 'also prove the max error over the --var box (and --range region) with knotnet certify (gap 10%, 60 s)')
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', '\nExample:\n  knotnet check t3.onnx --expr "sqrt(dx^2+dy^2+dz^2)" --data shell.csv --max-error 1')
    .action(async (model: string, flags: Record<string, any>) => {
      const started = performance.now();
      const formula = parseFormula(flags.expr, '--expr');
      if (flags.certify && (flags.var as string[]).length === 0) throw new InputError('--certify', 'go with --var ranges (the region the bound is proven over)', 'no --var');
      const runner = await loadArtifact(model);
      try {
        const names = runner.inputs;
        for (const v of formula.variables) if (!names.includes(v)) throw new InputError('--expr', `use only the model's inputs (${names.join(', ')})`, v);
        let x: Float64Array;
        if (flags.data) {
          const csv = readCsv(flags.data);
          const cols = names.map((v) => {
            const c = csv.header.indexOf(v);
            if (c < 0) throw new InputError(`--data ${flags.data} header`, `name every model input (missing ${v})`, csv.header.join(','));
            return c;
          });
          x = new Float64Array(csv.count * names.length);
          for (let i = 0; i < csv.count; i++) cols.forEach((c, j) => { x[i * names.length + j] = csv.rows[i * csv.header.length + c]!; });
        } else {
          const box = parseVarRanges(flags.var as string[], '--var');
          for (const v of names) if (!box[v]) throw new InputError('--var', `give a range for every model input (missing ${v})`, Object.keys(box).join(', ') || 'none');
          const n = parseCount(flags.n, '-n', 10_000_000);
          const seed = parseSeed(flags.seed);
          const given = (flags.range as string[]).map((t) => {
            const p = parseVarRange(t, '--range');
            const g = parseFormula(p.name, '--range');
            for (const v of g.variables) if (!names.includes(v)) throw new InputError('--range', `use only the model's inputs (${names.join(', ')})`, v);
            return { f: compileFunction(g.expr, names), range: p.range, text: t };
          });
          x = given.length === 0 ? sampleBox(names.map((v) => box[v]!), n, seed) : sampleRegion(names.map((v) => box[v]!), given, n, seed);
        }
        const limit = flags.maxError === undefined ? undefined : parsePositive(flags.maxError, '--max-error');
        const d = names.length;
        const batch = x.length / d;
        const y = await runner.run(x, batch);
        // The truth is the real formula: accurate values (float64 where provably accurate to
        // 2^−44·|f| or 1e-3 of --max-error, else higher precision). A model output that is
        // not finite is an infinite error; inputs where f is undefined are counted apart.
        const f = accurateEvaluator(formula.expr, names);
        const out = new Float64Array(1);
        const absTol = limit === undefined ? 0 : 1e-3 * limit;
        let max = 0, sq = 0, rel = 0, at = 0, undefinedAt = -1, undefinedCount = 0, counted = 0, nonFinite = 0;
        for (let i = 0; i < batch; i++) {
          const exact = f(x.subarray(i * d, i * d + d), out, absTol);
          if (!Number.isFinite(exact)) { undefinedCount++; if (undefinedAt < 0) undefinedAt = i; continue; }
          counted++;
          if (!Number.isFinite(y[i]!)) nonFinite++;
          const e = Number.isFinite(y[i]!) ? Math.abs(exact - y[i]!) : Infinity;
          if (counted === 1 || e > max) { max = e; at = i; }
          sq += e * e;
          if (exact !== 0) rel = Math.max(rel, e / Math.abs(exact));
        }
        if (undefinedCount > 0 && !flags.data) {
          const row = Object.fromEntries(names.map((v, j) => [v, x[undefinedAt * d + j]]));
          throw new InputError('--var', `give a box where the formula is defined (${formula.text} is undefined or not finite at ${JSON.stringify(row)})`, (flags.var as string[]).join(' '));
        }
        if (counted === 0) throw new InputError('--data', 'contain inputs where the formula is defined', flags.data);
        const proven = flags.certify ? (await certifyModelFile({ model, expr: flags.expr, vars: flags.var, ranges: flags.range })).result : undefined;
        const result = {
          model, format: runner.format, dtype: runner.dtype, samples: batch,
          maxError: { measured: max, ...(proven ? { certified: proven.upper, certifyWorstFound: proven.lower, certifyGapReached: proven.stopped === 'gap' } : {}) },
          rmsError: Math.sqrt(sq / counted), relativeMaxError: rel, undefinedSamples: undefinedCount, nonFiniteOutputs: nonFinite,
          worstInput: Object.fromEntries(names.map((v, j) => [v, x[at * d + j]])),
          certifiedInFile: (runner.metadata as Record<string, unknown> | undefined)?.certifiedMax ?? null,
          seconds: (performance.now() - started) / 1000,
        };
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(`${renderPairs([
            ['model', `${model} (${runner.format}, ${runner.dtype})`],
            ['samples', batch],
            ...(undefinedCount ? [['samples where the formula is undefined (not counted)', undefinedCount] as [string, number]] : []),
            ['max error, measured', max],
            ...(proven ? [['max error, certified (certify)', `${fmt(proven.upper)} (worst found ${fmt(proven.lower)}${proven.stopped === 'gap' ? '' : ', gap not within 10% by the time limit'})`] as [string, string]] : []),
            ['RMS error, measured', result.rmsError],
            ['relative max error, measured', rel],
            ['worst input', JSON.stringify(result.worstInput)],
          ])}\n`);
        }
        if (nonFinite > 0) {
          process.stderr.write(`knotnet: the model's output is not finite (NaN or infinite) at ${nonFinite} of ${counted} samples, e.g. at ${JSON.stringify(result.worstInput)}: its max error is infinite.\n`);
          throw new ExitCode(1);
        }
        if (limit !== undefined && max > limit) {
          process.stderr.write(`knotnet: measured max error ${max} is above --max-error ${limit}.\n`);
          throw new ExitCode(1);
        }
      } finally {
        await runner.close?.();
      }
    });
}

/** Most box samples rejection sampling draws before it gives up on a sliver of a region. */
export const MAX_REJECTION_DRAWS = 20_000_000;

/**
 * n samples uniform in the part of the box where every stated range holds (rejection
 * sampling, batches of at most 1e6). Gives up as soon as the acceptance rate seen so far
 * projects more than MAX_REJECTION_DRAWS draws: the region is a sliver of the box.
 */
function sampleRegion(box: [number, number][], given: { f: (...x: number[]) => number; range: [number, number]; text: string }[], n: number, seed: number): Float64Array {
  const d = box.length;
  const kept = new Float64Array(n * d);
  let rows = 0, drawn = 0;
  for (let round = 0; rows < n; round++) {
    const m = Math.min(Math.max(n, 10_000), 1_000_000);
    const batch = sampleBox(box, m, seed + round * 7919);
    drawn += m;
    for (let i = 0; i < m && rows < n; i++) {
      const row = Array.from(batch.subarray(i * d, i * d + d));
      if (given.every(({ f, range }) => { const v = f(...row); return v >= range[0] && v <= range[1]; })) kept.set(row, d * rows++);
    }
    if (rows < n && (rows === 0 || (drawn * n) / rows > MAX_REJECTION_DRAWS)) {
      throw new InputError('--range', `leave enough of the --var box to draw -n ${n} samples within ${MAX_REJECTION_DRAWS} draws (kept ${rows} of ${drawn}; widen the ranges or lower -n)`, given.map((g) => g.text).join(', '));
    }
  }
  return kept;
}
