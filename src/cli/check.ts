import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { sampleBox } from '../compile/sample.ts';
import { accurateEvaluator } from '../expr/accurate.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { parseFormula } from '../expr/parse.ts';
import { loadArtifact } from '../runtime/index.ts';
import { parseCount, parsePositive, parseVarRange } from './args.ts';
import { readCsv } from './csv.ts';
import { ExitCode } from './main.ts';
import { renderPairs } from './table.ts';

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
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', '\nExample:\n  knotnet check t3.onnx --expr "sqrt(dx^2+dy^2+dz^2)" --data shell.csv --max-error 1')
    .action(async (model: string, flags: Record<string, any>) => {
      const started = performance.now();
      const formula = parseFormula(flags.expr, '--expr');
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
          const box: Record<string, [number, number]> = {};
          for (const v of flags.var as string[]) { const p = parseVarRange(v, '--var'); box[p.name] = p.range; }
          for (const v of names) if (!box[v]) throw new InputError('--var', `give a range for every model input (missing ${v})`, Object.keys(box).join(', ') || 'none');
          const n = parseCount(flags.n, '-n', 10_000_000);
          const seed = Number(flags.seed) || 0;
          const given = (flags.range as string[]).map((t) => {
            const p = parseVarRange(t, '--range');
            const g = parseFormula(p.name, '--range');
            for (const v of g.variables) if (!names.includes(v)) throw new InputError('--range', `use only the model's inputs (${names.join(', ')})`, v);
            return { f: compileFunction(g.expr, names), range: p.range, text: t };
          });
          if (given.length === 0) x = sampleBox(names.map((v) => box[v]!), n, seed);
          else {
            // Rejection sampling: uniform in the box, kept where every stated range holds.
            const d = names.length;
            const kept: number[] = [];
            for (let round = 0; round < 200 && kept.length < n * d; round++) {
              const batch = sampleBox(names.map((v) => box[v]!), Math.max(n, 10_000), seed + round * 7919);
              for (let i = 0; i < batch.length / d && kept.length < n * d; i++) {
                const row = Array.from(batch.subarray(i * d, i * d + d));
                if (given.every(({ f, range }) => { const v = f(...row); return v >= range[0] && v <= range[1]; })) kept.push(...row);
              }
            }
            if (kept.length === 0) throw new InputError('--range', 'leave some of the --var box to sample', given.map((g) => g.text).join(', '));
            x = Float64Array.from(kept);
          }
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
        const result = {
          model, format: runner.format, dtype: runner.dtype, samples: batch,
          maxError: { measured: max }, rmsError: Math.sqrt(sq / counted), relativeMaxError: rel, undefinedSamples: undefinedCount, nonFiniteOutputs: nonFinite,
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
