import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { note, progress, setQuiet } from '../../src/cli/progress.ts';

/** What `f` writes to stderr (not a terminal here: plain lines). */
function stderrOf(f: () => void): string {
  let text = '';
  const write = process.stderr.write;
  process.stderr.write = ((s: string | Uint8Array) => { text += String(s); return true;
    }) as typeof process.stderr.write;
  try {
    f();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

afterEach(() => setQuiet(false));

test('progress without a terminal: nothing in the first second, then one line per step however many updates', () => {
  assert.notEqual(process.stderr.isTTY, true);
  let t = 0;
  const out = stderrOf(() => {
    const bar = progress('compile, planning', () => t);
    bar.update('attempt 1'); // t = 0: quick work prints nothing
    t = 1500; bar.update('attempt 2');
    t = 2500; bar.update('attempt 3');
    bar.step('compile, planning'); bar.update('attempt 4'); // the same step again
    t = 3000; bar.step('compile, float32 analysis'); bar.update('40 ReLUs');
    t = 9000; bar.update('still');
    bar.step('compile, planning'); bar.update('attempt 5'); // steps alternate: each label keeps its one line
    bar.done();
  });
  assert.deepEqual(out.split('\n').filter(Boolean), ['compile, planning: attempt 2 (2 s)',
    'compile, float32 analysis: 40 ReLUs (3 s)']);
});

test('--quiet (setQuiet) silences progress lines and notes', () => {
  setQuiet(true);
  let t = 5000;
  const out = stderrOf(() => {
    const bar = progress('sizing', () => t);
    t = 9000;
    bar.update('50 segments');
    note('T3: compiling the distance network...');
  });
  assert.equal(out, '');
});
