/**
 * A reader that closes the pipe early (`| head`) ends the command quietly: exit 0, nothing on
 * stderr (it was an unhandled EPIPE 'error' event with a stack trace).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { CLI_ENTRY } from '../support/cli.ts';

it('knotnet sample … | head -1 (a million points, the reader gone after one line): exit 0, stderr empty', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI_ENTRY}" sample shell -n 1000000 --quiet | head -1; `
    + 'echo "status $' + '{PIPESTATUS[0]}"'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.stdout.split('\n')[0], 'dx,dy,dz');
  assert.match(r.stdout, /^status 0$/m);
  assert.equal(r.stderr, '');
});
