/**
 * Runs several knotnet command lines in one process (one start-up instead of one per case)
 * through the CLI's own `main`, and prints one JSON array of { code, stdout, stderr }.
 * Usage: node --import tsx test/support/cliBatch.ts '<JSON array of argument arrays>'
 */
import { main } from '../../src/cli/main.ts';

const runs = JSON.parse(process.argv[2] ?? '[]') as string[][];
const results: { code: number; stdout: string; stderr: string }[] = [];
const out = process.stdout.write.bind(process.stdout);
for (const args of runs) {
  let stdout = '', stderr = '';
  const err = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => { stdout += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { stderr += String(s); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['node', 'knotnet', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  results.push({ code, stdout, stderr });
}
out(`${JSON.stringify(results)}\n`);
