/**
 * Runs ONNX models in onnxruntime-node (the CPU execution provider), the runtime most users
 * will load our .onnx files in. Node-only: may read files.
 */
import { readFile } from 'node:fs/promises';
import type * as Ort from 'onnxruntime-node';
import type { ExportDtype } from '../export/bytes.ts';
import { importOptional } from '../optional.ts';

let ortModule: Promise<typeof Ort> | undefined;
/** onnxruntime-node, loaded on first use (an optional dependency). */
function loadOrt(): Promise<typeof Ort> {
  ortModule ??= importOptional('onnxruntime-node', 'Running an ONNX model', () => import('onnxruntime-node'));
  return ortModule;
}

export interface OnnxSessionRunner {
  /** Element type of the model's input, which `run` converts to. */
  dtype: ExportDtype;
  /** `x` row-major batch × nInputs; result row-major batch × nOutputs, widened to float64. */
  run(x: ArrayLike<number>, batch: number): Promise<Float64Array>;
  release(): Promise<void>;
}

function checkShape(x: ArrayLike<number>, batch: number, nIn: number): void {
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * nIn) {
    throw new RangeError(`input length (${x.length}) does not match batch × inputs (${batch} × ${nIn} = ` +
      `${batch * nIn})`);
  }
}

/**
 * Opens one session for repeated runs. `nIn` is the width of the model's [batch, nIn] input
 * and `dtype` its element type (readOnnxInfo tells both for a model of unknown origin).
 */
export async function openOnnx(model: Uint8Array | string, nIn: number,
  dtype: ExportDtype): Promise<OnnxSessionRunner> {
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  const ort = await loadOrt();
  // logSeverityLevel 3 (errors only) keeps onnxruntime's warnings off our stderr.
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  return {
    dtype,
    async run(x, batch) {
      checkShape(x, batch, nIn);
      const data = dtype === 'float64' ? Float64Array.from(x) : Float32Array.from(x);
      const input = new ort.Tensor(dtype, data, [batch, nIn]);
      const result = await session.run({ [inputName]: input });
      const out = result[outputName]!;
      const values = Float64Array.from(out.data as Float32Array | Float64Array);
      out.dispose();
      input.dispose();
      return values;
    },
    release: () => session.release(),
  };
}

/** One-shot run: opens a session, runs `x` (batch × nIn), releases the session. */
export async function runOnnx(
  model: Uint8Array | string,
  x: ArrayLike<number>,
  batch: number,
  nIn: number,
  dtype: ExportDtype,
): Promise<Float64Array> {
  const runner = await openOnnx(model, nIn, dtype);
  try {
    return await runner.run(x, batch);
  } finally {
    await runner.release();
  }
}
