/**
 * Install size and start time of the package as users get it: `npm run bench:package`.
 * Packs the repository, installs the tarball with --omit=optional into a fresh project (from
 * the npm cache), and times `--version` (median of RUNS, wall clock and CPU): through npx, the
 * installed bin directly (compiled dist/), and this checkout's bin (sources through tsx); and
 * npx running an empty script, the floor npx itself sets.
 */
import { recordFor } from './write.ts';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '../src/cli/table.ts';
import { fmt } from '../src/report/format.ts';
import { diskBytes, freshProject, npmInstall, packRepository, REPO } from '../test/support/package.ts';

const RUNS = 9;
const TIME = '/usr/bin/time'; // GNU time reports the child's CPU seconds; wall clock only without it

function startTimes(cmd: string, args: string[], cwd: string): { wall: number; cpu: number | null } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = existsSync(TIME)
      ? spawnSync(TIME, ['-f', 'cpu %U %S', cmd, ...args], { cwd, encoding: 'utf8' })
      : spawnSync(cmd, args, { cwd, encoding: 'utf8' });
    wall.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const m = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (m) cpu.push(Number(m[1]) + Number(m[2]));
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { wall: median(wall), cpu: cpu.length ? median(cpu) : null };
}

recordFor('package', 'npm run bench:package -- --write');
const work = mkdtempSync(join(tmpdir(), 'knotnet-bench-'));
const project = freshProject();
try {
  npmInstall(project, [packRepository(work)], { omitOptional: true });
  const mb = diskBytes(join(project, 'node_modules')) / 1e6;
  console.log(`# installed size, npm install <tarball> --omit=optional: ${mb.toFixed(1)} MB (node_modules of a ` +
    `fresh project)\n`);
  // npm's own start, the floor of any `npx` command: an empty Node script as a local bin.
  const noop = join(project, 'node_modules/.bin/knotnet-noop');
  writeFileSync(noop, '#!/usr/bin/env node\n');
  chmodSync(noop, 0o755);
  const rows = [
    ['npx knotnet-noop (an empty Node script: npx\'s own start)', startTimes('npx', ['knotnet-noop'], project)],
    ['npx knotnet --version (installed, dist/)', startTimes('npx', ['knotnet', '--version'], project)],
    ['node_modules/.bin/knotnet --version (installed, dist/)',
      startTimes(join(project, 'node_modules/.bin/knotnet'), ['--version'], project)],
    ['bin/knotnet.js --version (this checkout, sources through tsx)',
      startTimes(process.execPath, [join(REPO, 'bin/knotnet.js'), '--version'], REPO)],
  ] as const;
  console.log(`# start time, median of ${RUNS} runs (seconds)`);
  console.log(renderTable(['command', 'wall clock', 'CPU (user + sys)'],
    rows.map(([name, t]) => [name, fmt(t.wall), t.cpu === null ? 'n/a' : fmt(t.cpu)])));
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
}
