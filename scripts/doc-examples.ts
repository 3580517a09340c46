/**
 * The examples of README.md and docs/ as runnable data: every fenced `sh` block is run in a
 * temporary folder (one per page, so a page's later blocks see the files its earlier ones wrote),
 * and where a `text` block follows it, the block's output is compared with it. The doc test
 * (test/docs/examples.test.ts) runs them; `node --import tsx scripts/doc-examples.ts` runs them
 * by hand: `--long` adds the blocks marked `sh long` (the demo, training), `--write` replaces
 * each shown output with what the run printed (timings masked).
 *
 * Conventions of a block:
 *  - ```sh        run by `npm test`;  ```sh long   run only with --long;
 *  - ```sh server a server: started, its first line awaited, then stopped;
 *  - a command ending in `# exits N` must exit N (else 0); lines ending in `\` continue;
 *  - in a shown output (```text right after the block) `…` stands for one word of any text:
 *    timings and dates are written so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { RunCache } from './doc-example-cache.ts';

export const REPO = join(import.meta.dirname, '..');

/** One fenced block: its info string, its text and where it stands. */
export interface Block { info: string; text: string; start: number; end: number }

/** One `sh` block and the output shown after it, if any. */
export interface Example { page: string; kind: 'run' | 'long' | 'server'; block: Block; shown?: Block }

/** The pages whose examples run: README.md, CONTRIBUTING.md and docs/ (not docs/api, not DESIGN.md: notes). */
export function examplePages(): string[] {
  const docs = (dir: string): string[] => readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === 'docs/api' ? [] : docs(p);
    return e.name.endsWith('.md') && p !== 'docs/DESIGN.md' ? [p] : [];
  });
  return ['README.md', 'CONTRIBUTING.md', ...docs('docs')].filter((p) => existsSync(join(REPO, p)));
}

/** The fenced blocks of a markdown text, in order. */
export function fencedBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    blocks.push({ info: m[1]!.trim(), text: m[2]!, start: m.index, end: m.index + m[0].length });
  }
  return blocks;
}

/** The runnable examples of one page. */
export function pageExamples(page: string): Example[] {
  const md = readFileSync(join(REPO, page), 'utf8');
  const blocks = fencedBlocks(md);
  const out: Example[] = [];
  blocks.forEach((b, i) => {
    const [lang, mark] = b.info.split(/\s+/);
    if (lang !== 'sh') return;
    const kind = mark === 'long' ? 'long' : mark === 'server' ? 'server' : 'run';
    const next = blocks[i + 1];
    const shown = next && next.info === 'text' && /^\s*$/.test(md.slice(b.end, next.start)) ? next : undefined;
    out.push({ page, kind, block: b, ...(shown ? { shown } : {}) });
  });
  return out;
}

/** One shell command of a block (continuation lines joined) and the exit code it must have. */
export interface Command { line: string; exit: number }

export function blockCommands(text: string): Command[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /\s+#\s*exits\s+(\d+)\s*$/.exec(l);
    return m ? { line: l.slice(0, m.index), exit: Number(m[1]) } : { line: l, exit: 0 };
  });
}

/** What one command did. */
export interface Ran { command: Command; code: number; stdout: string; stderr: string }

/**
 * The shell every command runs in: `npx knotnet` is this checkout's CLI (`entry`: dist/'s when
 * fresh, else bin/knotnet.js through tsx), so the examples test the code beside them.
 */
function shellPrelude(entry: string): string {
  return `npx() { if [ "$1" = knotnet ]; then shift; "${process.execPath}" "${entry}" "$@"; `
    + 'else command npx "$@"; fi; }\nset -o pipefail\n';
}

/** Runs one command in `cwd`. */
export function runCommand(c: Command, cwd: string, entry: string): Ran {
  const r = spawnSync('bash', ['-c', shellPrelude(entry) + c.line], {
    cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NO_COLOR: '1', KNOTNET_DOC_EXAMPLE: '1' },
  });
  return { command: c, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a server command, waits for its first line on stdout (at most 60 s), then stops it. */
export function runServer(c: Command, cwd: string, entry: string): Promise<Ran> {
  return new Promise((resolve) => {
    const line = c.line.replace(/^npx knotnet /, `"${process.execPath}" "${entry}" `);
    const p = spawn('bash', ['-c', shellPrelude(entry) + 'exec ' + line],
      { cwd, env: process.env });
    let stdout = '', stderr = '';
    const done = (code: number) => {
      clearTimeout(timer);
      p.kill('SIGTERM');
      resolve({ command: c, code, stdout, stderr });
    };
    const timer = setTimeout(() => done(-1), 60_000);
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); if (stdout.includes('\n')) done(0); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (code) => done(code ?? -1));
  });
}

/** A folder for one page's examples, holding the data files the docs name (docs/noisy-sin.csv). */
export function exampleFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'knotnet-doc-'));
  mkdirSync(join(dir, 'docs'));
  cpSync(join(REPO, 'docs/noisy-sin.csv'), join(dir, 'docs/noisy-sin.csv'));
  return dir;
}

export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The differences between a shown output and a real one, line by line, after masking: a `…`
 * in the shown text matches any one word (no spaces) of the real one; trailing spaces are ignored.
 */
export function outputMismatch(shown: string, real: string): string | null {
  const norm = (s: string) => s.replace(/[ \t]+$/gm, '').replace(/\n+$/, '').split('\n');
  const [a, b] = [norm(shown), norm(real)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [s, r] = [a[i] ?? '', b[i] ?? ''];
    const re = new RegExp('^' + s.split('…').map(escapeRegex).join('\\S+') + '$');
    if (!re.test(r)) return `line ${i + 1}: shown\n  ${s}\nbut the run printed\n  ${r}`;
  }
  return null;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A real output with its timings masked, for --write: a `seconds` row's value, a `seconds` column's cells. */
export function maskTimings(out: string): string {
  const lines = out.replace(/\n+$/, '').split('\n');
  let column: { start: number; end: number } | null = null;
  return lines.map((l) => {
    const kv = /^(seconds\s+)\S+$/.exec(l);
    if (kv) return kv[1] + '…';
    const h = /\bseconds\b/.exec(l);
    if (h && /\s{2,}/.test(l)) column = { start: h.index, end: h.index + h[0].length };
    else if (column && !/^-+/.test(l)) return maskColumn(l, column);
    return l;
  }).join('\n') + '\n';
}

function maskColumn(line: string, col: { start: number; end: number }): string {
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const [s, e] = [m.index, m.index + m[0].length];
    if (e > col.start - 12 && s < col.end + 2 && /^[\d.e+-]+$/.test(m[0]) && e >= col.start) {
      return line.slice(0, s) + '…'.padStart(m[0].length) + line.slice(e);
    }
  }
  return line;
}

/** Runs `knotnet ...args` in folder `cwd` in this process (the doc test's runCli), saving a Node start. */
export type InProcess = (args: string[], cwd: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * The arguments of `npx knotnet …` when the line is that command alone (no pipe, redirection,
 * variable or second command), as the shell would split them; else null.
 */
export function knotnetArgs(line: string): string[] | null {
  if (!line.startsWith('npx knotnet ') || /[|<>;&$`\\]/.test(line.replace(/"[^"]*"|'[^']*'/g, ''))) return null;
  const args: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line.slice('npx knotnet '.length)); m; m = re.exec(line.slice('npx knotnet '.length))) {
    args.push(m[1] ?? m[2] ?? m[3]!);
  }
  return args.some((a) => /["']/.test(a)) ? null : args;
}

/**
 * A line the doc test runs in its own process: a plain `npx knotnet …` command (knotnetArgs),
 * alone or with its output sent to /dev/null (`> /dev/null`: what it prints is dropped); else null.
 */
export function inProcessCommand(line: string): { args: string[]; discard: boolean } | null {
  const m = /^(.*\S)\s+>\s*\/dev\/null$/.exec(line);
  const args = knotnetArgs(m ? m[1]! : line);
  return args && { args, discard: m !== null };
}

/**
 * Runs one page's examples of the given kinds; returns what each command did. With `cache`, a
 * command an earlier page ran identically (doc-example-cache.ts) is not run again.
 */
export async function runPage(
  page: string, kinds: Set<Example['kind']>, entry: string, inProcess?: InProcess, cache?: RunCache,
): Promise<{ ex: Example; runs: Ran[] }[]> {
  const dir = exampleFolder();
  try {
    const results: { ex: Example; runs: Ran[] }[] = [];
    for (const ex of pageExamples(page)) {
      if (!kinds.has(ex.kind)) continue;
      const runs: Ran[] = [];
      for (const c of blockCommands(ex.block.text)) {
        const run = () => runOne(ex.kind, c, dir, entry, inProcess);
        runs.push(cache ? { ...await cache.run(ex.kind, c.line, dir, run), command: c } : await run());
      }
      results.push({ ex, runs });
    }
    return results;
  } finally {
    removeFolder(dir);
  }
}

/** Runs one command of an example of this kind: a server, in this process when it can, else in bash. */
async function runOne(kind: Example['kind'], c: Command, dir: string, entry: string, inProcess?: InProcess):
  Promise<Ran> {
  const plain = inProcess && kind !== 'server' ? inProcessCommand(c.line) : null;
  return kind === 'server' ? runServer(c, dir, entry)
    : plain ? runInProcess(c, plain, dir, inProcess!) : runCommand(c, dir, entry);
}

async function runInProcess(
  c: Command, plain: { args: string[]; discard: boolean }, dir: string, inProcess: InProcess,
): Promise<Ran> {
  const r = await inProcess(plain.args, dir);
  return { command: c, ...r, stdout: plain.discard ? '' : r.stdout };
}

/** The CLI the examples run: dist/'s when built and fresh, else the bin script through tsx. */
export function exampleEntry(fresh: boolean): string {
  return fresh ? join(REPO, 'test/support/dist-cli.mjs') : join(REPO, 'bin/knotnet.js');
}

async function cli(argv: string[]): Promise<number> {
  const kinds = new Set<Example['kind']>(['run', 'server', ...(argv.includes('--long') ? ['long' as const] : [])]);
  const write = argv.includes('--write');
  const only = argv.filter((a) => !a.startsWith('--'));
  const { distIsFresh } = await import('../test/support/dist.ts');
  const entry = exampleEntry(distIsFresh());
  let failed = 0, count = 0;
  const cache = new RunCache();
  for (const page of examplePages().filter((p) => !only.length || only.some((o) => p.includes(o)))) {
    const results = await runPage(page, kinds, entry, undefined, cache);
    let md = readFileSync(join(REPO, page), 'utf8');
    for (const { ex, runs } of results.reverse()) {
      count += runs.length;
      const bad = runs.find((r) => r.code !== r.command.exit);
      if (bad) {
        failed++;
        console.log(`${page}: \`${bad.command.line}\` exited ${bad.code}, not ${bad.command.exit}\n${bad.stderr}`);
      }
      if (write && ex.shown) {
        const text = maskTimings(runs.map((r) => r.stdout).join(''));
        md = md.slice(0, ex.shown.start) + '```text\n' + text + '```' + md.slice(ex.shown.end);
      }
    }
    if (write) writeFileSync(join(REPO, page), md);
    console.log(`${relative(REPO, join(REPO, page))}: ${results.length} examples run`);
  }
  console.log(`${count} commands (${cache.reused} the same as an earlier page's, not run again), ${failed} failed`);
  return failed ? 1 : 0;
}

if (process.argv[1] && dirname(process.argv[1]) === import.meta.dirname && process.argv[1].includes('doc-examples')) {
  process.exitCode = await cli(process.argv.slice(2));
}
