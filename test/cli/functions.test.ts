import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';

/** `knotnet ...args` in this process (test/support/cli.ts). */
const knotnet = (...args: string[]) => runCli(args);

test('approx "asin(x)" --domain -1:1 --max-error 1e-3 --json: certified <= 1e-3 and >= measured, with the infinite ' +
  'slopes at both ends', async () => {
  const r = await knotnet('approx', 'asin(x)', '--domain', '-1:1', '--max-error', '1e-3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.maxError.certified <= 1e-3 && j.maxError.measured <= j.maxError.certified, JSON.stringify(j.maxError));
});

test('compile "atan2(y, x)" across the negative x-axis exits 2 with one sentence naming the cut and a region that ' +
  'avoids it', async () => {
  const r = await knotnet('compile', 'atan2(y, x)', '--var', 'y=-1:1', '--var', 'x=-2:-1', '--max-error', '1e-2');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /cut along the negative x-axis.*give a region with x > 0, y > 0 or y < 0/);
  assert.equal(r.stdout, '');
});

test('compile "[atan(x) + acos(y/2), cbrt(y)*sinh(x), cosh(y) - erf(x), normcdf(y)*asin(x), atan2(y, x), hypot(x, ' +
  'y), clamp(y, -0.5, 0.5), x^y]" --json: one network, eight outputs y1…y8, each certified <= 5e-2 and >= measured',
    async () => {
  const list = '[atan(x) + acos(y/2), cbrt(y)*sinh(x), cosh(y) - erf(x), normcdf(y)*asin(x), atan2(y, x), hypot(x, ' +
    'y), clamp(y, -0.5, 0.5), x^y]';
  const r = await knotnet('compile', list, '--var', 'x=0.2:1', '--var', 'y=-1:1', '--max-error', '5e-2', '--deep',
    'never', '--samples', '10000', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { outputs: { name: string; certifiedMax: number; measuredMax: number }[] };
  assert.deepEqual(j.outputs.map((o) => o.name), ['y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7', 'y8']);
  for (const o of j.outputs) assert.ok(o.certifiedMax <= 5e-2 && o.measuredMax <= o.certifiedMax,
    `${o.name}: measured ${o.measuredMax}, certified ${o.certifiedMax}`);
});
