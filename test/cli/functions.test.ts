import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const BIN = new URL('../../bin/knotnet.js', import.meta.url).pathname;

function knotnet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('approx "asin(x)" --domain -1:1 --max-error 1e-3 --json: certified <= 1e-3 and >= measured, with the infinite slopes at both ends', () => {
  const r = knotnet('approx', 'asin(x)', '--domain', '-1:1', '--max-error', '1e-3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.maxError.certified <= 1e-3 && j.maxError.measured <= j.maxError.certified, JSON.stringify(j.maxError));
});

test('compile "atan2(y, x)" across the negative x-axis exits 2 with one sentence naming the cut and a region that avoids it', () => {
  const r = knotnet('compile', 'atan2(y, x)', '--var', 'y=-1:1', '--var', 'x=-2:-1', '--max-error', '1e-2');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /cut along the negative x-axis.*give a region with x > 0, y > 0 or y < 0/);
  assert.equal(r.stdout, '');
});
