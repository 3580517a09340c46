/**
 * The page's float32 card and note: what the float32 ONNX download is (the clamp form laid out
 * for float32, the network shown, or the one-layer network uncertified in float32) and its
 * certified max error in float32, against the tolerance asked for.
 */
import type { ApproxResult } from '../../approx/approximate.ts';
import type { Float32Layout } from '../../approx/clampform.ts';
import type { CompileResult } from '../../compile/compile.ts';
import { networkSummary } from '../../net/network.ts';
import { escapeHtml } from '../../report/escape.ts';
import { fmt } from '../../report/format.ts';
import { FLOAT32_LAYOUT_SEGMENTS } from './jobs.ts';
import { $, show } from './render.ts';

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

export function float32Pending(r: ApproxResult) {
  card32('the float32 ONNX: clamp form');
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

export function float32Shown(r: ApproxResult, layout: Float32Layout, tolerance: number | undefined) {
  const over = showCertified32(layout.certifiedMaxFloat32, tolerance);
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
  card32(r.outputs ? `the float32 ONNX: the network shown, largest of its ${r.outputs.length} outputs'`
    : 'the float32 ONNX: the network shown');
  const over = showCertified32(r.certifiedMaxFloat32, tolerance);
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
      `(knotnet compile --dtype float32 builds and certifies a network for float32). ` : ''));
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
