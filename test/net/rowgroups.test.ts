import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noError } from '../../src/net/errorform.ts';
import { denseLayer } from '../../src/net/network.ts';
import { RowGroups } from '../../src/net/rowgroups.ts';


test('RowGroups.place puts proportional rows in one group and widens its v range', () => {
  // Rows (1, 2), (−2, −4), (1, 3), (0, 5), (0, −1): the first two are proportional; so are the last two.
  const layer = denseLayer('relu', 2, 5, [1, 2, -2, -4, 1, 3, 0, 5, 0, -1], [0, 1, 0, 0, 0]);
  const groups = new RowGroups();
  const alphas = [2, -4, 3, 5, -1];
  const fanIns = [2, 2, 2, 1, 1];
  const firstCols = [1, 1, 1, 1, 1];
  const placed = alphas.map((a, r) => groups.place(layer, r, fanIns[r]!, firstCols[r]!, a, r, r + 1, noError, () => 0));
  assert.deepEqual(placed, [0, 0, 1, 2, 2]);
  assert.deepEqual([groups.groups[0]!.vLo, groups.groups[0]!.vHi], [0, 2]);
  assert.equal(groups.groups.length, 3);
});
