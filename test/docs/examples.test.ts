/**
 * Every `sh` example of README.md, CONTRIBUTING.md and docs/ runs as written, in a temporary
 * folder (never the checkout), with the exit code it states (0 unless `# exits N`), and prints
 * the output shown after it (timings masked as `…`). A plain `npx knotnet …` line, alone or
 * `> /dev/null`, runs in this process (test/support/cli.ts runCli); other pipes and redirections
 * run in bash. A command an earlier page ran identically (same line, same bytes in the files
 * it names: scripts/doc-example-cache.ts) is not run again: its exit code, output and written
 * files are reused. Blocks
 * marked `sh long` (the demo, training) run with `node --import tsx scripts/doc-examples.ts
 * --long`, not here.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  exampleFolder, examplePages, exampleEntry, inProcessCommand, knotnetArgs, outputMismatch, pageExamples, removeFolder,
  runPage,
} from '../../scripts/doc-examples.ts';
import { RunCache } from '../../scripts/doc-example-cache.ts';
import { runCli } from '../support/cli.ts';
import { distIsFresh } from '../support/dist.ts';

const ENTRY = exampleEntry(distIsFresh());
/** A command an earlier page ran identically (same line, same bytes in the files it names) runs once. */
const cache = new RunCache();

describe('the documentation examples run as written', () => {
  for (const page of examplePages()) {
    const examples = pageExamples(page).filter((e) => e.kind !== 'long');
    if (!examples.length) continue;
    it(`${page}: ${examples.length} examples exit as stated and print what is shown`, async (t) => {
      const inProcess = (args: string[], cwd: string) => runCli(args, { cwd });
      const reusedBefore = cache.reused;
      const results = await runPage(page, new Set(['run', 'server']), ENTRY, inProcess, cache);
      let commands = 0;
      for (const { ex, runs } of results) {
        for (const r of runs) {
          commands++;
          assert.equal(r.code, r.command.exit, `${page}: \`${r.command.line}\` exited ${r.code}\n${r.stderr}`);
        }
        if (ex.shown) {
          const diff = outputMismatch(ex.shown.text, runs.map((r) => r.stdout).join(''));
          assert.equal(diff, null, `${page}: the output shown after \`${ex.block.text.trim()}\` differs: ${diff}`);
        }
      }
      t.diagnostic(`${page}: ${commands} commands run (${cache.reused - reusedBefore} as an earlier page ran them)`);
    });
  }
});

describe('the doc-example tools', () => {
  it('outputMismatch: … matches one word, any other difference is reported with its line', () => {
    assert.equal(outputMismatch('seconds  …\nok\n', 'seconds  0.25\nok'), null);
    assert.match(outputMismatch('a 1\n', 'a 2\n') ?? '', /^line 1: shown/);
    assert.match(outputMismatch('a\n', 'a\nb\n') ?? '', /^line 2/);
    assert.notEqual(outputMismatch('x …\n', 'x two words\n'), null);
  });

  it('knotnetArgs splits a plain command as the shell does, and leaves pipes and redirections to the shell', () => {
    assert.deepEqual(knotnetArgs(`npx knotnet approx "sqrt(x)" --domain 0:1 --range 'a b=1:2'`),
      ['approx', 'sqrt(x)', '--domain', '0:1', '--range', 'a b=1:2']);
    assert.equal(knotnetArgs('npx knotnet sample shell | head -2'), null);
    assert.equal(knotnetArgs('npx knotnet approx x --save a.json > /dev/null'), null);
    assert.equal(knotnetArgs('printf x > a.csv'), null);
  });

  it('inProcessCommand takes a plain command, alone or > /dev/null (its output dropped), and nothing else', () => {
    assert.deepEqual(inProcessCommand('npx knotnet approx x --save a.json --quiet > /dev/null'),
      { args: ['approx', 'x', '--save', 'a.json', '--quiet'], discard: true });
    assert.deepEqual(inProcessCommand('npx knotnet sample shell'), { args: ['sample', 'shell'], discard: false });
    assert.equal(inProcessCommand('npx knotnet approx x > a.txt'), null);
    assert.equal(inProcessCommand('npx knotnet sample shell | head -2 > /dev/null'), null);
  });

  it('RunCache runs a line once per bytes of the files it names, and writes what that run wrote', async () => {
    const [a, b] = [exampleFolder(), exampleFolder()];
    try {
      let runs = 0;
      const copy = (dir: string) => async () => {
        runs++;
        writeFileSync(`${dir}/out.txt`, readFileSync(`${dir}/in.txt`, 'utf8').toUpperCase());
        return { code: 0, stdout: `run ${runs}\n`, stderr: '' };
      };
      const cache = new RunCache();
      for (const dir of [a, b]) writeFileSync(`${dir}/in.txt`, 'same');
      writeFileSync(`${a}/unnamed.txt`, 'only in a');
      assert.deepEqual(await cache.run('run', 'copy in.txt', a, copy(a)), { code: 0, stdout: 'run 1\n', stderr: '' });
      assert.deepEqual(await cache.run('run', 'copy in.txt', b, copy(b)), { code: 0, stdout: 'run 1\n', stderr: '' });
      assert.equal(readFileSync(`${b}/out.txt`, 'utf8'), 'SAME');
      assert.deepEqual([runs, cache.reused], [1, 1]);
      writeFileSync(`${b}/in.txt`, 'other');
      assert.equal((await cache.run('run', 'copy in.txt', b, copy(b))).stdout, 'run 2\n');
      assert.equal(readFileSync(`${b}/out.txt`, 'utf8'), 'OTHER');
      assert.equal((await cache.run('server', 'copy in.txt', b, copy(b))).stdout, 'run 3\n');
    } finally {
      removeFolder(a);
      removeFolder(b);
    }
  });
});
