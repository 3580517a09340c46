import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorSymbols, type Group, symbolError, type Units } from '../../src/net/errorform.ts';
import { denseLayer } from '../../src/net/network.ts';
import { RowCombiner } from '../../src/net/rowerror.ts';

/** Units of a previous layer: one per column, in the given groups, no own rounding unless `fresh`. */
function unitsOf(group: number[], o: { relu: boolean; alpha?: number[]; bias?: number[]; fresh?: number[] }): Units {
  const n = group.length;
  return {
    group: Int32Array.from(group), alpha: Float64Array.from(o.alpha ?? group.map(() => 1)),
    bias: Float64Array.from(o.bias ?? group.map(() => 0)), fresh: Int32Array.from(o.fresh ?? group.map(() => -1)),
    freshSign: new Float64Array(n).fill(1), dead: new Uint8Array(n), relu: o.relu,
  };
}

test('RowCombiner: linear units of interleaved groups add up per group, groups in order of first appearance, ' +
  'zero weights skipped, and the next row starts clean', () => {
  const symbols = new ErrorSymbols();
  const ids = [symbols.add(1), symbols.add(1), symbols.add(1)];
  const groups: Group[] = ids.map((id) => ({ err: symbolError(id), errMag: 1, vLo: 0, vHi: 1 }));
  // Columns' groups 1, 0, 1, 2, 0, 2; row 0 skips column 5 (weight 0); row 1 has only groups 2 and 0.
  const units = unitsOf([1, 0, 1, 2, 0, 2], { relu: false });
  const layer = denseLayer('relu', 6, 2, [1, 2, 4, 8, 16, 0, 0, 3, 0, 5, 0, 7], [0, 0]);
  const c = new RowCombiner(layer, units, groups, symbols);
  const r0 = c.row(0, 2);
  assert.deepEqual(r0.ids, [ids[1], ids[0], ids[2]]);
  assert.deepEqual(r0.lo, [(1 + 4) / 2, (2 + 16) / 2, 8 / 2]);
  assert.deepEqual(r0.hi, r0.lo);
  assert.equal(r0.lump, 0);
  const r1 = c.row(1, 1);
  assert.deepEqual(r1.ids, [ids[0], ids[2]]);
  assert.deepEqual(r1.lo, [3, 5 + 7]);
});

test('RowCombiner: ReLU units of one group pass its error through their slope range, and each unit\'s own ' +
  'rounding enters with λ ∈ [0, 1]', () => {
  const symbols = new ErrorSymbols();
  const shared = symbols.add(1e-3);
  const own = [symbols.add(1e-6), symbols.add(2e-6)];
  // v ∈ [0, 1] (errMag 0): relu(v − 0.25) and relu(v − 0.5) with coefficients 3 and −5 have slopes
  // 0, 3, −2 on the three pieces, so v's error passes on times [−2, 3].
  const groups: Group[] = [{ err: symbolError(shared), errMag: 0, vLo: 0, vHi: 1 }];
  const units = unitsOf([0, 0], { relu: true, bias: [-0.25, -0.5], fresh: own });
  const layer = denseLayer('linear', 2, 1, [3, -5], [0]);
  const form = new RowCombiner(layer, units, groups, symbols).row(0, 1);
  assert.deepEqual(form.ids, [shared, own[0], own[1]]);
  assert.deepEqual(form.lo, [-2, 0, -5]);
  assert.deepEqual(form.hi, [3, 3, 0]);
  assert.equal(symbols.magnitude(form), 3e-3 + 3e-6 + 5 * 2e-6);
});
