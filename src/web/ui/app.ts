/**
 * The explorer page: the same core modules as the CLI, run in the browser (no server round
 * trip for the math) in a Web Worker, so typing stays responsive while a build runs; a newer
 * input stops an older build. Bad input shows a message beside its field and keeps the last
 * good result. A new plot line alone redraws the last build without building again.
 *
 * A one-variable build of at most FLOAT32_LAYOUT_SEGMENTS segments also gets its float32
 * layout (the clamp form, certified in float32), in a second worker once the build is shown:
 * it is the float32 ONNX download, and what onnxruntime-web runs in float32. For several
 * variables the float32 ONNX is the network shown, and the build already certifies its
 * float32 evaluation (CompileResult.certifiedMaxFloat32): the page shows that instead.
 */
import type { ApproxResult } from '../../approx/approximate.ts';
import type { Float32Layout } from '../../approx/clampform.ts';
import { storedOutputs } from '../../compile/outputs.ts';
import { cliMessage } from '../../cli/flags.ts';
import { InputError } from '../../errors.ts';
import { fmt } from '../../report/format.ts';
import { compareWithOrt, configureOrt, wireDownloads, type Built } from './artifacts.ts';
import { parseFormulaField, parseInterval, parseLine, parseRanges, parseVars, type PlotLine } from './fields.ts';
import { BuildWorker, Superseded } from './client.ts';
import { float32Failed, float32Network, float32None, float32Pending, float32Shown } from './float32card.ts';
import { hasFloat32Layout, type BuildRequest, type BuildResult } from './jobs.ts';
import { $, render1D, renderMulti, show } from './render.ts';

const select = (id: string) => $<HTMLSelectElement>(id).value;
const INPUTS = ['expr', 'domain', 'vars', 'ranges', 'line', 'value'];
/** The form input each field of an InputError (the core's, or the page's own) belongs beside. */
const INPUT_OF_FIELD: Record<string, string> = {
  expr: 'expr', domain: 'domain', vars: 'vars', ranges: 'ranges', line: 'line',
  maxError: 'value', rmsError: 'value', knots: 'value', spacing: 'value', size: 'value',
};
const VALUE_LABELS: Record<string, string> = {
  maxError: 'certified max error E', rmsError: 'measured RMS error E', knots: 'segments N (one ReLU each)',
    spacing: 'knot spacing h',
};
const ARGUMENTS: Record<string, string> = { maxError: '--max-error', rmsError: '--rms-error', knots: '--knots',
  spacing: '--spacing' };

const worker = new BuildWorker('/worker.js');
/** The float32 layouts, apart from the builds: a bad input or a failed build leaves the last good result's running. */
const layouts = new BuildWorker('/worker.js');
let last: Built | null = null;
/** The last finished build and its request (as JSON), so a new plot line only redraws. */
let lastDone: { key: string; done: Extract<BuildResult, { kind: 'approx' | 'compile' }> } | null = null;
/** The float32 layout job and the build (request as JSON) it is for; kept once done, for redraws. */
let layoutJob: { key: string; promise: Promise<Float32Layout> } | null = null;
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
  const formula = parseFormulaField(expr);
  const text = $('value').value;
  const value = Number(text);
  const mode = select('mode');
  if (formula.variables.length <= 1 && !formula.outputs) {
    const domain = parseInterval($('domain').value, '--domain', { field: 'domain' });
    if (!Number.isFinite(value) || !(value > 0)) throw new InputError(ARGUMENTS[mode] ?? '--max-error',
      'be a positive number', text, { field: mode, code: 'not-positive' });
    const size = mode === 'knots' ? { kind: 'knots' as const, segments: value }
      : mode === 'spacing' ? { kind: 'spacing' as const, h: value }
      : { kind: mode as 'maxError' | 'rmsError', error: value };
    return { req: { kind: 'approx', expr, domain, size, placement: select('placement') as 'optimal' | 'uniform',
      fit: select('fit') as 'minimax' | 'interpolate' | 'lsq' }, line: null };
  }
  if (mode !== 'maxError') throw new InputError('size by',
    'be certified max error for a formula of several variables or a list of formulas', VALUE_LABELS[mode],
    { field: 'size', code: 'not-max-error' });
  if (!Number.isFinite(value) || !(value > 0)) throw new InputError('--max-error', 'be a positive number', text,
    { field: 'maxError', code: 'not-positive' });
  const vars = parseVars($('vars').value);
  const ranges = parseRanges($('ranges').value);
  const outputs = formula.outputs ? { outputs: formula.outputs } : {};
  return { req: { kind: 'compile', expr, vars, ranges, maxError: value, ...outputs },
    line: parseLine($('line').value, Object.keys(vars)) };
}

function showError(e: unknown) {
  if (e instanceof InputError) {
    const input = (e.issue.field !== undefined ? INPUT_OF_FIELD[e.issue.field] : undefined) ?? 'expr';
    // The page names its inputs as the CLI's flags (--var, --range): the library's message says the fields.
    $(`${input}-error`).textContent = cliMessage(e.issue);
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
    const done = cached ?? await worker.run(req,
      (segments, error) => setStatus('busy', `building… tried ${segments} segments (error ${fmt(error)})`));
    if (done.kind === 'float32') throw new Error('the build worker answered a build with a float32 layout');
    const shown: Shown = done.kind === 'approx' ? render1D(done.result) : renderMulti(done.result, line);
    lastDone = { key, done };
    const r = done.result;
    const domain = done.kind === 'approx' ? { [done.result.variable]: done.result.domain } : done.result.region.box;
    const b: Built = { net: r.network, expr: r.expr, domain,
      error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms,
        ...(done.kind === 'compile' ? { certifiedMaxFloat32: done.result.certifiedMaxFloat32 } : {}),
        ...(done.kind === 'compile' && done.result.outputs ? { outputs: storedOutputs(done.result.outputs) } : {}) } };
    last = b;
    setStatus('ok', `${cached ? 'redrawn; ' : ''}built in ${done.seconds.toFixed(2)} s`);
    if (done.kind === 'approx' && hasFloat32Layout(done.result)) {
      const tolerance = req.kind === 'approx' && req.size.kind === 'maxError' ? req.size.error : undefined;
      showClampLayout(key, done.result, b, shown, tolerance);
    } else if (done.kind === 'compile') {
      layouts.cancel();
      layoutJob = null;
      const tolerance = req.kind === 'compile' ? req.maxError : undefined;
      float32Network(done.result, tolerance);
      void checkOrt(b, shown.points,
        { exact: shown.exact, inside: shown.inside, bound: done.result.certifiedMaxFloat32, layout: 'network' });
    } else {
      layouts.cancel();
      layoutJob = null;
      float32None(done.result);
      void checkOrt(b, shown.points);
    }
  } catch (e) {
    if (!(e instanceof Superseded)) showError(e);
  }
}

/** The points a build's plots were drawn at, f there, and (several variables) which lie in the certified region. */
type Shown = { points: number[]; exact: number[]; inside?: boolean[] };

/**
 * A one-variable build's float32 layout (the clamp form), laid out in the second worker: shown
 * in the float32 card once done, its ONNX then checked against f; the one-layer network's
 * check if it fails. A newer build drops the answer.
 */
function showClampLayout(key: string, approx: ApproxResult, b: Built, shown: Shown, tolerance: number | undefined) {
  ortPending();
  float32Pending(approx);
  float32LayoutFor(key, approx).then((layout) => {
    if (last !== b) return;
    b.float32 = {
      net: layout.network,
      error: { certifiedMax: layout.certifiedMaxFloat32, certifiedMaxFloat64: layout.certifiedMax,
        float32RoundingBound: layout.roundingBoundFloat32, measuredMaxFloat32: layout.measuredMaxFloat32 },
    };
    float32Shown(approx, layout, tolerance);
    void checkOrt(b, shown.points, { exact: shown.exact, bound: layout.certifiedMaxFloat32, layout: 'clamp' });
  }, (e: unknown) => {
    if (last !== b || e instanceof Superseded) return;
    float32Failed(e as Error);
    void checkOrt(b, shown.points);
  });
}

/** The float32 layout of a build (request as JSON): one job per build, its answer kept for redraws. */
function float32LayoutFor(key: string, result: ApproxResult): Promise<Float32Layout> {
  if (layoutJob?.key === key) return layoutJob.promise;
  const promise = layouts.run({ kind: 'float32', result }).then((d) => {
    if (d.kind !== 'float32') throw new Error('the layout worker answered with a build');
    return d.layout;
  });
  const job = { key, promise };
  promise.catch(() => { if (layoutJob === job) layoutJob = null; });
  layoutJob = job;
  return promise;
}

/** The ORT figures are for an older build: blank them until this build's check runs. */
function ortPending(): void {
  ++generation;
  const el = $('ort');
  el.dataset.state = 'busy';
  el.textContent = $('ort64').textContent = $('ort32f').textContent = '…';
  $('ort-detail').textContent = '';
}

/**
 * What the float32 ONNX is held against when its float32 error is certified: f at the points
 * (only those `inside` marks, when given: the certified region) and the certified float32
 * bound; `layout` says which network the file is (the clamp form, or the network shown).
 */
interface ExactCheck { exact: ArrayLike<number>; inside?: ArrayLike<boolean> | undefined; bound: number;
  layout: 'clamp' | 'network' }

/**
 * Runs the ONNX files the page offers in onnxruntime-web; a stale check never overwrites a
 * newer one. With `check` the float32 file is also held against f and its certified float32
 * error.
 */
async function checkOrt(b: Built, points: ArrayLike<number>, check?: ExactCheck) {
  ortPending();
  const mine = generation;
  const el = $('ort');
  $('run32f').hidden = !check;
  $('run32f-label').textContent = check?.inside ? 'float32 ONNX vs f in the certified region' : 'float32 ONNX vs f ' +
    'itself';
  delete $('ort32f').dataset.value;
  delete $('ort32f').dataset.bound;
  delete $('ort32f').dataset.points;
  try {
    const r = await compareWithOrt(b, points, check?.exact, check?.inside);
    if (mine !== generation) return;
    show('ort64', r.float64);
    show('ort', r.vsFloat32);
    el.dataset.float64 = String(r.vsFloat64);
    if (check) {
      if (r.vsExact !== null) show('ort32f', r.vsExact);
      else $('ort32f').textContent = '–';
      $('ort32f').dataset.bound = String(check.bound);
      $('ort32f').dataset.points = String(r.exactPoints);
    }
    el.dataset.state = 'ok';
    const within = r.vsExact !== null && r.vsExact <= (check?.bound ?? Infinity) ? 'within' : 'ABOVE';
    const over = r.vsFloat64 > b.error.certifiedMax ? ': float32 rounding alone moves this network past the ' +
      'certified bound, which is for float64' : '';
    if (check?.layout === 'clamp' && r.vsExact !== null) {
      $('ort-detail').textContent = `${r.points} points, outputs up to ${fmt(r.maxAbsOutput)}. The float32 ONNX is ` +
        `the clamp form: the float32 figure is against knotnet's float32 evaluation of it; against its float64 one ` +
        `it is ${fmt(r.vsFloat64)}; against f itself ${fmt(r.vsExact)}, ${within} its certified max error in ` +
        `float32 ${fmt(check.bound)}.`;
    } else if (check?.layout === 'network') {
      const k = b.net.outputs.length;
      const whose = k > 1 ? `(every output) the largest of its ${k} outputs'` : 'its';
      const vsF = r.vsExact !== null
        ? `against f itself on the ${r.exactPoints} of them in the certified region ${fmt(r.vsExact)}, ${within} ` +
          `${whose} certified max error in float32 ${fmt(check.bound)}`
        : `none of them lies in the certified region, so it is not held against f`;
      $('ort-detail').textContent = `${r.points} points, outputs up to ${fmt(r.maxAbsOutput)}. The float32 ONNX is ` +
        `the network shown: the float32 figure is against knotnet's float32 evaluation of it; against its float64 ` +
        `one it is ${fmt(r.vsFloat64)}${over}; ${vsF}.`;
    } else {
      $('ort-detail').textContent = `${r.points} points, outputs up to ${fmt(r.maxAbsOutput)}. The float32 figure ` +
        `is against knotnet's float32 evaluation; against its float64 one it is ${fmt(r.vsFloat64)}${over}.`;
    }
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
