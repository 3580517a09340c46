/**
 * The API reference (TypeDoc, typedoc.json) builds from the doc comments without warnings:
 * treatWarningsAsErrors is on, so an undocumented export's broken link or a type the entry
 * points use but do not export fails here. Generated into a temporary folder; `npm run docs`
 * writes docs/api. typedoc.json sets disableSources: no links to source lines, so no git
 * remote is needed (a clone's local remote would warn).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { REPO } from '../support/package.ts';

it('typedoc builds the API reference of the four entry points without warnings', () => {
  const out = mkdtempSync(join(tmpdir(), 'knotnet-api-'));
  try {
    // --out replaces typedoc.json's outputs (docs/api, what `npm run docs` writes).
    // --skipErrorChecking: the compiler's own check of the sources is test/house.test.ts's.
    const args = ['--out', out, '--treatWarningsAsErrors', '--skipErrorChecking'];
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typedoc/bin/typedoc'), ...args], { cwd: REPO,
      encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /warning|error/i);
    for (const page of ['index.html', 'modules/knotnet.html', 'modules/knotnet_export.html',
      'modules/knotnet_runtime.html', 'modules/knotnet_train.html']) {
      assert.ok(existsSync(join(out, page)), page);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
