/**
 * One source for figures: every fenced block of docs/benchmarks.md stands inside a
 * `<!-- bench:NAME begin/end -->` pair, and a bench script records NAME (bench/write.ts
 * recordFor), so each figure there is written by the code that measures it. On the other pages
 * (README.md, CONTRIBUTING.md, docs/ and docs/guide/), a table of figures is the shown output of
 * an example the doc test runs: a Markdown table with a number for a cell, or a fenced table (a
 * `---  ---` rule under its header) that is not a shown output, is a figure typed by hand.
 * Figures in prose are not caught (a sentence's numbers include flag defaults, formula constants
 * and analytic facts): the guide points to the blocks instead.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { markers, replaceBlock } from '../../bench/write.ts';
import { examplePages, fencedBlocks, pageExamples, REPO } from '../../scripts/doc-examples.ts';

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

/** A table cell that is a figure: a number, maybe signed, with an exponent or a unit (x, %, s, MB). */
const FIGURE_CELL = /^[−+-]?\d[\d,]*(\.\d+)?(e[+-]?\d+)?\s*(x|%|s|MB)?$/;

/** The Markdown table rows of `md` (lines starting with `|`) holding a figure cell, with where they start. */
export function figureRows(md: string): { at: number; row: string }[] {
  return [...md.matchAll(/^\|.*\|[ \t]*$/gm)].filter((m) => m[0].split('|').slice(1, -1)
    .some((cell) => FIGURE_CELL.test(cell.trim()))).map((m) => ({ at: m.index, row: m[0] }));
}

/** Whether a fenced block's text is a table of figures: a `---  ---` rule and a number below it. */
export function isFigureTable(text: string): boolean {
  const rule = /^-{2,}( {1,}-{2,})+[ \t]*$/m.exec(text);
  return !!rule && /\d/.test(text.slice(rule.index + rule[0].length));
}

/**
 * The tables of figures of `md` that are not a shown output (`shown`: where those blocks start).
 * bench/write.ts writes only docs/benchmarks.md, so elsewhere a table of figures has no generator.
 */
export function typedTables(md: string, shown: Set<number>): string[] {
  const blocks = fencedBlocks(md);
  const inBlock = (at: number) => blocks.some((b) => b.start <= at && at < b.end);
  return [
    ...figureRows(md).filter((r) => !inBlock(r.at)).map((r) => r.row),
    ...blocks.filter((b) => !shown.has(b.start) && isFigureTable(b.text)).map((b) => b.text),
  ];
}

describe('tables of figures on the other pages', () => {
  it('tell a typed table from a written or shown one', () => {
    assert.deepEqual(figureRows('| a | b |\n| --- | --- |\n| T3 | 1.09 |\n| onnx | opset 17 |\n').map((r) => r.row),
      ['| T3 | 1.09 |']);
    assert.ok(isFigureTable('name  ReLUs\n----  -----\nT3       68\n'));
    assert.ok(!isFigureTable('npm ci\nnpm test\n'));
    const page = '```sh\nnpx knotnet approx\n```\n\n```text\nname  ReLUs\n----  -----\nT3       68\n```\n'
      + '| sqrt | 50 |\n';
    assert.deepEqual(typedTables(page, new Set()), ['| sqrt | 50 |', 'name  ReLUs\n----  -----\nT3       68\n']);
    assert.deepEqual(typedTables(page, new Set([page.indexOf('```text')])), ['| sqrt | 50 |']);
  });

  for (const page of examplePages().filter((p) => p !== 'docs/benchmarks.md')) {
    it(`${page}: every table of figures is a shown output`, () => {
      const shown = new Set(pageExamples(page).flatMap((e) => (e.shown ? [e.shown.start] : [])));
      const typed = typedTables(readFileSync(join(REPO, page), 'utf8'), shown);
      assert.deepEqual(typed, [], `${page} has tables of figures typed by hand (move them to a bench block of ` +
        'docs/benchmarks.md, or show them as the output of an example)');
    });
  }
});
