import type { CompileResult } from '../compile/compile.ts';
import type { Float32Search } from './compile-adversary.ts';
import { networkSummary } from '../net/network.ts';
import { fmt } from '../report/format.ts';
import { renderPairs, renderTable } from './table.ts';

/** compile --json: the figures of a compiled network, its region and its nodes. */
export function compileSummary(r: CompileResult, seconds: number, search?: Float32Search) {
  const s = networkSummary(r.network);
  return {
    expr: r.expr, ...(r.rewritten ? { rewritten: r.rewritten } : {}),
    inputs: r.inputs, relus: s.relus, layers: s.layers, params: s.params, widths: s.widths,
    maxError: { certified: r.certifiedMax, measured: r.measuredMax },
    float32: { maxError: { certified: r.certifiedMaxFloat32 } },
    ...(search ? { float32Adversarial: search.adversarial, float32Floor: search.floor } : {}),
    rmsError: r.measuredRms,
    certifiedBreakdown: { construction: r.certifiedConstruction, float64Rounding: r.roundingBound },
    measuredSamples: r.measuredSamples, outsideRegion: r.outsideRegion,
    ...(r.outputs ? { outputs: r.outputs } : {}),
    domain: r.region.box, ranges: r.region.ranges, ...(r.region.exclude ? { exclude: r.region.exclude } : {}),
    dtype: 'float64', seconds,
    nodes: r.nodes,
  };
}

/** "deep, 12 levels", "shallow, 50 segments", "fold, k = 5·5·5 | 4·4·3" (one group per tree level). */
export function constructionText(n: CompileResult['nodes'][number]): string {
  if (n.construction === 'deep') return `deep, ${n.levels} levels`;
  if (n.construction === 'shallow') return `shallow, ${n.segments} segment${n.segments === 1 ? '' : 's'}`;
  if (n.construction === 'fold') return `fold, k = ${(n.folds ?? []).map((f) => f.join('·') || '-').join(' | ')}`;
  return '';
}

/** compile's table: the network's figures, the errors per output (several outputs) and per node. */
export function renderCompile(r: CompileResult, seconds: number, search?: Float32Search): string {
  const s = networkSummary(r.network);
  const region = [...Object.entries(r.region.box), ...Object.entries(r.region.ranges)];
  const outside = r.region.exclude ? ` outside ${r.region.exclude.join(', ')}` : '';
  const head = renderPairs([
    ['formula', r.expr],
    ...(r.rewritten ? [['built as (equal on the region)', r.rewritten] as [string, string]] : []),
    ['region', `${region.map(([k, [a, b]]) => `${k} in [${fmt(a)}, ${fmt(b)}]`).join(', ')}${outside}`],
    ['ReLUs', s.relus],
    ['hidden layers (widths)', `${s.layers} (${s.widths.slice(0, -1).join(', ')})`],
    ['parameters', s.params],
    [`max error, certified${outside}`, r.certifiedMax],
    [`max error in float32, certified${outside}`, r.certifiedMaxFloat32],
    ...(search ? [[`max error in float32, adversarial search${outside}`,
      search.adversarial ?? 'not run (no sample of the region found)'],
      ['float32 floor u·max|f|', search.floor]] as [string, number | string][] : []),
    [`max error, measured (${r.measuredSamples} samples)`, r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['samples outside the region', r.outsideRegion],
    ['seconds', seconds],
  ]);
  const nodes = `per node (approximations built on their input range widened by upstream error)\n${renderNodes(r)}`;
  return `${head}${renderPerOutput(r)}\n\n${nodes}`;
}

/** Several outputs: each one's tolerance and errors; one output: nothing. */
function renderPerOutput(r: CompileResult): string {
  if (!r.outputs) return '';
  const rows = r.outputs.map((o) => [o.name, shorten(o.expr, 50), o.maxError, o.certifiedMax, o.measuredMax]);
  const header = ['output', 'formula', 'max error asked', 'certified', 'measured'];
  const where = r.region.exclude ? `outside ${r.region.exclude.join(', ')}` : 'over the whole region';
  const rewritten = r.outputs.filter((o) => o.rewritten).map((o) => `\n${o.name} built as ${o.rewritten}`).join('');
  return `\n\nper output (each certified ${where})\n${renderTable(header, rows)}${rewritten}`;
}

/** The nodes that cost units or are approximated: where each was built, how, and its share of the error. */
function renderNodes(r: CompileResult): string {
  const shown = r.nodes.filter((n) => n.kind === 'square' || n.kind === 'unary' || n.kind === 'norm' || n.relus > 0);
  const rows = shown.map((n) => {
    const on = n.builtOn ?? n.range;
    return [shorten(n.text, 40), n.fused ? 'fused' : n.kind, `[${fmt(on[0])}, ${fmt(on[1])}]`, constructionText(n),
      n.budget ?? '', n.certified ?? '', n.errorIn, n.relus];
  });
  const header = ['node', 'kind', 'built on', 'construction', 'budget', 'certified', 'error so far', 'ReLUs'];
  return `${renderTable(header, rows)}${renderFused(shown)}`;
}

/** Each fused node as one curve: "<subexpression>  =  g(u) = <formula in u>,  u = <form>", each cut to 200 chars. */
function renderFused(nodes: CompileResult['nodes']): string {
  const fused = nodes.filter((n) => n.fused);
  if (fused.length === 0) return '';
  // Cut like the table's node column, wider: a 1,900-term sum printed 60 KB (--json keeps the whole text).
  const lines = fused.map((n) => `  ${shorten(n.text, 200)}  =  g(u) = ${shorten(n.fused!.fn, 200)},  u = ` +
    shorten(n.fused!.form, 200));
  return `\n\nfused (one curve each, built on the range of u)\n${lines.join('\n')}`;
}

/** A text cut to `max` characters, its end as "...". */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
