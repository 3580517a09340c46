/**
 * Network → ONNX ModelProto bytes, and the few facts a reader needs back from them.
 *
 * The graph uses only what every ONNX runtime implements for float and double: one Gemm per
 * dense layer (transB = 1, so B is stored [out, in] exactly like our row-major weights and
 * nothing is transposed) followed by Relu for hidden layers. Opset 17, IR version 8
 * (ONNX 1.10+), so runtimes from 2022 on load it.
 *
 * The message is encoded and decoded by proto/onnx-pbf.js, which pbf's compiler generated from
 * ONNX 1.20's onnx.proto (scripts/gen-onnx-proto.ts), on pbf's small runtime: field numbers and
 * wire types come from the spec, not from a hand-rolled encoder. pbf and its one dependency
 * (protocol-buffers-schema) install as 0.2 MB; @bufbuild/protobuf and onnx-buf before them as
 * 2.1 MB, and the protobufjs 6 that onnx-proto brought as 22 MB, with @types/node added.
 */
import { PbfReader, PbfWriter, type DeepPartial } from 'pbf';
import {
  AttributeProtoAttributeType, readModelProto, TensorProtoDataType, writeModelProto, type ModelProto, type NodeProto,
  type TensorProto, type ValueInfoProto,
} from './proto/onnx-pbf.js';
import { InputError } from '../errors.ts';
import { validateNetwork, type Network } from '../net/network.ts';
import { namesFromMetadata, toLittleEndian, type ExportDtype } from './bytes.ts';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** The single graph input, shape [batch, nInputs]; variable names live in metadata "inputs". */
export const ONNX_INPUT_NAME = 'input';
/** The single graph output, shape [batch, nOutputs]; names live in metadata "outputs". */
export const ONNX_OUTPUT_NAME = 'output';

/**
 * knotnet's own metadata prop, beside producer_name "knotnet": how the CLI recognizes a file it
 * may replace without --force (cli/ownership.ts). A graph or producer merely named "knotnet" is
 * not enough.
 */
export const ONNX_KNOTNET_KEY = 'knotnet.artifact';
export const ONNX_KNOTNET_VALUE = 'network';

const ELEM_TYPE: Record<ExportDtype, number> = { float32: TensorProtoDataType.FLOAT,
  float64: TensorProtoDataType.DOUBLE };

/** Options of `toOnnx`. */
export interface OnnxOptions {
  /** Element type the weights are stored in (float32 rounds to nearest). */
  dtype: ExportDtype;
  /** Stored in ModelProto.metadata_props beside "inputs"/"outputs" (JSON lists of names). */
  metadata?: Record<string, string>;
}

/** A message as the writer takes it: any subset of its fields (the others are not written). */
type Draft<T> = DeepPartial<T>;

function valueInfo(name: string, dtype: ExportDtype, width: number): Draft<ValueInfoProto> {
  const dim = [{ dim_param: 'batch' }, { dim_value: width }];
  return { name, type: { tensor_type: { elem_type: ELEM_TYPE[dtype], shape: { dim } } } };
}

function initializer(name: string, dims: number[], values: ArrayLike<number>, dtype: ExportDtype,
  what: string): Draft<TensorProto> {
  // raw_data (little-endian) is read identically by every runtime for both float and double.
  return { name, dims, data_type: ELEM_TYPE[dtype], raw_data: toLittleEndian(values, dtype, what) };
}

/** Serializes `net` as an ONNX model; weights are stored in `dtype` (float32 rounds to nearest). */
export function toOnnx(net: Network, options: OnnxOptions): Uint8Array {
  validateNetwork(net);
  const { dtype } = options;
  const nodes: Draft<NodeProto>[] = [];
  const inits: Draft<TensorProto>[] = [];
  let current = ONNX_INPUT_NAME;
  net.layers.forEach((layer, i) => {
    const last = i === net.layers.length - 1;
    const w = `layer${i}.weight`;
    const b = `layer${i}.bias`;
    inits.push(initializer(w, [layer.outSize, layer.inSize], layer.weights, dtype, `layer ${i}'s weights`));
    inits.push(initializer(b, [layer.outSize], layer.bias, dtype, `layer ${i}'s bias`));
    const relu = layer.activation === 'relu';
    const gemmOut = last && !relu ? ONNX_OUTPUT_NAME : `layer${i}.linear`;
    nodes.push({
      name: `layer${i}.gemm`,
      op_type: 'Gemm',
      input: [current, w, b],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: AttributeProtoAttributeType.INT, i: 1 }],
    });
    current = gemmOut;
    if (relu) {
      const reluOut = last ? ONNX_OUTPUT_NAME : `layer${i}.relu`;
      nodes.push({ name: `layer${i}.relu`, op_type: 'Relu', input: [current], output: [reluOut] });
      current = reluOut;
    }
  });
  const metadata: Record<string, string> = {
    ...options.metadata,
    inputs: JSON.stringify(net.inputs),
    outputs: JSON.stringify(net.outputs),
    dtype,
    [ONNX_KNOTNET_KEY]: ONNX_KNOTNET_VALUE,
  };
  return encodeOnnx({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'knotnet',
    doc_string: 'A ReLU network built by construction (knotnet).',
    graph: {
      name: 'knotnet',
      node: nodes,
      initializer: inits,
      input: [valueInfo(ONNX_INPUT_NAME, dtype, net.inputs.length)],
      output: [valueInfo(ONNX_OUTPUT_NAME, dtype, net.outputs.length)],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

/** `model`'s bytes, in a buffer of their own (the writer's grows by doubling). */
function encodeOnnx(model: Draft<ModelProto>): Uint8Array {
  const pbf = new PbfWriter();
  writeModelProto(model, pbf);
  return pbf.finish().slice();
}

/**
 * Runs the generated reader, which recurses once per nested message: a file nesting messages
 * (graphs in attributes of nodes of graphs …) deeper than the stack allows is refused as such,
 * not with the engine's own words.
 */
function readNested<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new Error('its messages are nested deeper than the reader follows (graphs inside attributes of nodes)');
    }
    throw e;
  }
}

/**
 * The ModelProto in `bytes`; throws on bytes that are not one: a field of an unknown wire type,
 * a value cut off by the end, or a length that runs past it.
 */
export function decodeOnnx(bytes: Uint8Array): ModelProto {
  const pbf = new PbfReader(bytes);
  const model = readNested(() => readModelProto(pbf, bytes.length));
  if (pbf.pos !== bytes.length) throw new Error(`a field ends ${pbf.pos - bytes.length} bytes past the end`);
  return model;
}

/** A graph input's or output's tensor type, when it is a tensor. */
function tensorType(v: ValueInfoProto) {
  return v.type?.value === 'tensor_type' ? v.type.tensor_type : undefined;
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
  let model: ModelProto;
  try {
    model = decodeOnnx(bytes);
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
  const elemType = tensorType(input)?.elem_type;
  const dtype = elemType === ELEM_TYPE.float64 ? 'float64' : elemType === ELEM_TYPE.float32 ? 'float32' : null;
  if (!dtype) throw new InputError(`${source} input "${input.name}"`, 'be float or double', `element type ${elemType}`,
    { field: 'bytes', code: 'malformed' });
  const width = (v: typeof input): number => {
    const dim = tensorType(v)?.shape?.dim[1];
    const w = dim?.value === 'dim_value' ? dim.dim_value : 0;
    if (!Number.isSafeInteger(w) || w < 0 || w > MAX_ONNX_WIDTH) throw new InputError(`${source} "${v.name}" shape`,
      `have a width from 0 to ${MAX_ONNX_WIDTH}`, w, { field: 'bytes', code: 'too-large' });
    return w;
  };
  const metadata: Record<string, string> = {};
  for (const p of model.metadata_props) if (p.key) metadata[p.key] = p.value;
  return {
    dtype,
    inputs: namesFromMetadata(metadata, 'inputs', width(input), 'x', `${source} metadata`),
    outputs: namesFromMetadata(metadata, 'outputs', width(output), 'y', `${source} metadata`),
    metadata,
  };
}
