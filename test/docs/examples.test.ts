/**
 * Every `sh` example of README.md, CONTRIBUTING.md and docs/ runs as written, in a temporary
 * folder (never the checkout), with the exit code it states (0 unless `# exits N`), and prints
 * the output shown after it (timings masked as `…`). A plain `npx knotnet …` line, alone or
 * `> /dev/null`, runs in this process (test/support/cli.ts runCli); other pipes and redirections
 * run in bash. Blocks
 * marked `sh long` (the demo, training) run with `node --import tsx scripts/doc-examples.ts
 * --long`, not here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  examplePages, exampleEntry, inProcessCommand, knotnetArgs, outputMismatch, pageExamples, runPage,
} from '../../scripts/doc-examples.ts';
import { runCli } from '../support/cli.ts';
import { distIsFresh } from '../support/dist.ts';

const ENTRY = exampleEntry(distIsFresh());

describe('the documentation examples run as written', () => {
  for (const page of examplePages()) {
    const examples = pageExamples(page).filter((e) => e.kind !== 'long');
    if (!examples.length) continue;
    it(`${page}: ${examples.length} examples exit as stated and print what is shown`, async (t) => {
      const inProcess = (args: string[], cwd: string) => runCli(args, { cwd });
      const results = await runPage(page, new Set(['run', 'server']), ENTRY, inProcess);
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
      t.diagnostic(`${page}: ${commands} commands run`);
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
});
