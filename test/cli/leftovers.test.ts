/**
 * What a killed run leaves (hidden `.tmp` temporaries, `.old` files moved aside) is named by
 * the next run writing into the same folder and cleared once its process is gone; an old file
 * whose replacement never arrived is put back (issue 29).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI_ENTRY, runCli } from '../support/cli.ts';
import { assertUntouched, folderHash } from './folder-hash.ts';

const root = mkdtempSync(join(tmpdir(), 'knotnet-leftovers-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => { const d = join(root, `case${++n}`); mkdirSync(d); return d; };
const approx = (...args: string[]) => runCli(['approx', 'sqrt(x)', '--domain', '0:1', '--knots', '8', ...args]);

test('leftovers of a dead run are named and cleared (an old file with nothing in its place is put back); those of ' +
  'a running process and the user\'s own hidden files stay', async () => {
  const dir = fresh();
  const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
  const alive = process.ppid;
  assert.equal((await approx('--save', join(dir, 'a.json'))).code, 0);
  const put = (name: string, text: string) => writeFileSync(join(dir, name), text);
  put(`.a.json.knotnet-${dead}-1.tmp`, 'x'.repeat(65536));
  put(`.a.json.knotnet-${dead}-2.old`, 'the a.json before');
  put(`.b.json.knotnet-${dead}-3.old`, 'the only b.json');
  put(`.c.json.knotnet-${alive}-4.tmp`, 'another run writing now');
  put('.notes.knotnet-draft.tmp', 'mine');
  put('notes.txt', 'mine');
  const before = folderHash(dir);
  const r = await approx('--save', join(dir, 'a.json'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`held what an interrupted knotnet run \\(pid ${dead}\\) left behind: removed ` +
    `"\\.a\\.json\\.knotnet-${dead}-1\\.tmp"; removed "\\.a\\.json\\.knotnet-${dead}-2\\.old"; put back "b\\.json"`));
  assert.equal(readFileSync(join(dir, 'b.json'), 'utf8'), 'the only b.json');
  assert.deepEqual(readdirSync(dir).sort(), [`.c.json.knotnet-${alive}-4.tmp`, '.notes.knotnet-draft.tmp', 'a.json',
    'b.json', 'notes.txt']);
  assertUntouched(before, folderHash(dir), ['a.json', `.a.json.knotnet-${dead}-1.tmp`, `.a.json.knotnet-${dead}-2.old`,
    `.b.json.knotnet-${dead}-3.old`]);
});

test('an export killed (SIGKILL) while its temporaries exist leaves them; the next run names and removes them and ' +
  'keeps the previous output', async () => {
  const dir = fresh();
  assert.equal((await approx('--save', join(dir, 'a.json'))).code, 0);
  const previous = readFileSync(join(dir, 'a.json'));
  const child = spawn(process.execPath, [CLI_ENTRY, 'approx', 'sqrt(x)', '--domain', '0:1', '--knots', '50', '--save',
    join(dir, 'a.json'), '--export', join(dir, 'tf')], { env: { ...process.env,
    KNOTNET_TEST_HOLD_TEMPORARIES_MS: '60000' }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no temporaries in 60 s: ${stderr}`)); },
      60_000);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('temporaries written')) child.kill('SIGKILL');
    });
    child.on('exit', () => { clearTimeout(guard); resolve(); });
  });
  const left = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  assert.equal(left.length, 2, `the kill left both temporaries: ${readdirSync(dir)}`);
  const r = await approx('--save', join(dir, 'b.json'));
  assert.equal(r.code, 0, r.stderr);
  for (const f of left) assert.ok(r.stderr.includes(`removed "${f}"`), `${f} named: ${r.stderr}`);
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.json']);
  assert.deepEqual(readFileSync(join(dir, 'a.json')), previous);
});
