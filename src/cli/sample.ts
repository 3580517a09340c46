import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { sampleShellBatches } from '../compile/sample.ts';
import { T3 } from '../reference.ts';
import { parseChoice, parseCount, parseNumberInRange, parsePositive, parseSeed } from './args.ts';
import { csvChunks, writeChunks } from './csv.ts';
import { checkOutputs, type OutputTarget } from './files.ts';
import { note } from './progress.ts';
import { writeOutputs } from './staging.ts';

/** Most numbers `sample` writes (-n times --dims). */
const MAX_SAMPLE_NUMBERS = 10_000_000;

/** sample's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface SampleFlags {
  dims: string; inner: string; outer: string; n: string; seed: string;
  out?: string; force?: boolean; quiet?: boolean;
}

/** sample's request, every flag parsed and checked. */
export interface SampleRequest {
  dims: number; inner: number; outer: number; n: number; seed: number;
  out?: string; force: boolean;
}

export function registerSample(program: Command): void {
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
    .option('--force', 'replace an existing --out file (a CSV carries no knotnet marker, so any existing file needs ' +
      'it)')
    .option('--quiet', 'print no summary line on stderr')
    .addHelpText('after', '\nExample:\n  knotnet sample shell --dims 3 --inner 2.1e7 --outer 2.4e7 -n 1000 --seed 1 ' +
      '--out shell.csv')
    .action(sampleAction);
}

/** Parse, check the --out path, stream the CSV, and say what was written. */
async function sampleAction(kind: string, flags: SampleFlags): Promise<void> {
  const req = parseSampleFlags(kind, flags);
  const { dims, inner, outer, n, seed } = req;
  const out: OutputTarget | undefined = req.out ? { path: req.out, argument: '--out', kind: 'csv' } : undefined;
  if (out) checkOutputs([out], req.force);
  const header = dims === 3 ? [...T3.inputs] : Array.from({ length: dims }, (_, i) => `x${i + 1}`);
  // Streamed in batches of ~64k numbers: memory stays flat whatever -n and --dims are.
  const batches = sampleShellBatches({ dims, inner, outer, n, seed }, Math.max(1, Math.floor(65_536 / dims)));
  const chunks = csvChunks(header, batches);
  if (out) await writeOutputs([{ target: out, files: [{ relativePath: '', bytes: chunks }] }], req.force);
  else await writeChunks(process.stdout, chunks);
  const columns = header.length <= 4 ? header.join(', ') : `${header[0]} … ${header[header.length - 1]}`;
  note(`sample: ${n} points uniform in the ${dims}-D shell ${inner} ≤ |x| ≤ ${outer} (seed ${seed}, columns ` +
    `${columns}) written to ${req.out ?? 'stdout'}`);
}

/** sample's flags as a request: pure. */
export function parseSampleFlags(kind: string, flags: SampleFlags): SampleRequest {
  parseChoice(kind, 'sample kind', ['shell'] as const);
  const dims = parseCount(flags.dims, '--dims', 1000);
  const inner = parseNumberInRange(flags.inner, '--inner', 0, Infinity);
  const outer = parsePositive(flags.outer, '--outer');
  if (!(outer > inner)) throw new InputError('--outer', `be greater than --inner (${inner})`, flags.outer);
  // About 4 µs a row: 10 million numbers (~570 MB of CSV) take some 15 s; more is refused.
  const n = parseCount(flags.n, '-n', Math.floor(MAX_SAMPLE_NUMBERS / dims));
  const seed = parseSeed(flags.seed);
  return { dims, inner, outer, n, seed, ...(flags.out !== undefined ? { out: flags.out } : {}),
    force: flags.force === true };
}
