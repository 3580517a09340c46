/**
 * Draws a finished build into the page: the figures (size, certified and measured error), the
 * layers, the plots (f, network and knots; the error inside the certified band; for several
 * variables, along a chosen line) and, for several variables, the per-node error budget. Each
 * renderer returns the input points the onnxruntime-web check runs on and f there (renderMulti
 * also which of them lie in the certified region).
 */
import type { ApproxResult } from '../../approx/approximate.ts';
import type { CompileResult } from '../../compile/compile.ts';
import { accurateFunction } from '../../expr/accurate.ts';
import { formulaRegion } from '../../compile/region.ts';
import { parseFormula } from '../../expr/parse.ts';
import { evaluate } from '../../net/evaluate.ts';
import { networkSummary, type Network } from '../../net/network.ts';
import { rng } from '../../random.ts';
import { escapeHtml as esc } from '../../report/escape.ts';
import { fmt } from '../../report/format.ts';
import { linePlot, type Series } from '../../report/plot.ts';
import type { PlotLine } from './fields.ts';

export const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;


/** Shows a number rounded, and keeps its exact value in data-value (what the browser test reads). */
export function show(id: string, v: number): void {
  const el = $(id);
  el.textContent = fmt(v);
  el.dataset.value = String(v);
}

const PLOT_WIDTH = 780;

function renderSummary(net: Network, certified: number, measured: number) {
  const s = networkSummary(net);
  show('relus', s.relus);
  show('layers', s.layers);
  show('params', s.params);
  show('certified', certified);
  show('measured', measured);
  const rows = net.layers.map((l, i) => `<tr><td>${i + 1}</td><td class="l">${l.activation}</td>` +
    `<td>${l.inSize} → ${l.outSize}</td><td>${l.weights.length + l.bias.length}</td></tr>`);
  $('layers-table').innerHTML = `<caption>layers of the ` +
    `network</caption><tr><th>layer</th><th>activation</th><th>inputs → ` +
    `outputs</th><th>parameters</th></tr>${rows.join('')}`;
}

/** Plots f, the network and its knots, and the error in the certified band; returns the plotted x and f there. */
export function render1D(r: ApproxResult): { points: number[]; exact: number[] } {
  renderSummary(r.network, r.certifiedMax, r.measuredMax);
  const [a, b] = r.domain;
  const f = accurateFunction(parseFormula(r.expr).expr, [r.variable]);
  const xs: number[] = [];
  for (let i = 0; i <= 800; i++) xs.push(a + ((b - a) * i) / 800);
  // Knots and segment midpoints (where the error peaks), so narrow segments near a singularity show.
  for (const k of r.pwl.x) xs.push(k);
  for (let i = 0; i + 1 < r.pwl.x.length && i < 20000; i++) xs.push((r.pwl.x[i]! + r.pwl.x[i + 1]!) / 2);
  xs.sort((p, q) => p - q);
  const y = evaluate(r.network, xs);
  const fx = xs.map((x) => f(x));
  const band = r.certifiedMax;
  // An invisible series gives the error plot headroom, so its legend sits above the band.
  const headroom: Series = { x: [a, a], y: [-1.4 * band, 1.4 * band], color: 'none', label: '' };
  $('plots').innerHTML =
    linePlot({ width: PLOT_WIDTH, height: 280,
      title: `${r.expr} and its ${r.segments}-ReLU network (red ticks: the ${r.pwl.x.length} knots)`, series: [
      { x: xs, y: fx, color: '#1f77b4', label: 'f', width: 2.5 },
      { x: xs, y, color: '#d62728', label: 'network', dash: '5 3' },
    ], marks: r.pwl.x, xLabel: r.variable }) +
    linePlot({ width: PLOT_WIDTH, height: 230, title: 'error f − network; shaded: ± certified max error', series: [
      { x: xs, y: fx.map((v, i) => v - y[i]!), color: '#2ca02c', label: 'error (measured)' }, headroom,
    ], band, marks: r.pwl.x, xLabel: r.variable });
  $('nodes-table').innerHTML = $('outputs-table').innerHTML = '';
  return { points: xs, exact: fx };
}

/**
 * Plots along a line through the domain (the box's diagonal unless `line` names two end
 * points) and lists the per-node budget; returns the check points. The error is drawn, and
 * its max along the line reported, only where the certificate holds: inside the box and the
 * stated subexpression ranges. The check points come with f there and whether each lies in the
 * certified region (inside the box and the stated ranges), the same test as the line's. With
 * several outputs the plot is of the first output against its own certificate, the per-output
 * table lists every output's, and `exact` holds each point's k values in output order.
 */
export function renderMulti(
  r: CompileResult, line: PlotLine | null = null,
): { points: number[]; exact: number[]; inside: boolean[] } {
  renderSummary(r.network, r.certifiedMax, r.measuredMax);
  const names = r.network.inputs;
  const fs = (r.outputs?.map((o) => o.expr) ?? [r.expr]).map((e) => accurateFunction(parseFormula(e).expr, names));
  const f = fs[0]!;
  const k = fs.length;
  const plotted = r.outputs?.[0];
  const bound = plotted?.certifiedMax ?? r.certifiedMax;
  const box = names.map((v) => r.region.box[v]!);
  const lo = box.map(([a]) => a);
  const hi = box.map(([, b]) => b);
  const from = line ? names.map((v) => line.from[v]!) : lo;
  const to = line ? names.map((v) => line.to[v]!) : hi;
  const { ts, pts } = linePoints(from, to, 1000);
  const all = evaluate(r.network, pts);
  const y = ts.map((_, i) => all[i * k]!);
  const row = (i: number) => pts.slice(i * names.length, (i + 1) * names.length);
  const fx = ts.map((_, i) => f(...row(i)));
  // The certificate covers the box where the stated subexpression ranges hold; leave the rest out.
  const region = formulaRegion(names, box, Object.entries(r.region.ranges)
    .map(([text, range]) => ({ text, expr: parseFormula(text, '--range').expr, range })));
  const inBox = ts.map((_, i) => region.inBox(row(i)));
  const inside = ts.map((_, i) => inBox[i]! && region.holds(row(i)));
  const err = fx.map((v, i) => (inside[i] ? v - y[i]! : NaN));
  const at = (p: number[]) => names.map((v, j) => `${v}=${fmt(p[j]!)}`).join(', ');
  const along = line ? 'along the line' : "along the box's diagonal";
  const which = plotted ? `plot: output ${plotted.name} = ${plotted.expr} (of ${k}), ` : '';
  const title = `${which}${along}: t = 0 at (${at(from)}), t = 1 at (${at(to)})`;
  const left = [...(inBox.every(Boolean) ? [] : ['outside the box']),
    ...(region.constraints.length ? ['where the ranges fail'] : [])];
  $('plots').innerHTML = linePlots(ts, fx, y, err, bound, title, left) +
    lineMeasured(err, bound, plotted ? ` of output ${esc(plotted.name)}` : '');
  $('nodes-table').innerHTML = nodeTable(r, names);
  $('outputs-table').innerHTML = r.outputs ? outputsTable(r.outputs) : '';
  // The line's points inside the box and seeded points spread over the box; f at each (every
  // output's), and whether it lies in the certified region.
  const check: number[] = [];
  const exact: number[] = [];
  const insideRegion: boolean[] = [];
  const add = (p: number[]) => {
    check.push(...p);
    for (const g of fs) exact.push(g(...p));
    insideRegion.push(region.contains(p));
  };
  ts.forEach((_, i) => { if (inBox[i]) add(row(i)); });
  const rand = rng(7);
  for (let i = 0; i < 2000; i++) add(names.map((_, j) => lo[j]! + rand() * (hi[j]! - lo[j]!)));
  return { points: check, exact, inside: insideRegion };
}

/** f and the network along the line, and the error where the certificate holds (`left`: where it is not drawn). */
function linePlots(ts: number[], fx: number[], y: number[], err: number[], bound: number, title: string,
  left: string[]): string {
  const notDrawn = left.length ? `; not drawn ${left.join(' or ')}` : '';
  return linePlot({ width: PLOT_WIDTH, height: 280, title, series: [
      { x: ts, y: fx, color: '#1f77b4', label: 'f', width: 2.5 },
      { x: ts, y, color: '#d62728', label: 'network', dash: '5 3' },
    ], xLabel: 't' }) +
    linePlot({ width: PLOT_WIDTH, height: 200,
      title: `error f − network (shaded: ± certified max error${notDrawn})`,
      series: [
      { x: ts, y: err, color: '#2ca02c', label: 'error (measured)' },
      { x: [0, 0], y: [-1.4 * bound, 1.4 * bound], color: 'none', label: '' },
    ], band: bound, xLabel: 't' });
}

/** The largest drawn error along the line (NaN: not drawn), beside the certified bound `of` what. */
function lineMeasured(err: number[], bound: number, of: string): string {
  let worst = NaN;
  for (const e of err) if (!Number.isNaN(e)) worst = Number.isNaN(worst) ? Math.abs(e) : Math.max(worst, Math.abs(e));
  const count = err.filter((e) => !Number.isNaN(e)).length;
  return `<div class="detail">max |f − network|${of} along this line where the certificate holds: ` +
    `<b id="line-measured" data-value="${worst}" data-points="${count}" data-of="${err.length}">` +
    `${count ? fmt(worst) : '–'}</b> (${count} of ${err.length} points; certified max error${of} ${fmt(bound)})</div>`;
}

/**
 * Several outputs: each one's formula, tolerance, certified max error (float64 and float32
 * evaluation) and measured max error, as compileFormula reports them (`compile --json`'s
 * outputs); the exact figures in data-* attributes.
 */
function outputsTable(outputs: NonNullable<CompileResult['outputs']>): string {
  const cell = (v: number, key: string) => `<td data-${key}="${v}">${fmt(v)}</td>`;
  const rows = outputs.map((o) => `<tr data-output="${esc(o.name)}"><td class="l">${esc(o.name)}</td>` +
    `<td class="l">${esc(o.expr)}</td>${cell(o.maxError, 'asked')}${cell(o.certifiedMax, 'certified')}` +
    `${cell(o.certifiedMaxFloat32, 'certified32')}${cell(o.measuredMax, 'measured')}</tr>`);
  return `<caption>per output: one network with ${outputs.length} outputs, each certified over the whole region ` +
    `(the cards above show the largest)</caption><tr><th>output</th><th>formula</th><th>max error asked</th>` +
    `<th>certified</th><th>certified in float32</th><th>measured</th></tr>${rows.join('')}`;
}

/** The approximated nodes: each one's construction, where it was built, its budget, its certified error, its ReLUs. */
function nodeTable(r: CompileResult, names: string[]): string {
  const construction = (n: CompileResult['nodes'][number]) => n.levels ? ` (${n.levels} levels)`
    : n.folds ? ` (k = ${esc(n.folds.map((f) => f.join('·') || '-').join(' | '))})` : ` (${n.segments} segments)`;
  const fused = (n: CompileResult['nodes'][number]) => n.fused
    ? `<br><span class="fused">one curve g(u) = ${esc(n.fused.fn)}, u = ${esc(n.fused.form)}</span>` : '';
  const rows = r.nodes.filter((n) => n.construction).map((n) => `<tr><td class="l">${esc(n.text)}${fused(n)}</td>` +
    `<td class="l">${n.construction}${construction(n)}</td>` +
    `<td>${n.builtOn ? `${fmt(n.builtOn[0])} : ${fmt(n.builtOn[1])}` : ''}</td>` +
    `<td>${fmt(n.budget ?? NaN)}</td><td>${fmt(n.certified ?? NaN)}</td><td>${n.relus}</td></tr>`);
  const built = r.rewritten ? `; built as the equal form ${esc(r.rewritten)}` : '';
  return `<caption>approximated nodes: share of the error budget (variables: ${names.join(', ')}${built})</caption>` +
    '<tr><th>node</th><th>construction</th><th>built on</th><th>budget</th><th>certified</th><th>ReLUs</th></tr>' +
    rows.join('');
}

/** n + 1 evenly spaced points from `from` to `to` (the last exactly `to`): their t in [0, 1], and their coordinates. */
function linePoints(from: number[], to: number[], n: number): { ts: number[]; pts: number[] } {
  const ts: number[] = [];
  const pts: number[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    ts.push(t);
    from.forEach((_, j) => pts.push(i === n ? to[j]! : from[j]! + t * (to[j]! - from[j]!)));
  }
  return { ts, pts };
}
