/**
 * The CLI in the test's own process: `main(argv)` from src/cli/main.ts with stdout and stderr
 * captured, so a test of a command's logic (its checks, messages, exit codes, files) costs no
 * Node start-up (about 3 s of CPU per spawned `knotnet`). What only a real process shows — the
 * bin script, signals, stdin, the exit status as the shell sees it — stays with `spawnCli`.
 */
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.ts';
import { distIsFresh } from './dist.ts';

/** What a run of the CLI gave: its exit code and everything it wrote. */
export interface CliRun { code: number; stdout: string; stderr: string }

/** The bin script: in a checkout it runs the sources through tsx. */
export const BIN = new URL('../../bin/knotnet.js', import.meta.url).pathname;

/**
 * What spawned runs start: dist/'s CLI when dist/ is fresh (built from the sources as they
 * are, test/support/dist.ts), as the installed package runs it, else the bin script through
 * tsx. A run from dist/ costs ~0.4 s of CPU to start instead of ~1.5 s.
 */
export const CLI_ENTRY = distIsFresh() ? new URL('dist-cli.mjs', import.meta.url).pathname : BIN;

type Write = typeof process.stdout.write;

/**
 * Collects the text `write` would print into `sink`, calling back like the real stream does.
 * The CLI writes only strings; bytes go on to `real`: under `node --test` the runner's own
 * reports to its parent are serialized bytes on this same stdout, and must not be swallowed.
 */
function capture(sink: { text: string }, real: Write, stream: NodeJS.WriteStream): Write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (real as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    sink.text += chunk;
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  }) as Write;
}

/** Sets `vars` in process.env (undefined deletes); returns the function that restores them. */
function withEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.entries(vars).map(([k]) => [k, process.env[k]] as const);
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * `knotnet ...args` in this process, in folder `cwd` if given, with `env` set for the run.
 * Runs are serialised (stdout, stderr and the folder are process-wide).
 */
export async function runCli(
  args: string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => { release = r; });
  await previous;
  const out = { text: '' }, err = { text: '' };
  const [stdout, stderr, folder] = [process.stdout.write, process.stderr.write, process.cwd()];
  const restoreEnv = withEnv(o.env ?? {});
  process.stdout.write = capture(out, stdout, process.stdout);
  process.stderr.write = capture(err, stderr, process.stderr);
  try {
    if (o.cwd) process.chdir(o.cwd);
    const code = await main(['node', 'knotnet', ...args]);
    return { code, stdout: out.text, stderr: err.text };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.chdir(folder);
    restoreEnv();
    release();
  }
}
let queue: Promise<void> = Promise.resolve();

/** `knotnet ...args` as its own process, from CLI_ENTRY (for end-to-end cases only). */
export function spawnCli(
  args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {},
): CliRun {
  const r = spawnSync(process.execPath, [CLI_ENTRY, ...args], {
    encoding: 'utf8', timeout: o.timeout ?? 120_000, cwd: o.cwd, env: o.env ?? process.env, input: o.input,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
