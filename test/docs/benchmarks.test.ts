/**
 * One source for figures: every fenced block of docs/benchmarks.md stands inside a
 * `<!-- bench:NAME begin/end -->` pair, and a bench script records NAME (bench/write.ts
 * recordFor), so each figure there is written by the code that measures it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { markers, replaceBlock } from '../../bench/write.ts';
import { fencedBlocks, REPO } from '../../scripts/doc-examples.ts';

const page = readFileSync(join(REPO, 'docs/benchmarks.md'), 'utf8');
const benchSources = readdirSync(join(REPO, 'bench')).filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(REPO, 'bench', f), 'utf8')).join('\n');

describe('docs/benchmarks.md', () => {
  it('every block of figures lies between bench markers', () => {
    const spans = [...page.matchAll(/<!-- bench:([\w-]+) begin -->/g)].map((m) => {
      const end = page.indexOf(markers(m[1]!)[1]);
      assert.ok(end > m.index, `block ${m[1]} has an end marker`);
      return [m.index, end] as const;
    });
    for (const b of fencedBlocks(page)) {
      assert.ok(spans.some(([s, e]) => s < b.start && b.end < e), `a block outside markers:\n${b.text}`);
    }
  });

  it('every bench block names a generator: a bench script that records it', () => {
    const names = [...page.matchAll(/<!-- bench:([\w-]+) begin -->/g)].map((m) => m[1]!);
    assert.ok(names.length >= 4, names.join(', '));
    for (const name of names) {
      const recorded = benchSources.includes(`recordFor('${name}'`) || (name.startsWith('run')
        && benchSources.includes("recordFor(quick ? 'run-quick' : 'run'"));
      assert.ok(recorded, `no bench script records block ${name}`);
    }
  });

  it('replaceBlock replaces only the named block, and refuses a missing one', () => {
    const text = `a\n${markers('x').join('\nold\n')}\nb\n`;
    assert.equal(replaceBlock(text, 'x', 'new\n'), `a\n${markers('x')[0]}\nnew\n${markers('x')[1]}\nb\n`);
    assert.throws(() => replaceBlock(text, 'y', ''), /no block/);
  });
});
