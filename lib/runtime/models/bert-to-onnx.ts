import type { NamedTensor } from './safetensors';
import {
  ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_INTS, ONNX_FLOAT, ONNX_INT64, ONNX_INT8, encodeOnnxModel,
} from './onnx-proto';
import type { ModelPrecision } from '../../../common/config/encoders';
import { quantizePerColumn } from './quantize';

/** The fields of a Hugging Face BERT config.json the graph needs. */
export interface BertConfig {
  hidden_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  layer_norm_eps: number;
  hidden_act: string;
}

/**
 * Builds an ONNX (opset 17) BERT encoder from safetensors weights, without PyTorch: inputs
 * input_ids / attention_mask / token_type_ids (int64, [batch, seq]), output last_hidden_state
 * ([batch, seq, hidden]). Pooling stays outside the graph so any model directory with a
 * last_hidden_state output is used the same way. Mirrors Hugging Face's BertModel forward pass
 * (absolute positions, exact erf GELU, additive attention mask).
 *
 * precision 'int8': the linear layers' MatMuls dynamically quantized, as onnxruntime's
 * quantize_dynamic does: activations to uint8 per call (DynamicQuantizeLinear), weights to int8
 * here, symmetric per output column. Embeddings, LayerNorm, attention scores and biases stay float.
 */
export function bertToOnnx(weights: Map<string, NamedTensor>, config: BertConfig, name: string, precision: ModelPrecision = 'float32'): Uint8Array {
  if (config.hidden_act !== 'gelu') throw new Error(`bert-to-onnx: hidden_act ${config.hidden_act} is not supported (expected gelu)`);
  const graph = new GraphBuilder();
  const prefix = [...weights.keys()].some((key) => key.startsWith('bert.')) ? 'bert.' : '';
  const weight = (key: string): string => {
    const tensor = weights.get(prefix + key);
    if (!tensor) throw new Error(`bert-to-onnx: checkpoint lacks tensor ${prefix + key}`);
    return graph.floatInitializer(key, tensor.shape, tensor.data);
  };
  const transposedWeight = (key: string): string => {
    const tensor = weights.get(prefix + key);
    if (!tensor) throw new Error(`bert-to-onnx: checkpoint lacks tensor ${prefix + key}`);
    return graph.floatInitializer(`${key}.T`, [tensor.shape[1], tensor.shape[0]], transpose(tensor));
  };

  const hidden = config.hidden_size;
  const heads = config.num_attention_heads;
  const headSize = hidden / heads;
  const one = graph.floatConstant('one', [1]);
  const splitHeads = graph.int64Constant('split_heads_shape', [0, 0, heads, headSize]);
  const mergeHeads = graph.int64Constant('merge_heads_shape', [0, 0, hidden]);

  const layerNorm = (input: string, key: string): string =>
    graph.node('LayerNormalization', [input, weight(`${key}.weight`), weight(`${key}.bias`)], { axis: -1, epsilon: config.layer_norm_eps });
  const floatLinear = (input: string, key: string): string =>
    graph.node('Add', [graph.node('MatMul', [input, transposedWeight(`${key}.weight`)]), weight(`${key}.bias`)]);
  // The pattern onnxruntime's optimizer fuses into MatMulIntegerToFloat / DynamicQuantizeMatMul
  // (int8 kernels, float in and out). Query, key and value share one quantization of their input.
  const quantizedInputs = new Map<string, string[]>();
  const quantizedLinear = (input: string, key: string): string => {
    const tensor = weights.get(`${prefix}${key}.weight`);
    if (!tensor) throw new Error(`bert-to-onnx: checkpoint lacks tensor ${prefix}${key}.weight`);
    const [outputs, inputs] = tensor.shape;
    const { values, scales } = quantizePerColumn(transpose(tensor), inputs, outputs);
    const quantizedWeight = graph.int8Initializer(`${key}.weight.T.int8`, [inputs, outputs], values);
    const weightZeroPoint = graph.int8Initializer(`${key}.weight.zero_point`, [outputs], new Int8Array(outputs));
    const weightScale = graph.floatInitializer(`${key}.weight.scale`, [outputs], scales);
    if (!quantizedInputs.has(input)) quantizedInputs.set(input, graph.multiOutputNode('DynamicQuantizeLinear', [input], 3));
    const [quantizedInput, inputScale, inputZeroPoint] = quantizedInputs.get(input)!;
    const product = graph.node('MatMulInteger', [quantizedInput, quantizedWeight, inputZeroPoint, weightZeroPoint]);
    const scale = graph.node('Mul', [inputScale, weightScale]);
    const dequantized = graph.node('Mul', [graph.node('Cast', [product], { to: ONNX_FLOAT }), scale]);
    return graph.node('Add', [dequantized, weight(`${key}.bias`)]);
  };
  const linear = precision === 'int8' ? quantizedLinear : floatLinear;

  // Embeddings: word + position (0..seq-1) + token type, then LayerNorm.
  const sequenceLength = graph.node('Gather', [graph.node('Shape', ['input_ids']), graph.int64Constant('one_index', [1], true)], { axis: 0 });
  const positions = graph.node('Range', [graph.int64Constant('zero', [0], true), sequenceLength, graph.int64Constant('step', [1], true)]);
  let x = graph.node('Add', [
    graph.node('Gather', [weight('embeddings.word_embeddings.weight'), 'input_ids']),
    graph.node('Gather', [weight('embeddings.position_embeddings.weight'), positions]),
  ]);
  x = graph.node('Add', [x, graph.node('Gather', [weight('embeddings.token_type_embeddings.weight'), 'token_type_ids'])]);
  x = layerNorm(x, 'embeddings.LayerNorm');

  // Padding positions get -10000 added to their attention scores (as BertModel does).
  const mask = graph.node('Cast', [graph.node('Unsqueeze', ['attention_mask', graph.int64Constant('mask_axes', [1, 2])])], { to: ONNX_FLOAT });
  const attentionBias = graph.node('Mul', [graph.node('Sub', [one, mask]), graph.floatConstant('mask_penalty', [-10000])]);
  const scale = graph.floatConstant('attention_scale', [1 / Math.sqrt(headSize)]);
  const half = graph.floatConstant('half', [0.5]);
  const sqrt2 = graph.floatConstant('sqrt2', [Math.SQRT2]);

  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const key = `encoder.layer.${layer}`;
    const toHeads = (input: string, perm: number[]): string =>
      graph.node('Transpose', [graph.node('Reshape', [input, splitHeads])], { perm });
    const query = toHeads(linear(x, `${key}.attention.self.query`), [0, 2, 1, 3]);
    const keyT = toHeads(linear(x, `${key}.attention.self.key`), [0, 2, 3, 1]);
    const value = toHeads(linear(x, `${key}.attention.self.value`), [0, 2, 1, 3]);
    const scores = graph.node('Add', [graph.node('Mul', [graph.node('MatMul', [query, keyT]), scale]), attentionBias]);
    const probabilities = graph.node('Softmax', [scores], { axis: -1 });
    const context = graph.node('Reshape', [graph.node('Transpose', [graph.node('MatMul', [probabilities, value])], { perm: [0, 2, 1, 3] }), mergeHeads]);
    x = layerNorm(graph.node('Add', [linear(context, `${key}.attention.output.dense`), x]), `${key}.attention.output.LayerNorm`);
    const intermediate = linear(x, `${key}.intermediate.dense`);
    // GELU(x) = x (1 + erf(x / sqrt 2)) * 0.5, in the order PyTorch exports it: onnxruntime's
    // optimizer fuses exactly this pattern into one (Bias)Gelu kernel (about 10% of the run time).
    const gelu = graph.node('Mul', [
      graph.node('Mul', [intermediate, graph.node('Add', [graph.node('Erf', [graph.node('Div', [intermediate, sqrt2])]), one])]),
      half,
    ]);
    x = layerNorm(graph.node('Add', [linear(gelu, `${key}.output.dense`), x]), `${key}.output.LayerNorm`);
  }
  graph.node('Identity', [x], {}, 'last_hidden_state');

  const tokenInput = (inputName: string) => ({
    name: inputName,
    type: { tensor_type: { elem_type: ONNX_INT64, shape: { dim: [{ dim_param: 'batch' }, { dim_param: 'sequence' }] } } },
  });
  return encodeOnnxModel({
    ir_version: 8,
    producer_name: 'behavior-segmentation bert-to-onnx',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map(tokenInput),
      output: [{
        name: 'last_hidden_state',
        type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: [{ dim_param: 'batch' }, { dim_param: 'sequence' }, { dim_value: hidden }] } } },
      }],
    },
  });
}

function transpose(tensor: NamedTensor): Float32Array {
  const [rows, cols] = tensor.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = tensor.data[r * cols + c];
  return out;
}

type AttributeValue = number | number[];

/** Collects nodes and initializers; every node output gets a fresh name unless one is given. */
class GraphBuilder {
  nodes: Array<Record<string, unknown>> = [];
  initializers: Array<Record<string, unknown>> = [];
  private initializerNames = new Set<string>();
  private counter = 0;

  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const name = output ?? `${opType.toLowerCase()}_${++this.counter}`;
    this.nodes.push({
      op_type: opType,
      name,
      input: inputs,
      output: [name],
      attribute: Object.entries(attributes).map(([attributeName, value]) => toAttribute(attributeName, value)),
    });
    return name;
  }

  floatInitializer(name: string, dims: number[], data: Float32Array): string {
    if (this.initializerNames.has(name)) return name;
    this.initializerNames.add(name);
    this.initializers.push({ name, dims, data_type: ONNX_FLOAT, raw_data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  int8Initializer(name: string, dims: number[], data: Int8Array): string {
    if (this.initializerNames.has(name)) return name;
    this.initializerNames.add(name);
    this.initializers.push({ name, dims, data_type: ONNX_INT8, raw_data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** A node with several outputs (DynamicQuantizeLinear: values, scale, zero point). */
  multiOutputNode(opType: string, inputs: string[], outputs: number): string[] {
    const base = `${opType.toLowerCase()}_${++this.counter}`;
    const names = Array.from({ length: outputs }, (_, i) => `${base}_${i}`);
    this.nodes.push({ op_type: opType, name: base, input: inputs, output: names, attribute: [] });
    return names;
  }

  floatConstant(name: string, values: number[]): string {
    return this.floatInitializer(name, [], Float32Array.from(values));
  }

  /** An int64 tensor; `scalar` gives it rank 0 (Range and Gather indices want scalars). */
  int64Constant(name: string, values: number[], scalar = false): string {
    if (this.initializerNames.has(name)) return name;
    this.initializerNames.add(name);
    const data = BigInt64Array.from(values.map(BigInt));
    this.initializers.push({ name, dims: scalar ? [] : [values.length], data_type: ONNX_INT64, raw_data: Buffer.from(data.buffer) });
    return name;
  }
}

function toAttribute(name: string, value: AttributeValue): Record<string, unknown> {
  if (Array.isArray(value)) return { name, type: ATTRIBUTE_INTS, ints: value };
  if (Number.isInteger(value) && name !== 'epsilon') return { name, type: ATTRIBUTE_INT, i: value };
  return { name, type: ATTRIBUTE_FLOAT, f: value };
}
