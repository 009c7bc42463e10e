/**
 * The operator capability table: per ONNX operator type, how quantization treats it.
 * The quantizer (fusion, shared parameters, weight axes), the QDQ reader (derived
 * states), the emulator's dispatch and the cost models read this one table, so they
 * cannot disagree about an operator.
 *
 * - `scales`: `shared` operators move or select data without changing values; their
 *   output reuses their input's parameters (state OVERLAPPED) and they run on codes.
 * - `integer`: the emulator's integer kernel ({@linkcode IntegerKernelId}), and whether
 *   the kernel can requantize straight into a following Relu/Clip (fusion). A producer
 *   cannot be fusible without a kernel: the type has no place for it.
 * - `lut`: element-wise on one quantized input, so it can run as a lookup table over
 *   every input code (other inputs must be one-element constants).
 * - `boundsActivation`: folds into its producer's requantization as code bounds.
 * - `weight`: which input is a weight quantized S8 per channel (and along which axis,
 *   from the node's typed attributes), which input is its S32 bias.
 * - `fill`: a shared-parameter operator that writes a constant of its own into its output
 *   (Pad in constant mode): the value the quantizer's shared range must cover.
 * - `cost`: the hardware unit class a cost model charges the operator to.
 *
 * Operators not listed have their own parameters, no integer kernel, no table, and
 * cost as vector work. Operators of other domains are not listed.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { asFloat32, type Tensor } from "../ir/tensor.ts";
import { parseGemmAttrs } from "../ops/nn/matmul.ts";

/** Ids of the emulator's integer kernels (implemented in `integer_steps.ts`). */
export type IntegerKernelId =
  | "conv"
  | "conv-transpose"
  | "gemm"
  | "matmul"
  | "add"
  | "sub"
  | "mul"
  | "global-average-pool"
  | "concat";

/** Hardware unit class a cost model charges an operator to. */
export type CostClass =
  /** the MAC array (convolutions, matrix products) */
  | "conv"
  /** the vector unit (element-wise, pooling, reductions, normalizations) */
  | "vector"
  /** data movement (layout changes, gathers, resampling) */
  | "move"
  /** folded into its neighbours by the compiler: no work of its own */
  | "folded";

/** Where a weighted operator keeps its per-channel weight and its bias. */
export interface WeightRule {
  /** Input index of the weight. */
  readonly input: number;
  /** Input index of the bias (S32, scale `s_x · s_w[c]`), when the operator has one. */
  readonly bias?: number;
  /**
   * Output-channel axis of the weight, or undefined when this node's form has no
   * per-channel weight (e.g. a Gemm with `alpha ≠ 1`).
   */
  axis(node: Node, weightShape: readonly number[]): number | undefined;
}

/** What quantization knows about one operator type. */
export interface OpCapabilities {
  /** `shared`: the output reuses the input's parameters; `own`: it gets its own. */
  readonly scales: "own" | "shared";
  /** The integer kernel; `fusesActivation` when it may requantize into a Relu/Clip. */
  readonly integer?: { readonly kernel: IntegerKernelId; readonly fusesActivation: boolean };
  /** Runs as a lookup table over the codes of its one quantized input. */
  readonly lut: boolean;
  /** Folds into its producer's requantization as code bounds (Relu, Clip). */
  readonly boundsActivation: boolean;
  /** Per-channel weight and bias inputs. */
  readonly weight?: WeightRule;
  /**
   * The constant a shared-parameter node writes into its output besides its input's values
   * (undefined when it writes none), given the node's opset and its constant inputs.
   */
  readonly fill?: (
    node: Node,
    opset: number,
    constant: (name: string) => Tensor | undefined,
  ) => number | undefined;
  /** Unit class for cost models. */
  readonly cost: CostClass;
}

const NONE: OpCapabilities = {
  scales: "own",
  lut: false,
  boundsActivation: false,
  cost: "vector",
};

function op(c: Partial<OpCapabilities>): OpCapabilities {
  return { ...NONE, ...c };
}

const shared = (cost: CostClass = "move") => op({ scales: "shared", cost });
const lut = op({ lut: true });

const CONV_WEIGHT: WeightRule = { input: 1, bias: 2, axis: () => 0 };
/** ConvTranspose weights are [C_in, C_out/group, kernel…]: output channels on axis 1. */
const CONV_TRANSPOSE_WEIGHT: WeightRule = { input: 1, bias: 2, axis: () => 1 };
/** Per-column weights only for the plain product `A · op(B) + C` of 2-D matrices. */
const GEMM_WEIGHT: WeightRule = {
  input: 1,
  bias: 2,
  axis(node, shape) {
    const a = parseGemmAttrs(attrReader(node.attrs, node.name, node.opType));
    if (a.alpha !== 1 || a.beta !== 1 || a.transA || shape.length !== 2) return undefined;
    return a.transB ? 0 : 1;
  },
};
const MATMUL_WEIGHT: WeightRule = {
  input: 1,
  axis: (_node, shape) => (shape.length === 2 ? 1 : undefined),
};

/**
 * Pad's fill value: the `constant_value` input (opset 11 on) or the `value` attribute
 * (before), 0 when absent; none in the reflect, edge and wrap modes, which copy input values.
 */
function padFill(
  node: Node,
  opset: number,
  constant: (name: string) => Tensor | undefined,
): number | undefined {
  const a = attrReader(node.attrs, node.name, node.opType);
  if (a.string("mode", "constant") !== "constant") return undefined;
  if (opset < 11) return a.float("value", 0);
  const name = node.inputs[2];
  const t = name ? constant(name) : undefined;
  return t && t.size > 0 ? asFloat32(t)[0] : 0;
}

const TABLE: Readonly<Record<string, OpCapabilities>> = {
  // MAC-array operators with per-channel weights
  Conv: op({
    integer: { kernel: "conv", fusesActivation: true },
    weight: CONV_WEIGHT,
    cost: "conv",
  }),
  ConvTranspose: op({
    integer: { kernel: "conv-transpose", fusesActivation: true },
    weight: CONV_TRANSPOSE_WEIGHT,
    cost: "conv",
  }),
  Gemm: op({
    integer: { kernel: "gemm", fusesActivation: true },
    weight: GEMM_WEIGHT,
    cost: "conv",
  }),
  MatMul: op({
    integer: { kernel: "matmul", fusesActivation: true },
    weight: MATMUL_WEIGHT,
    cost: "conv",
  }),
  // arithmetic: an integer kernel on two quantized activations, a table with a constant
  Add: op({ integer: { kernel: "add", fusesActivation: true }, lut: true }),
  Sub: op({ integer: { kernel: "sub", fusesActivation: false }, lut: true }),
  Mul: op({ integer: { kernel: "mul", fusesActivation: false }, lut: true }),
  Div: lut,
  Pow: lut,
  GlobalAveragePool: op({ integer: { kernel: "global-average-pool", fusesActivation: false } }),
  Concat: op({ integer: { kernel: "concat", fusesActivation: false }, cost: "move" }),
  // activations folded into their producer as bounds, else tables
  Relu: op({ lut: true, boundsActivation: true }),
  Clip: op({ lut: true, boundsActivation: true }),
  // element-wise functions of one input
  Sigmoid: lut,
  Tanh: lut,
  HardSigmoid: lut,
  HardSwish: lut,
  LeakyRelu: lut,
  PRelu: lut,
  Elu: lut,
  Selu: lut,
  Celu: lut,
  Gelu: lut,
  Erf: lut,
  Exp: lut,
  Log: lut,
  Sqrt: lut,
  Reciprocal: lut,
  Neg: lut,
  Abs: lut,
  Softplus: lut,
  Softsign: lut,
  Silu: lut,
  Swish: lut,
  Mish: lut,
  Sin: lut,
  Cos: lut,
  Floor: lut,
  Ceil: lut,
  Round: lut,
  Sign: lut,
  ThresholdedRelu: lut,
  Shrink: lut,
  InverseSigmoid: lut,
  // data movement and order-preserving selection: parameters shared with the input
  Reshape: shared(),
  Flatten: shared(),
  Squeeze: shared(),
  Unsqueeze: shared(),
  Transpose: shared(),
  Slice: shared(),
  Gather: shared(),
  Split: shared(),
  DepthToSpace: shared(),
  SpaceToDepth: shared(),
  Tile: shared(),
  Expand: shared(),
  Pad: op({ scales: "shared", cost: "move", fill: padFill }),
  Identity: shared("folded"),
  MaxPool: shared("vector"),
  GlobalMaxPool: shared("vector"),
  ReduceMax: shared("vector"),
  ReduceMin: shared("vector"),
  // data movement with new values (interpolation)
  Resize: op({ cost: "move" }),
  GridSample: op({ cost: "move" }),
  // recurrent operators: every output (Y, Y_h, Y_c) and every state input (initial_h,
  // initial_c) is a tensor with its own parameters, so a state fed back between calls keeps
  // its own scale; the gates compute in float inside (no integer kernel yet)
  LSTM: op({}),
  GRU: op({}),
  RNN: op({}),
  // quantization bookkeeping and inference no-ops
  QuantizeLinear: op({ cost: "folded" }),
  DequantizeLinear: op({ cost: "folded" }),
  Dropout: op({ cost: "folded" }),
};

/** Every listed operator type with its capabilities (for tests and documentation). */
export function listedCapabilities(): [string, OpCapabilities][] {
  return Object.entries(TABLE);
}

/**
 * Capabilities of a default-domain operator type, by name alone. Cost models use this
 * for every domain, since the `com.microsoft` QuantizeLinear/DequantizeLinear of 16-bit
 * QDQ graphs cost what the default-domain ones do.
 */
export function opCapabilities(opType: string): OpCapabilities {
  return Object.hasOwn(TABLE, opType) ? TABLE[opType] : NONE;
}

/** Capabilities of a node: its operator's when it is in the default domain, else none. */
export function nodeCapabilities(node: Node): OpCapabilities {
  return node.domain === "" ? opCapabilities(node.opType) : NONE;
}
