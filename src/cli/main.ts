import { Command, CommanderError } from 'commander';
import { ExitCode, InputError, SoundnessError, WorkError } from '../errors.ts';
import { cliMessage } from './flags.ts';
import { printable, say } from './printable.ts';
import { setQuiet } from './progress.ts';
import { VERSION } from './version.ts';
import { missingOptional, missingPackage } from '../optional.ts';

type Register = (program: Command) => void;

/**
 * Every command: its name and the module that registers it, loaded only when needed (a
 * command loads what it uses; `--version` loads none, `--help` all but no heavy runtime).
 * Adding a command is one line here. In the order `--help` lists them.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  approx: async () => (await import('./approx.ts')).registerApprox,
  compile: async () => (await import('./compile.ts')).registerCompile,
  sample: async () => (await import('./sample.ts')).registerSample,
  check: async () => (await import('./check.ts')).registerCheck,
  certify: async () => (await import('./certify.ts')).registerCertify,
  milp: async () => (await import('./milp.ts')).registerMilp,
  predict: async () => (await import('./predict.ts')).registerPredict,
  fit: async () => (await import('./fit.ts')).registerFit,
  compare: async () => (await import('./compare.ts')).registerCompare,
  demo: async () => (await import('./demo.ts')).registerDemo,
  explore: async () => (await import('./explorer.ts')).registerExplore,
};

/** ExitCode lives beside the other errors; re-exported for commands that import it from here. */
export { ExitCode } from '../errors.ts';

/**
 * The program with the commands `argv` needs: the one it names first, or (no command, `help`,
 * an unknown name to suggest against) all of them; only `--version`/`-V` alone needs none.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('knotnet')
    .description('Neural networks by construction: formulas to ReLU networks with certified error bounds.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(printable(s, { keepNewlines: true })),
      outputError: (s, write) => write(formulaHint(s)),
    })
    .showSuggestionAfterError(true)
    // --quiet (on the commands that show progress) holds for this run only.
    .hook('preAction', (_program, action) => setQuiet(action.opts().quiet === true));
  const args = argv.slice(2);
  const first = args[0];
  const wanted = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first]
    : args.length > 0 && args.every((a) => a === '--version' || a === '-V') ? []
    : Object.keys(COMMANDS);
  const registers = new Set(await Promise.all(wanted.map((name) => COMMANDS[name]!())));
  for (const register of registers) register(program);
  return program;
}

/**
 * commander's error for an argument it took for an option, with the way to pass it when it is
 * a formula that starts with a minus sign (`knotnet approx "-x^2" …`): in parentheses.
 */
function formulaHint(message: string): string {
  const m = /^(error: unknown option '(-[^']*)')\n$/.exec(message);
  if (!m || /^--[A-Za-z][\w-]*(=.*)?$/.test(m[2]!)) return message;
  return `${m[1]} (a formula that starts with a minus sign goes in parentheses: "(${m[2]})")\n`;
}

/**
 * Runs the CLI; returns the exit code (0 ok, 1 work failed, 2 bad usage or input, 3 a certificate that did not hold: a
 * bug).
 */
export async function main(argv: string[]): Promise<number> {
  stopQuietlyOnClosedPipe();
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return exitCodeFor(e);
  }
}

let pipeGuarded = false;

/**
 * A reader that closes the pipe early (`knotnet predict … | head -3`) has all it wanted: the
 * command stops at once with exit 0 and prints nothing, as Unix tools do (the stream's EPIPE
 * would otherwise be an unhandled 'error' event with a stack trace). Installed once a process.
 */
function stopQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** True for the error a write to a closed pipe raises. */
function isClosedPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

function exitCodeFor(e: unknown): number {
  if (e instanceof ExitCode) return e.code;
  if (isClosedPipe(e)) return 0;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed one line
  }
  if (e instanceof InputError) {
    say(cliMessage(e.issue));
    return 2;
  }
  if (e instanceof SoundnessError) {
    say(e.message);
    return 3;
  }
  if (e instanceof WorkError) {
    say(e.message);
    return 1;
  }
  const missing = missingOptional(e);
  if (missing) {
    say(missingPackage(missing, 'This command').message);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    say(err.message);
    return 2;
  }
  say(`internal error: ${(e as Error)?.message ?? String(e)}`);
  if (process.env.KNOTNET_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
  return 1;
}
