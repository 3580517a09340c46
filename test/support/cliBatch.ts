/**
 * Runs several knotnet command lines in one process (one start-up instead of one per case)
 * through the CLI's own `main` (test/support/cli.ts), and prints one JSON array of
 * { code, stdout, stderr }.
 * Usage: node --import tsx test/support/cliBatch.ts '<JSON array of argument arrays>'
 */
import { runCli, type CliRun } from './cli.ts';

const runs = JSON.parse(process.argv[2] ?? '[]') as string[][];
const results: CliRun[] = [];
for (const args of runs) results.push(await runCli(args));
process.stdout.write(`${JSON.stringify(results)}\n`);
