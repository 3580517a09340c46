/**
 * What the page offers for download (ONNX float32/float64, JSON, safetensors), made in the
 * browser from the network, and the check that runs the offered ONNX files in
 * onnxruntime-web beside knotnet's own evaluation. For a one-variable build of at most
 * FLOAT32_LAYOUT_SEGMENTS segments the float32 ONNX is the build's float32 layout (the clamp
 * form, certified in float32); everything else is the network the page shows.
 */
import type { storedOutputs } from '../../compile/outputs.ts';
import { float32ErrorMeta } from '../../export/float32meta.ts';
import { toOnnx } from '../../export/onnx.ts';
import { toSafetensors } from '../../export/safetensors.ts';
import { evaluate } from '../../net/evaluate.ts';
import { networkToJson } from '../../net/json.ts';
import type { Network } from '../../net/network.ts';
import { roundingErrorBound } from '../../net/rounding.ts';

/** onnxruntime-web, loaded by a classic script tag (ort.wasm.min.js) as the global `ort`. */
declare const ort: {
  env: { wasm: { wasmPaths: string; numThreads: number } };
  Tensor: new (type: string, data: Float32Array | Float64Array, dims: number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string,
    { data: Float32Array | Float64Array }>> }> };
};

/** The last good result: what the downloads and the runtime check use. */
export interface Built {
  net: Network;
  expr: string;
  domain: Record<string, [number, number]>;
  /** Several outputs: the top-level figures are the largest of the outputs', each one's in `outputs`. */
  error: { certifiedMax: number; measuredMax: number; measuredRms: number; outputs?: ReturnType<typeof storedOutputs>;
    /** The float32 certificate of a compile (its float32 files store it as their certifiedMax). */
    certifiedMaxFloat32?: number };
  /** The float32 ONNX's own network when it is laid out for float32 (the clamp form), and its errors. */
  float32?: Float32File;
}

export interface Float32File {
  net: Network;
  /** certifiedMax: proven max |f − network| evaluated in float32; the rest for the record. */
  error: { certifiedMax: number; certifiedMaxFloat64: number; float32RoundingBound: number;
    measuredMaxFloat32: number };
}

/** What the float32 file's metadata says about its layout. */
export const CLAMP_LAYOUT = 'clamp form for float32: y = y_n - sum s_i*relu(h_i - relu(x - k_i)), 2 ReLUs per ' +
  'segment, sums of at most 4 terms';

export function configureOrt(): void {
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
}

/**
 * A file's metadata. A float32 file stores the float32 certificate as its certifiedMax (the
 * compile's, or, when the build has none, the float64 one less its float64 rounding plus its
 * float32 rounding over the box, as the CLI's exports do).
 */
function metadata(b: Built, dtype: 'float32' | 'float64'): Record<string, string> {
  const { certifiedMaxFloat32, ...error } = b.error;
  const stored = dtype === 'float64' ? error
    : float32ErrorMeta(error, error.certifiedMax, certifiedMaxFloat32 ?? float32Certificate(b));
  return { expr: b.expr, domain: JSON.stringify(b.domain), error: JSON.stringify(stored) };
}

function float32Certificate(b: Built): number {
  const lo = b.net.inputs.map((v) => b.domain[v]![0]);
  const hi = b.net.inputs.map((v) => b.domain[v]![1]);
  const r64 = roundingErrorBound(b.net, lo, hi, 'float64')[0]!;
  return b.error.certifiedMax - r64 + roundingErrorBound(b.net, lo, hi, 'float32')[0]!;
}

/** The network in the ONNX file of this dtype: the float32 layout's, when there is one, for float32. */
function onnxNetwork(b: Built, dtype: 'float32' | 'float64'): Network {
  return dtype === 'float32' && b.float32 ? b.float32.net : b.net;
}

export function onnxBytes(b: Built, dtype: 'float32' | 'float64'): Uint8Array {
  if (dtype === 'float32' && b.float32) {
    return toOnnx(b.float32.net,
      { dtype, metadata: { expr: b.expr, domain: JSON.stringify(b.domain), error: JSON.stringify(b.float32.error),
      layout: CLAMP_LAYOUT } });
  }
  return toOnnx(b.net, { dtype, metadata: metadata(b, dtype) });
}

/**
 * max |onnxruntime − knotnet| over the points: the float64 ONNX against knotnet's float64
 * evaluation, the float32 ONNX against knotnet's float32 and float64 evaluations (of the
 * float32 file's network); and, when f's values are given, max |float32 ONNX − f| over the
 * points where it is asked for (`exactPoints` of them).
 */
export interface OrtAgreement { float64: number; vsFloat32: number; vsFloat64: number; vsExact: number | null;
  exactPoints: number; maxAbsOutput: number; points: number }

async function runOnnx(b: Built, dtype: 'float32' | 'float64', x: Float32Array | Float64Array,
  n: number): Promise<ArrayLike<number>> {
  const session = await ort.InferenceSession.create(onnxBytes(b, dtype));
  const out = await session.run({ input: new ort.Tensor(dtype, x, [n, onnxNetwork(b, dtype).inputs.length]) });
  return out.output!.data;
}

/**
 * max |a − b| (over the points `only` marks, when given; `k` values per point, row-major), where
 * NaN never counts as agreement.
 */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, only?: ArrayLike<boolean>, k = 1): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (only && !only[Math.floor(i / k)]) continue;
    m = Math.max(m, Number.isNaN(a[i]!) || Number.isNaN(b[i]!) ? Infinity : Math.abs(a[i]! - b[i]!));
  }
  return m;
}

/**
 * Runs both ONNX files exactly as offered for download on `points` (row-major, one row per
 * input vector). For the float32 file the inputs are rounded to float32 first and both
 * knotnet evaluations see the same rounded inputs, so `vsFloat32` is runtime against runtime
 * and `vsFloat64` is the float32 arithmetic's whole effect on these points. `exact` (f at
 * the points as given, before any rounding; with several outputs, each point's k values in
 * output order) gives `vsExact`: what a float32 caller gets, the rounding of its inputs
 * included; `inside` (when given, one per point) keeps that comparison to the points it marks,
 * those in the certified region. Every figure is over all the network's outputs.
 */
export async function compareWithOrt(b: Built, points: ArrayLike<number>, exact?: ArrayLike<number>,
  inside?: ArrayLike<boolean>): Promise<OrtAgreement> {
  const n = points.length / b.net.inputs.length;
  const x64 = Float64Array.from(points);
  const x32 = Float32Array.from(points);
  const float64 = maxDiff(await runOnnx(b, 'float64', x64, n), evaluate(b.net, x64, 'float64'));
  const net32 = onnxNetwork(b, 'float32');
  const y32Ort = await runOnnx(b, 'float32', x32, n);
  const y64 = evaluate(net32, x32, 'float64');
  let maxAbsOutput = 0;
  for (const v of y64) maxAbsOutput = Math.max(maxAbsOutput, Math.abs(v));
  let exactPoints = 0;
  if (exact) for (let i = 0; i < n; i++) if (!inside || inside[i]) exactPoints++;
  return {
    float64, vsFloat32: maxDiff(y32Ort, evaluate(net32, x32, 'float32')), vsFloat64: maxDiff(y32Ort, y64),
    // No point to compare (none in the certified region): no figure.
    vsExact: exact && exactPoints > 0 ? maxDiff(y32Ort, exact, inside, net32.outputs.length) : null, exactPoints,
    maxAbsOutput, points: n,
  };
}

function download(name: string, bytes: Uint8Array | string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Wires the download buttons (ids dl-onnx32, dl-onnx64, dl-json, dl-safetensors) to the last good result. */
export function wireDownloads(last: () => Built | null): void {
  const bin = 'application/octet-stream';
  const on = (id: string, make: (b: Built) => void) => {
    document.getElementById(id)!.addEventListener('click', () => { const b = last(); if (b) make(b); });
  };
  on('dl-onnx32', (b) => download('knotnet-float32.onnx', onnxBytes(b, 'float32'), bin));
  on('dl-onnx64', (b) => download('knotnet-float64.onnx', onnxBytes(b, 'float64'), bin));
  on('dl-json', (b) => download('knotnet.json',
    JSON.stringify(networkToJson(b.net, { expr: b.expr, domain: b.domain, error: b.error })), 'application/json'));
  on('dl-safetensors', (b) => download('knotnet.safetensors',
    toSafetensors(b.net, { dtype: 'float32', metadata: metadata(b, 'float32') }), bin));
}
