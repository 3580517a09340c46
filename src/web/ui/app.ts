/**
 * The explorer page: the same core modules as the CLI, run in the browser (no server round
 * trip for the math). Bad input shows a message beside its field and keeps the last result.
 */
import { approximate, type ApproxResult } from '../../approx/approximate.ts';
import { compileFormula, type CompileResult } from '../../compile/compile.ts';
import { InputError } from '../../errors.ts';
import { parseFormula } from '../../expr/parse.ts';
import { compileFunction } from '../../expr/evaluate.ts';
import { evaluate } from '../../net/evaluate.ts';
import { networkToJson } from '../../net/json.ts';
import { networkSummary, type Network } from '../../net/network.ts';
import { toOnnx } from '../../export/onnx.ts';
import { toSafetensors } from '../../export/safetensors.ts';
import { linePlot } from '../../report/plot.ts';

declare const ort: {
  env: { wasm: { wasmPaths: string; numThreads: number } };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>> }> };
};

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const FIELDS: Record<string, string> = { expression: 'expr', '--domain': 'domain', '--var': 'vars', '--max-error': 'value', '--knots': 'value' };
let current: { net: Network; expr: string; meta: Record<string, unknown> } | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6 ? v.toExponential(3) : v.toPrecision(4);
}

function show(id: string, v: number) {
  const el = $(id);
  el.textContent = fmt(v);
  el.dataset.value = String(v);
}

function setStatus(state: string, text: string) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

function parseInterval(text: string, argument: string): [number, number] {
  const m = /^\s*([^:]+?)\s*:\s*([^:]+?)\s*$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new InputError(argument, 'be an interval a:b with finite a < b', text);
  return [a, b];
}

function build() {
  for (const f of ['expr', 'domain', 'vars', 'value']) $(`${f}-error`).textContent = '';
  setStatus('busy', 'building…');
  try {
    const expr = $('expr').value;
    const formula = parseFormula(expr);
    const value = Number($('value').value);
    const mode = $<HTMLSelectElement>('mode').value;
    if (!(value > 0) || !Number.isFinite(value)) throw new InputError(mode === 'knots' ? '--knots' : '--max-error', 'be a positive number', $('value').value);
    const started = performance.now();
    if (formula.variables.length <= 1) {
      const domain = parseInterval($('domain').value, '--domain');
      const size = mode === 'knots' ? { kind: 'knots' as const, segments: Math.round(value) } : { kind: 'maxError' as const, error: value };
      const r = approximate({ expr, domain, size, placement: $<HTMLSelectElement>('placement').value as 'optimal' | 'uniform', fit: $<HTMLSelectElement>('fit').value as 'minimax' | 'interpolate' | 'lsq' });
      render1D(r);
      current = { net: r.network, expr, meta: { domain: { [r.variable]: r.domain }, error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms } } };
    } else {
      const vars: Record<string, [number, number]> = {};
      for (const part of $('vars').value.split(',').filter((p) => p.trim())) {
        const [name, range] = part.split('=');
        vars[name!.trim()] = parseInterval(range ?? '', `--var ${name!.trim()}`);
      }
      const r = compileFormula({ expr, vars, maxError: value, measureCount: 20000 });
      renderMulti(r, formula.variables);
      current = { net: r.network, expr, meta: { domain: vars, error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms } } };
    }
    setStatus('ok', `built in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    void checkOrt(current.net);
  } catch (e) {
    if (e instanceof InputError) {
      const field = FIELDS[e.issue.argument] ?? (e.issue.argument.startsWith('--var') ? 'vars' : 'expr');
      $(`${field}-error`).textContent = e.message;
      setStatus('error', 'input error: the last result is kept');
    } else {
      setStatus('error', `could not build: ${(e as Error).message}`);
    }
  }
}

function renderSummary(net: Network, certified: number, measured: number) {
  const s = networkSummary(net);
  show('relus', s.relus);
  show('layers', s.layers);
  show('params', s.params);
  show('certified', certified);
  show('measured', measured);
  const rows = net.layers.map((l, i) => `<tr><td>${i + 1}</td><td>${l.activation}</td><td>${l.inSize} → ${l.outSize}</td><td>${l.weights.length + l.bias.length}</td></tr>`);
  $('layers-table').innerHTML = `<tr><th>layer</th><th>activation</th><th>inputs → outputs</th><th>parameters</th></tr>${rows.join('')}`;
}

function render1D(r: ApproxResult) {
  renderSummary(r.network, r.certifiedMax, r.measuredMax);
  const [a, b] = r.domain;
  const f = compileFunction(parseFormula(r.expr).expr, [r.variable]);
  const xs: number[] = [];
  for (let i = 0; i <= 800; i++) xs.push(a + ((b - a) * i) / 800);
  for (const k of r.pwl.x) xs.push(k);
  for (let i = 0; i + 1 < r.pwl.x.length && i < 20000; i++) xs.push((r.pwl.x[i]! + r.pwl.x[i + 1]!) / 2);
  xs.sort((p, q) => p - q);
  const y = evaluate(r.network, xs);
  const fx = xs.map((x) => f(x));
  $('plots').innerHTML =
    linePlot({ width: 760, height: 280, title: `${r.expr} and its ${r.segments}-ReLU network (red ticks: knots)`, series: [
      { x: xs, y: fx, color: '#1f77b4', label: 'f', width: 2 },
      { x: xs, y, color: '#d62728', label: 'network', dash: '5 3' },
    ], marks: r.pwl.x }) +
    linePlot({ width: 760, height: 220, title: 'error f − network (shaded: ± certified bound)', series: [
      { x: xs, y: fx.map((v, i) => v - y[i]!), color: '#2ca02c', label: 'error' },
    ], band: r.certifiedMax, marks: r.pwl.x });
  $('nodes-table').innerHTML = '';
}

function renderMulti(r: CompileResult, variables: string[]) {
  renderSummary(r.network, r.certifiedMax, r.measuredMax);
  const f = compileFunction(parseFormula(r.expr).expr, variables);
  const lo = variables.map((v) => r.region.box[v]![0]);
  const hi = variables.map((v) => r.region.box[v]![1]);
  const ts: number[] = [];
  const pts: number[] = [];
  for (let i = 0; i <= 600; i++) {
    const t = i / 600;
    ts.push(t);
    variables.forEach((_, j) => pts.push(lo[j]! + t * (hi[j]! - lo[j]!)));
  }
  const y = evaluate(r.network, pts);
  const fx = ts.map((_, i) => f(...pts.slice(i * variables.length, (i + 1) * variables.length)));
  $('plots').innerHTML = linePlot({ width: 760, height: 280, title: 'along the diagonal of the box, from its low corner (t = 0) to its high corner (t = 1)', series: [
    { x: ts, y: fx, color: '#1f77b4', label: 'f', width: 2 },
    { x: ts, y, color: '#d62728', label: 'network', dash: '5 3' },
  ], xLabel: 't' });
  const rows = r.nodes.filter((n) => n.construction).map((n) => `<tr><td style="text-align:left">${n.text}</td><td>${n.construction}${n.levels ? ` (${n.levels} levels)` : ` (${n.segments} segments)`}</td><td>${fmt(n.budget ?? NaN)}</td><td>${fmt(n.certified ?? NaN)}</td><td>${n.relus}</td></tr>`);
  $('nodes-table').innerHTML = `<tr><th>node</th><th>construction</th><th>budget</th><th>certified</th><th>ReLUs</th></tr>${rows.join('')}`;
}

/** Runs the float32 ONNX the page offers in onnxruntime-web and compares with knotnet. */
async function checkOrt(net: Network) {
  const el = $('ort');
  el.dataset.state = 'busy';
  el.textContent = '…';
  try {
    const n = 1000;
    const d = net.inputs.length;
    const x = new Float32Array(n * d);
    const box = (current?.meta.domain ?? {}) as Record<string, [number, number]>;
    for (let i = 0; i < n; i++) net.inputs.forEach((v, j) => { const [a, b] = box[v] ?? [0, 1]; x[i * d + j] = a + ((b - a) * i) / (n - 1); });
    const session = await ort.InferenceSession.create(toOnnx(net, { dtype: 'float32', metadata: {} }));
    const out = await session.run({ input: new ort.Tensor('float32', x, [n, d]) });
    const yOrt = out.output!.data;
    const yLib = evaluate(net, x, 'float32');
    let max = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) { max = Math.max(max, Math.abs(yOrt[i]! - yLib[i]!)); scale = Math.max(scale, Math.abs(yLib[i]!)); }
    const rel = max / (scale || 1);
    el.textContent = `${fmt(rel)} (relative)`;
    el.dataset.value = String(rel);
    el.dataset.state = 'ok';
  } catch (e) {
    el.textContent = `failed: ${(e as Error).message}`;
    el.dataset.state = 'error';
  }
}

function download(name: string, bytes: Uint8Array | string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function metadata(): Record<string, string> {
  return current ? { expr: current.expr, domain: JSON.stringify(current.meta.domain), error: JSON.stringify(current.meta.error) } : {};
}

$('dl-onnx32').onclick = () => current && download('knotnet-float32.onnx', toOnnx(current.net, { dtype: 'float32', metadata: metadata() }), 'application/octet-stream');
$('dl-onnx64').onclick = () => current && download('knotnet-float64.onnx', toOnnx(current.net, { dtype: 'float64', metadata: metadata() }), 'application/octet-stream');
$('dl-json').onclick = () => current && download('knotnet.json', JSON.stringify(networkToJson(current.net, { expr: current.expr, ...current.meta })), 'application/json');
$('dl-safetensors').onclick = () => current && download('knotnet.safetensors', toSafetensors(current.net, { dtype: 'float32', metadata: metadata() }), 'application/octet-stream');

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
const schedule = () => { clearTimeout(timer); timer = setTimeout(build, 500); };
for (const id of ['expr', 'domain', 'vars', 'value']) $(id).addEventListener('input', schedule);
for (const id of ['mode', 'placement', 'fit']) $(id).addEventListener('change', schedule);
$('build').addEventListener('click', () => { clearTimeout(timer); build(); });
build();
