import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Layout } from '../../src/approx/clampform.ts';
import { compileFunction } from '../../src/expr/evaluate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { InputError } from '../../src/errors.ts';
import { failure } from '../../src/web/ui/client.ts';
import { answer, FLOAT32_LAYOUT_SEGMENTS, hasFloat32Layout, type BuildMessage,
  type BuildRequest } from '../../src/web/ui/jobs.ts';

const sqrtReq: BuildRequest = { kind: 'approx', expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError',
  error: 1e-4 }, placement: 'optimal', fit: 'minimax' };

function collect(req: BuildRequest): BuildMessage[] {
  const out: BuildMessage[] = [];
  // Through structuredClone, as postMessage would carry them.
  answer(3, req, (m) => out.push(structuredClone(m)));
  return out;
}

/** The sqrt build through answer(): its sizing trials, then the same network and certified error as approximate(). */
function sqrtBuildAsApproximate() {
  const msgs = collect(sqrtReq);
  const lib = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 },
    placement: 'optimal', fit: 'minimax' });
  const last = msgs.at(-1)!;
  assert.equal(last.type, 'done');
  assert.ok(last.type === 'done' && last.built.kind === 'approx');
  assert.equal(last.built.result.certifiedMax, lib.certifiedMax);
  assert.deepEqual(last.built.result.network, lib.network);
  const progress = msgs.filter((m) => m.type === 'progress');
  assert.equal(progress.length, lib.trials.length);
  assert.ok(msgs.every((m) => m.id === 3));
}

describe('the page\'s build jobs (what the worker runs)', () => {
  it('answer(sqrt on 0:1 to 1e-4) posts the sizing trials, then the same network and certified error as approximate()',
    sqrtBuildAsApproximate);

  it('answer(float32 layout of the sqrt build) posts the library\'s float32Layout: the clamp form and its certified ' +
    'float32 error', () => {
    const built = collect(sqrtReq).at(-1)!;
    assert.ok(built.type === 'done' && built.built.kind === 'approx');
    const r = built.built.result; // as the page holds it: through structuredClone
    assert.ok(hasFloat32Layout(r));
    const msgs = collect({ kind: 'float32', result: r });
    assert.equal(msgs.length, 1);
    const m = msgs[0]!;
    assert.ok(m.type === 'done' && m.built.kind === 'float32');
    const lib = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 },
      placement: 'optimal', fit: 'minimax' });
    const layout = float32Layout(lib, compileFunction(parseFormula('sqrt(x)').expr, ['x']));
    assert.equal(m.built.layout.certifiedMaxFloat32, layout.certifiedMaxFloat32);
    assert.deepEqual(m.built.layout.network, layout.network);
    assert.ok(!hasFloat32Layout({ ...r, segments: FLOAT32_LAYOUT_SEGMENTS + 1 }));
  });

  it('answer(bad formula) posts the InputError as data, and failure() makes the same error again', () => {
    const msgs = collect({ ...sqrtReq, expr: 'sqrt(' });
    assert.equal(msgs.length, 1);
    const m = msgs[0]!;
    assert.ok(m.type === 'failed' && m.issue);
    const e = failure(m);
    assert.ok(e instanceof InputError);
    assert.equal(e.issue.argument, 'expression');
    assert.equal(e.message, m.message);
  });

  it('answer(sqrt on -1:1) posts the library\'s own input error: the formula is undefined at x = -1', () => {
    const m = collect({ ...sqrtReq, domain: [-1, 1] }).at(-1)!;
    assert.ok(m.type === 'failed' && m.issue);
    assert.equal(m.issue.argument, 'expression');
    assert.match(m.message, /defined and finite.*x = -1/);
  });

  it('answer(x*y on a box) compiles the formula of two variables', () => {
    const msgs = collect({ kind: 'compile', expr: 'x*y', vars: { x: [-1, 1], y: [-1, 1] }, ranges: {},
      maxError: 1e-2 });
    const last = msgs.at(-1)!;
    assert.ok(last.type === 'done' && last.built.kind === 'compile');
    assert.ok(last.built.result.certifiedMax <= 1e-2);
    assert.ok(last.built.result.measuredMax <= last.built.result.certifiedMax);
  });
});
