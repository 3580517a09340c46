/**
 * The explorer page: the same core modules as the CLI, run in the browser (no server round
 * trip for the math) in a Web Worker, so typing stays responsive while a build runs; a newer
 * input stops an older build. Bad input shows a message beside its field and keeps the last
 * good result. A new plot line alone redraws the last build without building again.
 */
import { InputError } from '../../errors.ts';
import { parseFormula } from '../../expr/parse.ts';
import { compareWithOrt, configureOrt, wireDownloads, type Built } from './artifacts.ts';
import { parseInterval, parseLine, parseRanges, parseVars, type PlotLine } from './fields.ts';
import { BuildWorker, Superseded } from './client.ts';
import type { BuildRequest, BuildResult } from './jobs.ts';
import { $, fmt, render1D, renderMulti, show } from './render.ts';

const select = (id: string) => $<HTMLSelectElement>(id).value;
const INPUTS = ['expr', 'domain', 'vars', 'ranges', 'line', 'value'];
/** Which form field an InputError's argument belongs beside. */
const FIELDS: Record<string, string> = {
  expression: 'expr', '--domain': 'domain', '--var': 'vars', '--range': 'ranges', '--max-error': 'value', '--rms-error': 'value',
  '--knots': 'value', '--spacing': 'value', '--spacing (segments it makes)': 'value', 'size by': 'value',
};
const VALUE_LABELS: Record<string, string> = {
  maxError: 'certified max error E', rmsError: 'measured RMS error E', knots: 'segments N (one ReLU each)', spacing: 'knot spacing h',
};
const ARGUMENTS: Record<string, string> = { maxError: '--max-error', rmsError: '--rms-error', knots: '--knots', spacing: '--spacing' };

const worker = new BuildWorker('/worker.js');
let last: Built | null = null;
/** The last finished build and its request (as JSON), so a new plot line only redraws. */
let lastDone: { key: string; done: BuildResult } | null = null;
let generation = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

function setStatus(state: string, text: string) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

/**
 * The form as a build request and, for several variables, the line to plot along; bad fields
 * throw InputErrors named like the CLI's arguments (the line's as `plot line`).
 */
function readForm(): { req: BuildRequest; line: PlotLine | null } {
  const expr = $('expr').value;
  const formula = parseFormula(expr);
  const text = $('value').value;
  const value = Number(text);
  const mode = select('mode');
  if (formula.variables.length <= 1) {
    const domain = parseInterval($('domain').value, '--domain');
    if (!Number.isFinite(value) || !(value > 0)) throw new InputError(ARGUMENTS[mode] ?? '--max-error', 'be a positive number', text);
    const size = mode === 'knots' ? { kind: 'knots' as const, segments: value }
      : mode === 'spacing' ? { kind: 'spacing' as const, h: value }
      : { kind: mode as 'maxError' | 'rmsError', error: value };
    return { req: { kind: 'approx', expr, domain, size, placement: select('placement') as 'optimal' | 'uniform', fit: select('fit') as 'minimax' | 'interpolate' | 'lsq' }, line: null };
  }
  if (mode !== 'maxError') throw new InputError('size by', 'be certified max error for a formula of several variables', VALUE_LABELS[mode]);
  if (!Number.isFinite(value) || !(value > 0)) throw new InputError('--max-error', 'be a positive number', text);
  const vars = parseVars($('vars').value);
  const ranges = parseRanges($('ranges').value);
  return { req: { kind: 'compile', expr, vars, ranges, maxError: value }, line: parseLine($('line').value, Object.keys(vars)) };
}

function showError(e: unknown) {
  if (e instanceof InputError) {
    const arg = e.issue.argument;
    const field = FIELDS[arg] ?? (arg.startsWith('--var') ? 'vars' : arg.startsWith('--range') ? 'ranges' : arg.startsWith('plot line') ? 'line' : arg.startsWith('--') ? 'value' : 'expr');
    $(`${field}-error`).textContent = e.message;
    setStatus('error', 'input error: the last good result is kept');
  } else {
    setStatus('error', `could not build (the last good result is kept): ${(e as Error).message}`);
  }
}

async function build() {
  for (const f of INPUTS) $(`${f}-error`).textContent = '';
  let form: ReturnType<typeof readForm>;
  try {
    form = readForm();
  } catch (e) {
    worker.cancel(); // a build still running is for older input
    showError(e);
    return;
  }
  const { req, line } = form;
  const key = JSON.stringify(req);
  try {
    // The same request as the last build (only the plot line changed): redraw it.
    const cached = lastDone?.key === key ? lastDone.done : null;
    if (cached) worker.cancel(); // a build still running is for other input
    else setStatus('busy', 'building…');
    const done = cached ?? await worker.run(req, (segments, error) => setStatus('busy', `building… tried ${segments} segments (error ${fmt(error)})`));
    const points = done.kind === 'approx' ? render1D(done.result) : renderMulti(done.result, line);
    lastDone = { key, done };
    const r = done.result;
    const domain = done.kind === 'approx' ? { [done.result.variable]: done.result.domain } : done.result.region.box;
    last = { net: r.network, expr: r.expr, domain, error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms } };
    setStatus('ok', `${cached ? 'redrawn; ' : ''}built in ${done.seconds.toFixed(2)} s`);
    void checkOrt(last, points);
  } catch (e) {
    if (!(e instanceof Superseded)) showError(e);
  }
}

/** Runs the ONNX files the page offers in onnxruntime-web; a stale check never overwrites a newer one. */
async function checkOrt(b: Built, points: ArrayLike<number>) {
  const mine = ++generation;
  const el = $('ort');
  el.dataset.state = 'busy';
  el.textContent = $('ort64').textContent = '…';
  $('ort-detail').textContent = '';
  try {
    const r = await compareWithOrt(b, points);
    if (mine !== generation) return;
    show('ort64', r.float64);
    show('ort', r.vsFloat32);
    el.dataset.float64 = String(r.vsFloat64);
    el.dataset.state = 'ok';
    const over = r.vsFloat64 > b.error.certifiedMax ? ': float32 rounding alone moves this network past the certified bound, which is for float64' : '';
    $('ort-detail').textContent = `${r.points} points, outputs up to ${fmt(r.maxAbsOutput)}. The float32 figure is against knotnet's float32 evaluation; against its float64 one it is ${fmt(r.vsFloat64)}${over}.`;
  } catch (e) {
    if (mine !== generation) return;
    el.textContent = 'failed';
    el.dataset.state = 'error';
    $('ort-detail').textContent = (e as Error).message;
  }
}

function relabelValue() {
  $('value-label').textContent = VALUE_LABELS[select('mode')] ?? 'value';
}

configureOrt();
wireDownloads(() => last);
const schedule = () => { clearTimeout(timer); timer = setTimeout(() => void build(), 300); };
for (const id of INPUTS) $(id).addEventListener('input', schedule);
for (const id of ['mode', 'placement', 'fit']) $(id).addEventListener('change', schedule);
$('mode').addEventListener('change', relabelValue);
$('build').addEventListener('click', () => { clearTimeout(timer); void build(); });
relabelValue();
void build();
