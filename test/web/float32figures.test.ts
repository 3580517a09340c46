import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approximate } from '../../src/approx/approximate.ts';
import { float32Layout } from '../../src/approx/clampform.ts';
import { accurateFunction } from '../../src/expr/accurate.ts';
import { parseFormula } from '../../src/expr/parse.ts';
import { networkSummary } from '../../src/net/network.ts';
import { UNIT_ROUNDOFF } from '../../src/net/floatformat.ts';
import { answer, float32Figures, type BuildMessage } from '../../src/web/ui/jobs.ts';

function layoutOf(expr: string, domain: [number, number], error: number) {
  const r = approximate({ expr, domain, size: { kind: 'maxError', error } });
  return { r, layout: float32Layout(r, accurateFunction(parseFormula(expr).expr, ['x'])) };
}

describe('the page\'s float32 figures beside the certificate (adversarial search, floor)', () => {
  it('a small clamp form: the worker\'s float32 answer carries the search\'s worst error, under the certificate, ' +
    'and the floor u·max|f|', () => {
    const { r, layout } = layoutOf('sqrt(x)', [0, 1], 1e-4);
    const out: BuildMessage[] = [];
    answer(1, { kind: 'float32', result: r }, (m) => out.push(structuredClone(m)));
    const m = out.at(-1)!;
    assert.ok(m.type === 'done' && m.built.kind === 'float32');
    const figures = m.built.layout.figures!;
    assert.deepEqual(figures, float32Figures(r, layout), 'seeded: the same figures again');
    assert.ok(figures.adversarial !== null && figures.adversarial > 0);
    assert.ok(figures.adversarial <= layout.certifiedMaxFloat32, `${figures.adversarial} <= certified`);
    assert.equal(figures.floor, UNIT_ROUNDOFF.float32 * r.scale);
    assert.equal(r.scale, 1, 'max sqrt(x) on [0, 1]');
  });

  it('a clamp form too large for about a second of search: the floor alone', () => {
    const { r, layout } = layoutOf('sin(x)', [0, 2 * Math.PI], 1e-5);
    assert.ok(networkSummary(layout.network).params > 15_000, String(networkSummary(layout.network).params));
    const figures = float32Figures(r, layout);
    assert.equal(figures.adversarial, null);
    assert.equal(figures.floor, UNIT_ROUNDOFF.float32 * r.scale);
  });
});
