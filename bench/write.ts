/**
 * One source for figures: a bench run with `--write` replaces its block in docs/benchmarks.md
 * (between `<!-- bench:NAME begin -->` and `<!-- bench:NAME end -->`) with what it printed,
 * the date, the machine and the command, so no figure in the docs is typed by hand.
 * test/docs/benchmarks.test.ts checks that every block there has a generator.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

export const BENCH_PAGE = join(import.meta.dirname, '../docs/benchmarks.md');

/** The markers around block `name`. */
export function markers(name: string): [string, string] {
  return [`<!-- bench:${name} begin -->`, `<!-- bench:${name} end -->`];
}

/** `page` with block `name` replaced by `body`; an error when the page has no such block. */
export function replaceBlock(page: string, name: string, body: string): string {
  const [begin, end] = markers(name);
  const [i, j] = [page.indexOf(begin), page.indexOf(end)];
  if (i < 0 || j < i) throw new Error(`docs/benchmarks.md has no block ${begin} … ${end}`);
  return page.slice(0, i + begin.length) + '\n' + body + page.slice(j);
}

/**
 * With `--write` on the command line: everything this run prints with console.log is kept and,
 * when the process ends with exit code 0, written as block `name` of docs/benchmarks.md.
 */
export function recordFor(name: string, command: string): void {
  if (!process.argv.includes('--write')) return;
  const started = performance.now();
  const lines: string[] = [];
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
    log(...args);
  };
  process.once('exit', (code) => {
    if (code !== 0 || process.exitCode) return;
    const cpu = cpus();
    const when = new Date().toISOString().slice(0, 10);
    const model = cpu[0]?.model.trim() ?? 'unknown CPU';
    const took = ((performance.now() - started) / 1000).toFixed(0);
    const body = `Written by \`${command}\` on ${when}, ${cpu.length} cores (${model}), ${took} s, `
      + `load average ${loadavg()[0]!.toFixed(1)} at the end (timings grow with the load):\n\n`
      + '```\n' + lines.join('\n').replace(/^\n+/, '') + '\n```\n';
    const tmp = `${BENCH_PAGE}.tmp-${process.pid}`;
    writeFileSync(tmp, replaceBlock(readFileSync(BENCH_PAGE, 'utf8'), name, body));
    renameSync(tmp, BENCH_PAGE);
  });
}
