/**
 * The package as a user gets it: `npm pack` of this repository (prepack builds dist/), then
 * `npm install` of the tarball into a fresh project. Installs come from the npm cache
 * (`--prefer-offline`; the cache is warm after `npm ci`), and onnxruntime-node's documented
 * ONNXRUNTIME_NODE_INSTALL=skip keeps its install script from downloading CUDA files, so this
 * works without internet with npm 10 and npm 11 alike. Shared by test/package and bench/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { distIsFresh, REPO } from './dist.ts';

export { REPO };

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Environment for npm: no audit, no fund, no update notice, onnxruntime-node's download skipped. */
const npmEnv = () => ({
  ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip',
  npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
});

/**
 * Packs the repository into `dir`; returns the tarball's path. When dist/ is already newer than
 * every source it is built from (as right after `npm ci`, whose `prepare` built it), the pack
 * skips the scripts; else it packs a copy of the repository (its node_modules linked) in `dir`,
 * whose `prepare` builds the copy's dist/: a build in place would delete dist/ under the spawned
 * CLIs of the test groups running beside this one.
 */
export function packRepository(dir: string): string {
  const fresh = distIsFresh();
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dir, ...(fresh ? ['--ignore-scripts'] : [])], {
    cwd: fresh ? REPO : repositoryCopy(dir), env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  return join(dir, info[0]!.filename);
}

/** The repository's files in `dir`/repo without node_modules, dist and .git; node_modules linked to ours. */
function repositoryCopy(dir: string): string {
  const copy = join(dir, 'repo');
  const skipped = new Set(['node_modules', 'dist', '.git']);
  cpSync(REPO, copy, { recursive: true, filter: (src) => !skipped.has(relative(REPO, src).split(sep)[0]!) });
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** A fresh, empty ESM project in a temporary folder. */
export function freshProject(prefix = 'knotnet-consumer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const manifest = { name: 'consumer', version: '1.0.0', private: true, type: 'module' };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest)}\n`);
  return dir;
}

/** `npm install` of `specs` into `project` from the cache; `omitOptional` leaves out the heavy runtimes. */
export function npmInstall(project: string, specs: string[], o: { omitOptional?: boolean } = {}): void {
  const omit = o.omitOptional ? ['--omit=optional'] : [];
  const args = ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', ...omit];
  const r = spawnSync(NPM, args, { cwd: project, env: npmEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
}

/** Bytes on disk under `dir` (file sizes, symlinks not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += diskBytes(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}
