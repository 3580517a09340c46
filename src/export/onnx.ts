/**
 * Network → ONNX ModelProto bytes, and the few facts a reader needs back from them.
 *
 * The graph uses only what every ONNX runtime implements for float and double: one Gemm per
 * dense layer (transB = 1, so B is stored [out, in] exactly like our row-major weights and
 * nothing is transposed) followed by Relu for hidden layers. Opset 17, IR version 8
 * (ONNX 1.10+), so runtimes from 2022 on load it.
 *
 * The message is built with onnx-proto's generated protobufjs classes (ONNX 1.10.2's
 * onnx.proto), not a hand-rolled encoder, so field numbers and wire types come from the spec.
 */
import onnxProto from 'onnx-proto';
import { InputError } from '../errors.ts';
import { validateNetwork, type Network } from '../net/network.ts';
import { namesFromMetadata, toLittleEndian, type ExportDtype } from './bytes.ts';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** The single graph input, shape [batch, nInputs]; variable names live in metadata "inputs". */
export const ONNX_INPUT_NAME = 'input';
/** The single graph output, shape [batch, nOutputs]; names live in metadata "outputs". */
export const ONNX_OUTPUT_NAME = 'output';

const ELEM_TYPE: Record<ExportDtype, number> = { float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE };

/** Options of `toOnnx`. */
export interface OnnxOptions {
  /** Element type the weights are stored in (float32 rounds to nearest). */
  dtype: ExportDtype;
  /** Stored in ModelProto.metadata_props beside "inputs"/"outputs" (JSON lists of names). */
  metadata?: Record<string, string>;
}

function valueInfo(name: string, dtype: ExportDtype, width: number): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[dtype],
        shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] },
      },
    },
  });
}

function initializer(name: string, dims: number[], values: ArrayLike<number>, dtype: ExportDtype, what: string) {
  // raw_data (little-endian) is read identically by every runtime for both float and double.
  return onnx.TensorProto.create({ name, dims, dataType: ELEM_TYPE[dtype],
    rawData: toLittleEndian(values, dtype, what) });
}

/** Serializes `net` as an ONNX model; weights are stored in `dtype` (float32 rounds to nearest). */
export function toOnnx(net: Network, options: OnnxOptions): Uint8Array {
  validateNetwork(net);
  const { dtype } = options;
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const inits: InstanceType<typeof onnx.TensorProto>[] = [];
  let current = ONNX_INPUT_NAME;
  net.layers.forEach((layer, i) => {
    const last = i === net.layers.length - 1;
    const w = `layer${i}.weight`;
    const b = `layer${i}.bias`;
    inits.push(initializer(w, [layer.outSize, layer.inSize], layer.weights, dtype, `layer ${i}'s weights`));
    inits.push(initializer(b, [layer.outSize], layer.bias, dtype, `layer ${i}'s bias`));
    const relu = layer.activation === 'relu';
    const gemmOut = last && !relu ? ONNX_OUTPUT_NAME : `layer${i}.linear`;
    nodes.push(
      onnx.NodeProto.create({
        name: `layer${i}.gemm`,
        opType: 'Gemm',
        input: [current, w, b],
        output: [gemmOut],
        attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      }),
    );
    current = gemmOut;
    if (relu) {
      const reluOut = last ? ONNX_OUTPUT_NAME : `layer${i}.relu`;
      nodes.push(onnx.NodeProto.create({ name: `layer${i}.relu`, opType: 'Relu', input: [current],
        output: [reluOut] }));
      current = reluOut;
    }
  });
  const metadata: Record<string, string> = {
    ...options.metadata,
    inputs: JSON.stringify(net.inputs),
    outputs: JSON.stringify(net.outputs),
    dtype,
  };
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'knotnet',
    docString: 'A ReLU network built by construction (knotnet).',
    graph: {
      name: 'knotnet',
      node: nodes,
      initializer: inits,
      input: [valueInfo(ONNX_INPUT_NAME, dtype, net.inputs.length)],
      output: [valueInfo(ONNX_OUTPUT_NAME, dtype, net.outputs.length)],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface OnnxInfo {
  dtype: ExportDtype;
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
}

/**
 * Element type, variable names and metadata of an ONNX model written by `toOnnx` (or any
 * model with one [batch, n] input and output; names then default to x0…, y0…).
 */
/** Widest input or output readOnnxInfo accepts (names are made per column). */
export const MAX_ONNX_WIDTH = 100_000;

export function readOnnxInfo(bytes: Uint8Array, source = 'ONNX model'): OnnxInfo {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new InputError(source, 'be an ONNX model', (e as Error).message, { field: 'bytes', code: 'malformed' });
  }
  const graph = model.graph;
  const input = graph?.input?.[0];
  const output = graph?.output?.[0];
  if (!graph || graph.input?.length !== 1 || graph.output?.length !== 1 || !input || !output) {
    throw new InputError(source, 'have one graph input and one graph output',
      `${graph?.input?.length ?? 0} inputs, ${graph?.output?.length ?? 0} outputs`, { field: 'bytes',
      code: 'malformed' });
  }
  const elemType = input.type?.tensorType?.elemType;
  const dtype = elemType === ELEM_TYPE.float64 ? 'float64' : elemType === ELEM_TYPE.float32 ? 'float32' : null;
  if (!dtype) throw new InputError(`${source} input "${input.name}"`, 'be float or double', `element type ${elemType}`,
    { field: 'bytes', code: 'malformed' });
  const width = (v: typeof input): number => {
    const w = Number(v.type?.tensorType?.shape?.dim?.[1]?.dimValue ?? 0);
    if (!Number.isSafeInteger(w) || w < 0 || w > MAX_ONNX_WIDTH) throw new InputError(`${source} "${v.name}" shape`,
      `have a width from 0 to ${MAX_ONNX_WIDTH}`, w, { field: 'bytes', code: 'too-large' });
    return w;
  };
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    dtype,
    inputs: namesFromMetadata(metadata, 'inputs', width(input), 'x', `${source} metadata`),
    outputs: namesFromMetadata(metadata, 'outputs', width(output), 'y', `${source} metadata`),
    metadata,
  };
}
