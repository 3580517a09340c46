/**
 * `knotnet predict MODEL --in points.csv [--out y.csv]`: runs any artifact on the user's own
 * points in the runtime it was made for (onnxruntime-node, TF.js, or knotnet's evaluator for
 * JSON/safetensors), so what is printed is what a deployment computes.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { loadArtifact, type ArtifactRunner } from '../runtime/index.ts';
import { csvChunks, readCsv, writeChunks, type Csv } from './csv.ts';
import { checkOutputs, type OutputTarget } from './files.ts';
import { FORCE_HELP } from './outputs.ts';
import { writeOutputs } from './staging.ts';

/** Rows run per call of the runtime: bounds memory of one batch on any model. */
const BATCH_ROWS = 65_536;

interface PredictFlags {
  in?: string;
  out?: string;
  json?: boolean;
  force?: boolean;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('Run a model (.onnx, .json, .safetensors or a TF.js folder) on your own points in its runtime.')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .option('--in <points.csv>', 'input points, a CSV with a header naming the model inputs ("-" or none: stdin)')
    .option('--out <y.csv>', 'write the inputs and outputs as CSV here (default: stdout)')
    .option('--json', 'print JSON lines ({input: value, …, output: value}) instead of CSV')
    .option('--force', FORCE_HELP)
    .addHelpText('after', '\nExample:\n  knotnet predict sqrt.json --in points.csv --out y.csv')
    .action(async (model: string, flags: PredictFlags) => {
      const out: OutputTarget | undefined = flags.out ? { path: flags.out, argument: '--out', kind: 'csv' } : undefined;
      if (out) checkOutputs([out], !!flags.force);
      const source = flags.in && flags.in !== '-' ? flags.in : '-';
      const csv = readCsv(source, '--in');
      const runner = await loadArtifact(model);
      try {
        const x = inputColumns(runner, csv);
        const y = await runBatched(runner, x);
        // In chunks of BATCH_ROWS rows, to the file or stdout: never the whole text at once.
        const rendered = () => (flags.json ? jsonLineChunks(runner, x, y) : predictionCsvChunks(runner, x, y));
        if (out) await writeOutputs([{ target: out, files: [{ relativePath: '', bytes: rendered() }] }], !!flags.force);
        else await writeChunks(process.stdout, rendered());
        if (out) process.stderr.write(`knotnet: ${x.length / runner.inputs.length} rows predicted by ` +
          `${runner.format} (${runner.dtype}) into ${flags.out}\n`);
      } finally {
        await runner.close();
      }
    });
}

/** The model's inputs, in the model's order, taken from the CSV by column name. */
export function inputColumns(runner: Pick<ArtifactRunner, 'inputs'>, csv: Csv): Float64Array {
  const names = runner.inputs;
  const cols = names.map((v) => {
    const c = csv.header.indexOf(v);
    if (c < 0) throw new InputError('--in header', `name every model input (missing ${v})`, csv.header.join(','));
    return c;
  });
  const d = names.length;
  const x = new Float64Array(csv.count * d);
  for (let i = 0; i < csv.count; i++) cols.forEach((c, j) => { x[i * d + j] = csv.rows[i * csv.header.length + c]!; });
  return x;
}

/** Runs the model BATCH_ROWS rows at a time; returns rows × outputs. */
export async function runBatched(runner: ArtifactRunner, x: Float64Array): Promise<Float64Array> {
  const d = runner.inputs.length;
  const k = runner.outputs.length;
  const rows = x.length / d;
  const y = new Float64Array(rows * k);
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - start);
    y.set(await runner.run(x.subarray(start * d, (start + n) * d), n), start * k);
  }
  return y;
}

/** Inputs then outputs per row, BATCH_ROWS rows per chunk; numbers as the shortest text that reads back the same. */
function predictionCsvChunks(runner: ArtifactRunner, x: Float64Array, y: Float64Array): Iterable<string> {
  const d = runner.inputs.length, k = runner.outputs.length;
  function* rows(): Generator<Float64Array> {
    for (let start = 0; start < x.length / d; start += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, x.length / d - start);
      const batch = new Float64Array(n * (d + k));
      for (let i = 0; i < n; i++) {
        batch.set(x.subarray((start + i) * d, (start + i + 1) * d), i * (d + k));
        batch.set(y.subarray((start + i) * k, (start + i + 1) * k), i * (d + k) + d);
      }
      yield batch;
    }
  }
  return csvChunks([...runner.inputs, ...outputColumnNames(runner)], rows());
}

/** One JSON object per row ({input: value, …, output: value}), BATCH_ROWS rows per chunk. */
function* jsonLineChunks(runner: ArtifactRunner, x: Float64Array, y: Float64Array): Generator<string> {
  const d = runner.inputs.length, k = runner.outputs.length, names = outputColumnNames(runner);
  for (let start = 0; start < x.length / d; start += BATCH_ROWS) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + BATCH_ROWS, x.length / d); i++) {
      const row: Record<string, number | null> = {};
      runner.inputs.forEach((v, j) => { row[v] = x[i * d + j]!; });
      // JSON has no NaN/Infinity: a non-finite output is written as null, never as a number.
      names.forEach((v, j) => { const o = y[i * k + j]!; row[v] = Number.isFinite(o) ? o : null; });
      lines.push(JSON.stringify(row));
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** Output names as columns: one that repeats an input's name gets the suffix "_out". */
function outputColumnNames(runner: Pick<ArtifactRunner, 'inputs' | 'outputs'>): string[] {
  return runner.outputs.map((v) => (runner.inputs.includes(v) ? `${v}_out` : v));
}
