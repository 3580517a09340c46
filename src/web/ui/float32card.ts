/**
 * The page's float32 card and note: what the float32 ONNX download is (the clamp form laid out
 * for float32, the network shown, or the one-layer network uncertified in float32) and its
 * certified max error in float32, against the tolerance asked for; beside it the floor u·max|f|
 * always, and (one-variable clamp forms small enough for about a second of search, jobs.ts) the
 * worst float32 error an adversarial search found, each under its own name.
 */
import type { ApproxResult } from '../../approx/approximate.ts';
import type { CompileResult } from '../../compile/compile.ts';
import { networkSummary } from '../../net/network.ts';
import { escapeHtml } from '../../report/escape.ts';
import { fmt } from '../../report/format.ts';
import { FLOAT32_LAYOUT_SEGMENTS, type Float32Figures, type PageFloat32Layout } from './jobs.ts';
import { $, show } from './render.ts';
import { UNIT_ROUNDOFF } from '../../net/floatformat.ts';

/** The float32 ONNX button: its label, and off while its network is being laid out. */
function float32Button(label: string, enabled: boolean) {
  const button = $<HTMLButtonElement>('dl-onnx32');
  button.textContent = label;
  button.disabled = !enabled;
}

function float32Note(layout: string, html: string) {
  const note = $('float32-note');
  note.dataset.layout = layout;
  note.innerHTML = html;
  for (const k of ['relus', 'layers', 'params']) delete note.dataset[k];
}

/** The float32 card: what it is the certified error of. */
function card32(sub: string) {
  $('card32').hidden = false;
  $('card32-sub').textContent = sub;
}

/**
 * The card's line under the certificate: the float32 error an adversarial search found (when it
 * ran) and the floor u·max|f|, each under its own name; also as data-adversarial, data-floor.
 */
function showFigures(sub: string, figures: Float32Figures | undefined) {
  const el = $('certified32');
  delete el.dataset.adversarial;
  delete el.dataset.floor;
  if (!figures) return;
  el.dataset.floor = String(figures.floor);
  if (figures.adversarial !== null) el.dataset.adversarial = String(figures.adversarial);
  const found = figures.adversarial === null ? '' : `adversarial (found by search) ${fmt(figures.adversarial)}; `;
  $('card32-sub').textContent = `${sub}; ${found}floor u·max|f| ${fmt(figures.floor)}`;
}

/** The note's sentence on the search figures. */
function figuresText(figures: Float32Figures | undefined): string {
  if (!figures) return '';
  const floor = `the floor u·max|f| = 2<sup>-24</sup>·max|f| = ${fmt(figures.floor)} is the size of one float32 ` +
    `rounding of the largest output (a scale, not a bound). `;
  if (figures.adversarial === null) {
    return `This network is too large for the page's second of adversarial search; ${floor}`;
  }
  return `<b>Adversarial (found by search): ${fmt(figures.adversarial)}</b>, the worst float32 error a seeded ` +
    `search found (float32 inputs, three float32 evaluation orders, the formula proven within a radius): a lower ` +
    `bound of the true worst error, which lies between it and the certificate; ${floor}`;
}

export function float32Pending(r: ApproxResult) {
  card32('the float32 ONNX: clamp form');
  showFigures('', undefined);
  const el = $('certified32');
  el.textContent = '…';
  el.dataset.state = 'busy';
  delete el.dataset.value;
  delete el.dataset.over;
  float32Button('ONNX float32 (clamp form)', false);
  float32Note('clamp', `ONNX float32: laying out the ${r.segments} segments as the clamp form for float32 and ` +
    `bounding its float32 rounding…`);
}

/** Shows a certified float32 error in the card; returns whether it is above the tolerance. */
function showCertified32(value: number, tolerance: number | undefined): boolean {
  const el = $('certified32');
  show('certified32', value);
  el.dataset.state = 'ok';
  const over = tolerance !== undefined && value > tolerance;
  el.dataset.over = over ? '1' : '0';
  return over;
}

export function float32Shown(r: ApproxResult, layout: PageFloat32Layout, tolerance: number | undefined) {
  const over = showCertified32(layout.certifiedMaxFloat32, tolerance);
  showFigures('the float32 ONNX: clamp form', layout.figures);
  float32Button('ONNX float32 (clamp form)', true);
  const s = networkSummary(layout.network);
  float32Note('clamp',
    `<b>ONNX float32 is the clamp form</b>, laid out for float32: y = y<sub>n</sub> − Σ ` +
      `s<sub>i</sub>·relu(h<sub>i</sub> − relu(x − k<sub>i</sub>)), ` +
    `<b>2 ReLUs per segment</b> in its first 2 hidden layers, then sums of at most 4 terms: ${s.relus} ReLUs, ` +
      `${s.layers} hidden layers, ${s.params} parameters. ` +
    `Why: in the one-layer network above, large slope terms cancel, and float32 rounding of them is not covered by ` +
      `the certificate (which is for float64 evaluation) and can exceed it; ` +
    `each clamp term s<sub>i</sub>·relu(…) lies between 0 and its own segment's rise, so nothing large cancels, ` +
      `float32 rounding stays near the size of the values, and the float32 error is certified: ` +
    `max error in float32 ${fmt(layout.certifiedMaxFloat32)} (${fmt(layout.certifiedMax)} evaluated in float64; ` +
      `float32 rounding ${fmt(layout.roundingBoundFloat32)}; measured in float32 ${fmt(layout.measuredMaxFloat32)}). ` +
    (over ? `<b class="over">That is above the tolerance ${fmt(tolerance!)}: float32 rounding eats the margin</b> ` +
      `(knotnet approx --dtype float32 sizes again for it; here, ask for a smaller max error). ` : '') +
    figuresText(layout.figures) +
    `ONNX float64, JSON and safetensors are the one-layer network above (${r.segments} ReLUs).`);
  const note = $('float32-note');
  note.dataset.relus = String(s.relus);
  note.dataset.layers = String(s.layers);
  note.dataset.params = String(s.params);
}

export function float32Failed(e: Error) {
  const el = $('certified32');
  el.textContent = 'failed';
  el.dataset.state = 'error';
  float32Button('ONNX float32', true);
  float32Note('one-layer',
    `The float32 layout failed (${escapeHtml(e.message)}): ONNX float32 is the one-layer network above, its float32 ` +
    `error not certified.`);
}

/**
 * Several variables: the float32 ONNX is the network shown, and compileFormula has already
 * proven its max error evaluated in float32 (any summation order) over the certified region.
 */
export function float32Network(r: CompileResult, tolerance: number | undefined) {
  const sub = r.outputs ? `the float32 ONNX: the network shown, largest of its ${r.outputs.length} outputs'`
    : 'the float32 ONNX: the network shown';
  card32(sub);
  const over = showCertified32(r.certifiedMaxFloat32, tolerance);
  const figures = { adversarial: null, floor: UNIT_ROUNDOFF.float32 * largestOutput(r) };
  showFigures(sub, figures);
  float32Button('ONNX float32', true);
  const what = r.outputs
    ? `the largest of its ${r.outputs.length} outputs' certified max errors in float32 is ` +
      `${fmt(r.certifiedMaxFloat32)} over the certified region (each output's, in the table above: its ` +
      `construction's bound plus a bound on float32 rounding, inputs' included, in any summation order; ` +
      `${fmt(r.certifiedMax)} evaluated in float64, the largest again). `
    : `its certified max error in float32 is ${fmt(r.certifiedMaxFloat32)} ` +
      `over the certified region (the construction's ${fmt(r.certifiedConstruction)} plus a bound on float32 ` +
      `rounding, inputs' included, in any summation order; ${fmt(r.certifiedMax)} evaluated in float64). `;
  float32Note('network',
    `<b>ONNX float32 is the network shown</b>, evaluated in float32: ${what}` +
    (over ? `<b class="over">That is above the tolerance ${fmt(tolerance!)}: float32 rounding eats the margin</b> ` +
      `(knotnet compile --dtype float32 builds and certifies a network for float32). ` : '') +
    `The floor u·max|f| = 2<sup>-24</sup>·max|f| = ${fmt(figures.floor)} (max|f| from the certified output ` +
      `range) is the size of one float32 rounding of the largest output (a scale, not a bound); ` +
      '<code>knotnet compile --adversary</code> searches for the worst float32 error.');
}

/** max |f| over the certified region from the output ranges (the largest output's, several outputs). */
function largestOutput(r: CompileResult): number {
  const ranges = r.outputs ? r.outputs.map((o) => o.outputRange) : [r.outputRange];
  return Math.max(...ranges.map(([a, b]) => Math.max(Math.abs(a), Math.abs(b))));
}

/** No float32 layout: more segments than its n × n middle layer allows. */
export function float32None(r: ApproxResult) {
  $('card32').hidden = true;
  float32Button('ONNX float32', true);
  float32Note('one-layer',
    `ONNX float32 is the one-layer network above: with ${r.segments} segments (over ${FLOAT32_LAYOUT_SEGMENTS}) the ` +
      `float32 clamp form's middle layer (${r.segments} × ${r.segments}) is too large, so its float32 error is not ` +
      `certified here.`);
}
