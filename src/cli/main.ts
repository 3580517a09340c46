import { Command, CommanderError } from 'commander';
import { InputError, SoundnessError, WorkError } from '../errors.ts';
import { registerApprox } from './approx.ts';
import { registerCertify } from './certify.ts';
import { registerCheck } from './check.ts';
import { registerCompare } from './compare.ts';
import { registerCompile } from './compile.ts';
import { registerDemo } from './demo.ts';
import { registerExplore } from './explorer.ts';
import { registerFit } from './fit.ts';
import { registerPredict } from './predict.ts';

/** Thrown inside commands to end with a given exit code after output was printed. */
export class ExitCode extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}

export function buildProgram(): Command {
  const program = new Command('knotnet')
    .description('Neural networks by construction: formulas to ReLU networks with certified error bounds.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true);
  registerApprox(program);
  registerCompile(program);
  registerCheck(program);
  registerCertify(program);
  registerPredict(program);
  registerCompare(program);
  registerDemo(program);
  registerExplore(program);
  registerFit(program);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 work failed, 2 bad usage or input, 3 a certificate that did not hold: a bug). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return exitCodeFor(e);
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof ExitCode) return e.code;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed one line
  }
  if (e instanceof InputError) {
    process.stderr.write(`knotnet: ${e.message}\n`);
    return 2;
  }
  if (e instanceof SoundnessError) {
    process.stderr.write(`knotnet: ${e.message}\n`);
    return 3;
  }
  if (e instanceof WorkError) {
    process.stderr.write(`knotnet: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    process.stderr.write(`knotnet: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`knotnet: internal error: ${(e as Error)?.message ?? String(e)}\n`);
  if (process.env.KNOTNET_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
  return 1;
}
