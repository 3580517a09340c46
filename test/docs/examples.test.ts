/**
 * Every `sh` example of README.md, CONTRIBUTING.md and docs/ runs as written, in a temporary
 * folder (never the checkout), with the exit code it states (0 unless `# exits N`), and prints
 * the output shown after it (timings masked as `…`). Blocks marked `sh long` (the demo,
 * training) run with `node --import tsx scripts/doc-examples.ts --long`, not here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { examplePages, exampleEntry, outputMismatch, pageExamples, runPage } from '../../scripts/doc-examples.ts';
import { distIsFresh } from '../support/dist.ts';

const ENTRY = exampleEntry(distIsFresh());

describe('the documentation examples run as written', () => {
  for (const page of examplePages()) {
    const examples = pageExamples(page).filter((e) => e.kind !== 'long');
    if (!examples.length) continue;
    it(`${page}: ${examples.length} examples exit as stated and print what is shown`, async (t) => {
      const results = await runPage(page, new Set(['run', 'server']), ENTRY);
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
});
