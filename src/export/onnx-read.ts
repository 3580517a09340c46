/**
 * ONNX model bytes → the plain network, for models of any origin that are a chain of dense
 * layers: Gemm (alpha, beta powers of two, transA = 0), MatMul with an optional Add of a
 * bias, Relu, LeakyRelu, and the identity-like Identity, Dropout (inference), Flatten, Cast
 * to float. Any other operator is refused by its name. Weights come from the graph's
 * initializers (raw_data, float_data or double_data), widened exactly to float64.
 */
import {
  AttributeProtoAttributeType, TensorProtoDataType, type NodeProto, type TensorProto,
} from './proto/onnx-pbf.js';
import { InputError } from '../errors.ts';
import type { Network } from '../net/network.ts';
import { checkLayerShape, checkParamCount, finiteWeights, fromLittleEndian } from './bytes.ts';
import { decodeOnnx, readOnnxInfo } from './onnx.ts';
import { plainFromSteps, type Step } from './plain.ts';

type Node = NodeProto;
type Tensor = TensorProto;

const SUPPORTED = ['Gemm', 'MatMul', 'Add', 'Relu', 'LeakyRelu', 'Identity', 'Dropout', 'Flatten', 'Cast'];
const PASS = new Set(['Identity', 'Dropout', 'Flatten', 'Cast']);

function tensorValues(t: Tensor, source: string): { dims: number[]; data: Float64Array } {
  const dims = t.dims;
  const count = dims.reduce((a, b) => a * b, 1);
  const type = t.data_type === TensorProtoDataType.DOUBLE ? 'float64'
    : t.data_type === TensorProtoDataType.FLOAT ? 'float32' : null;
  if (!type) throw new InputError(`${source} initializer "${t.name}"`, 'be float or double', `data type ${t.data_type}`,
    { field: 'bytes', code: 'malformed' });
  let data: Float64Array;
  if (t.raw_data && t.raw_data.length > 0) {
    if (t.raw_data.length !== count * (type === 'float64' ? 8 : 4)) throw new InputError(`${source} initializer ` +
      `"${t.name}"`, `hold ${count} values`, `${t.raw_data.length} bytes`, { field: 'bytes', code: 'malformed' });
    data = fromLittleEndian(t.raw_data, 0, count, type);
  } else {
    data = Float64Array.from(type === 'float64' ? t.double_data : t.float_data.map(Math.fround));
  }
  if (data.length !== count) throw new InputError(`${source} initializer "${t.name}"`, `hold ${count} values`,
    data.length, { field: 'bytes', code: 'malformed' });
  return { dims, data: finiteWeights(data, `${source} initializer "${t.name}"`) };
}

/**
 * Refuses a model holding a NaN or infinite float or double initializer, for the readers that
 * hand the file to onnxruntime rather than reading its layers (check, predict).
 */
export function checkOnnxWeights(bytes: Uint8Array, source = 'ONNX model'): void {
  for (const t of floatInitializers(decodeOnnx(bytes).graph?.initializer ?? [], source)) tensorValues(t, source);
}

/** The float and double initializers, their declared sizes together within the parameter limit (before any is read). */
function floatInitializers(initializers: readonly Tensor[], source: string): Tensor[] {
  const floats = initializers.filter((t) => t.data_type === TensorProtoDataType.FLOAT
    || t.data_type === TensorProtoDataType.DOUBLE);
  let params = 0;
  for (const t of floats) params = checkParamCount(params + t.dims.reduce((a, d) => a * d, 1), source);
  return floats;
}

const attr = (n: Node, name: string, fallback: number): number => {
  const a = n.attribute.find((x) => x.name === name);
  if (!a) return fallback;
  return a.type === AttributeProtoAttributeType.FLOAT ? a.f : a.i;
};

const isPowerOfTwo = (v: number): boolean => v > 0 && Number.isInteger(Math.log2(v));

/** [in, out] (or [out, in] when `transposed`) as row-major out × in, scaled by `scale` (a power of two: exact). */
function rows(w: { dims: number[]; data: Float64Array }, transposed: boolean, scale: number,
  what: string): { weights: Float64Array; inSize: number; outSize: number } {
  const [a, b] = checkLayerShape(w.dims, what, transposed ? '[out, in]' : '[in, out]');
  const outSize = transposed ? a : b, inSize = transposed ? b : a;
  const weights = new Float64Array(outSize * inSize);
  for (let r = 0; r < outSize; r++) for (let c = 0; c < inSize; c++) weights[r * inSize + c] = scale * (transposed
    ? w.data[r * inSize + c]! : w.data[c * outSize + r]!);
  return { weights, inSize, outSize };
}

export function networkFromOnnx(bytes: Uint8Array,
  source = 'ONNX model'): { net: Network; dtype: 'float32' | 'float64'; metadata: Record<string, string> } {
  const info = readOnnxInfo(bytes, source);
  const graph = decodeOnnx(bytes).graph!;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  floatInitializers(graph.initializer ?? [], source);
  const value = (name: string, what: string) => {
    const t = inits.get(name);
    if (!t) throw new InputError(what, 'be a constant (initializer) of the graph', name,
      { field: 'bytes', code: 'malformed' });
    return tensorValues(t, source);
  };
  const nodes = graph.node ?? [];
  for (const n of nodes) if (!SUPPORTED.includes(n.op_type)) throw new InputError(`${source} operator`,
    `be one of ${SUPPORTED.join(', ')}`, n.op_type, { field: 'bytes', code: 'unsupported' });
  let current = graph.input!.find((i) => !inits.has(i.name ?? ''))!.name!;
  const outName = graph.output![0]!.name!;
  const steps: Step[] = [], used = new Set<Node>();
  while (current !== outName) {
    const n = nodes.find((x) => !used.has(x) && (x.input ?? []).includes(current));
    if (!n) throw new InputError(source, 'be a chain of layers from its input to its output',
      `nothing reads "${current}"`, { field: 'bytes', code: 'malformed' });
    used.add(n);
    const op = n.op_type, what = `${source} node "${n.name || op}"`;
    if (op === 'Gemm') {
      const [alpha, beta] = [attr(n, 'alpha', 1), attr(n, 'beta', 1)];
      if (attr(n, 'transA', 0) !== 0 || !isPowerOfTwo(alpha)
        || !isPowerOfTwo(beta)) throw new InputError(`${what} Gemm`, 'have transA = 0 and alpha, beta powers of two',
          `transA ${attr(n, 'transA', 0)}, alpha ${alpha}, beta ${beta}`, { field: 'bytes', code: 'malformed' });
      const w = rows(value(n.input![1]!, what), attr(n, 'transB', 0) === 1, alpha, `${what} weights`);
      const bias = n.input![2] ? value(n.input![2]!, what).data.map((v) => beta * v) : new Float64Array(w.outSize);
      if (bias.length !== w.outSize) throw new InputError(`${what} bias`, `have ${w.outSize} values`, bias.length,
        { field: 'bytes', code: 'malformed' });
      steps.push({ kind: 'dense', ...w, bias });
    } else if (op === 'MatMul') {
      if (n.input![0] !== current) throw new InputError(what, 'multiply the layer input by a constant matrix (x·W)',
        n.input!.join(', '), { field: 'bytes', code: 'malformed' });
      const w = rows(value(n.input![1]!, what), false, 1, `${what} weights`);
      steps.push({ kind: 'dense', ...w, bias: new Float64Array(w.outSize) });
    } else if (op === 'Add') {
      const prev = steps[steps.length - 1];
      const other = n.input!.find((x) => x !== current)!;
      const b = value(other, what).data;
      if (!prev || prev.kind !== 'dense' || b.length !== prev.outSize) throw new InputError(what,
        'add a bias right after a MatMul', other, { field: 'bytes', code: 'malformed' });
      prev.bias = prev.bias.map((v, i) => v + b[i]!);
    } else if (op === 'Relu') steps.push({ kind: 'relu' });
    else if (op === 'LeakyRelu') steps.push({ kind: 'leaky', alpha: Math.fround(attr(n, 'alpha', 0.01)) });
    else if (!PASS.has(op)) throw new InputError(`${source} operator`, `be one of ${SUPPORTED.join(', ')}`, op,
      { field: 'bytes', code: 'unsupported' });
    current = n.output![0]!;
  }
  const net = plainFromSteps(steps, null, null, source);
  if (net.inputs.length !== info.inputs.length) throw new InputError(source,
    `take ${info.inputs.length} inputs as its graph input says`, net.inputs.length, { field: 'bytes',
    code: 'malformed' });
  return { net: { ...net, inputs: info.inputs,
    outputs: info.outputs.length === net.outputs.length ? info.outputs : net.outputs }, dtype: info.dtype,
      metadata: info.metadata };
}
