import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximateOnRange } from '../../src/compile/piece.ts';
import { parseFormula } from '../../src/expr/parse.ts';

/** The one-variable pieces are cached; a later call with a smaller segment limit must never get a piece above it. */
test('approximateOnRange: a cached piece never exceeds the segment limit of a later call', () => {
  const fn = parseFormula('sin(u)').expr;
  const wide = approximateOnRange(fn, [0, 3], 1e-5, 1_000_000);
  const n = wide.pwl.x.length - 1;
  assert.ok(n > 2 && wide.certified <= 1e-5, `${n} segments, certified ${wide.certified}`);
  let tight: ReturnType<typeof approximateOnRange> | null = null;
  try { tight = approximateOnRange(fn, [0, 3], 1e-5, n - 1); } catch { /* refused: the limit cannot be met */ }
  if (tight) assert.ok(tight.pwl.x.length - 1 <= n - 1, `limit ${n - 1}, got ${tight.pwl.x.length - 1} segments`);
  assert.equal(approximateOnRange(fn, [0, 3], 1e-5, 1_000_000), wide, 'same request, same cached piece');
});
