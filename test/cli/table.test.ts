import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from '../../src/cli/table.ts';

test('renderTable right-aligns a numeric column even when some cells are blank (compare\'s "certified max" of a ' +
  'trained network)', () => {
  const lines = renderTable(['network', 'ReLUs', 'certified max'], [['knotnet', 12, 0.00123], ['trained', 120,
    '']]).split('\n');
  const end = lines[0]!.length;
  assert.equal(lines[2]!.length, end, 'the number ends where the header ends');
  assert.ok(lines[2]!.endsWith('0.001230'));
  assert.match(lines[3]!, /^trained {2,}120$/, 'ReLUs right-aligned, the blank cell trimmed');
  assert.match(lines[2]!, /^knotnet {2,}12 /);
});
