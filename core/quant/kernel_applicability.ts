/**
 * When an integer kernel, a lookup table or a fused Relu/Clip applies to a node. One
 * check per kernel id, asked by everyone who must agree with the kernel:
 *
 * - the quantizer, before any parameter exists, about the model it is about to produce
 *   (fusion is decided here: a producer folds a Relu/Clip into its requantization only
 *   when its kernel accepts the node in both arithmetics, `qdq` and `npu`, since a
 *   quantized model is emulated in both);
 * - the QDQ reader, deriving fused tensors of a model without axb's metadata;
 * - the emulator, choosing each node's path.
 *
 * Each asks through an {@linkcode Operand} view of the node's inputs, so the conditions
 * are written once, here.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { parseGemmAttrs } from "../ops/nn/matmul.ts";
import { parseConvTransposeAttrs } from "../ops/nn/conv_transpose.ts";
import type { Arithmetic } from "./int_kernels.ts";
import { type IntegerKernelId, nodeCapabilities } from "./op_capabilities.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";

/** How one input of a node is (or will be) represented in the quantized model. */
export type Operand =
  /** an omitted optional input */
  | { readonly kind: "absent" }
  /** a run-time value kept in float (FP32 precision, or not a float tensor at all) */
  | { readonly kind: "float" }
  /** a run-time value quantized per tensor */
  | { readonly kind: "activation" }
  /** an initializer; `codes` when it is stored as integer codes (with their channel axis) */
  | {
    readonly kind: "constant";
    readonly shape: readonly number[];
    readonly codes?: { readonly axis?: number };
  };

/** What a kernel's applicability depends on. */
export interface KernelQuery {
  /** The node (its typed attributes are parsed where a kernel needs them). */
  readonly node: Node;
  /** Opset of the node's domain in the model. */
  readonly opset: number;
  /** One entry per node input. */
  readonly operands: readonly Operand[];
  /** The value the kernel requantizes into (its output, or its fused activation's) is quantized. */
  readonly outputQuantized: boolean;
  /** The arithmetic the kernel would run in. */
  readonly arithmetic: Arithmetic;
}

/** Both arithmetics a quantized model is emulated in. */
export const ARITHMETICS: readonly Arithmetic[] = ["qdq", "npu"];

const isActivation = (o: Operand | undefined): boolean => o?.kind === "activation";

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A constant stored as codes, along `axis` when given. */
function codesAlong(
  o: Operand | undefined,
  axis: number,
): o is Extract<Operand, { kind: "constant" }> {
  return o?.kind === "constant" && o.codes !== undefined && o.codes.axis === axis;
}

/** No bias, or an S32-coded bias of one entry per output channel. */
function biasFits(o: Operand | undefined, channels: number): boolean {
  if (!o || o.kind === "absent") return true;
  return o.kind === "constant" && o.codes !== undefined && elements(o.shape) === channels;
}

/**
 * The requirements of each integer kernel (`integer_steps.ts` implements them and runs
 * only where these hold).
 */
const REQUIREMENTS: Readonly<Record<IntegerKernelId, (q: KernelQuery) => boolean>> = {
  // X quantized, W codes per output channel (axis 0), bias absent or S32 per channel
  conv: ({ operands: [x, w, b] }) => isActivation(x) && codesAlong(w, 0) && biasFits(b, w.shape[0]),
  // W [C, M/group, kernel…] coded along axis 1, bias one entry per output channel M
  "conv-transpose": ({ node, opset, operands: [x, w, b] }) => {
    if (!isActivation(x) || !codesAlong(w, 1)) return false;
    const reader = attrReader(node.attrs, node.name, node.opType);
    const { group } = parseConvTransposeAttrs(reader, { opset, node });
    return biasFits(b, w.shape[1] * group);
  },
  // the plain product X · op(W) + bias with W coded per output column
  gemm: ({ node, operands: [x, w, b] }) => {
    if (!isActivation(x) || w?.kind !== "constant" || w.shape.length !== 2) return false;
    const a = parseGemmAttrs(attrReader(node.attrs, node.name, node.opType));
    if (a.alpha !== 1 || a.beta !== 1 || a.transA) return false;
    const axis = a.transB ? 0 : 1;
    return codesAlong(w, axis) && biasFits(b, w.shape[axis]);
  },
  // X · W with a 2-D W coded per column, or the product of two quantized activations
  matmul: ({ operands: [x, w] }) =>
    isActivation(x) && ((codesAlong(w, 1) && w.shape.length === 2) || isActivation(w)),
  // two quantized activations of any shapes: qdq uses onnxruntime's QLinearAdd arithmetic
  // on equal shapes and the float sum requantized into the same bounds when broadcasting,
  // npu fixed point throughout — so shapes need not be known to decide fusion
  add: ({ operands: [x, y] }) => isActivation(x) && isActivation(y),
  // a QDQ Sub has no integer realisation in onnxruntime: qdq runs it in float
  sub: ({ operands: [x, y], arithmetic }) =>
    arithmetic === "npu" && isActivation(x) && isActivation(y),
  mul: ({ operands: [x, y] }) => isActivation(x) && isActivation(y),
  // onnxruntime averages dequantized floats: qdq runs it in float
  "global-average-pool": ({ operands: [x], arithmetic }) => arithmetic === "npu" && isActivation(x),
  concat: ({ operands }) => operands.length > 0 && operands.every(isActivation),
};

/** True when integer kernel `kernel` computes the node of `q`. */
export function kernelApplies(kernel: IntegerKernelId, q: KernelQuery): boolean {
  return q.outputQuantized && REQUIREMENTS[kernel](q);
}

/**
 * True when `node` runs as a lookup table: a table operator with one output whose first
 * input and output are quantized and whose other inputs are one-element constants.
 */
export function tableApplies(
  node: Node,
  operands: readonly Operand[],
  outputQuantized: boolean,
): boolean {
  if (!nodeCapabilities(node).lut || !outputQuantized || !isActivation(operands[0])) return false;
  if (node.outputs.filter((o) => o).length !== 1) return false;
  return operands.slice(1).every((o) =>
    o.kind === "absent" || (o.kind === "constant" && elements(o.shape) === 1)
  );
}

/**
 * The Relu/Clip that `producer`'s output may fold into: the only reader of an output
 * that is not a graph input or output, a bounds activation whose bounds are constants.
 */
export function fusionPartner(
  g: Graph,
  consumers: ReadonlyMap<string, Node[]>,
  producer: Node,
  operandOf: (name: string) => Operand,
): Node | undefined {
  const out = producer.outputs[0];
  if (!out || g.isBoundary(out)) return undefined;
  const readers = consumers.get(out) ?? [];
  if (readers.length !== 1) return undefined;
  const act = readers[0];
  if (!nodeCapabilities(act).boundsActivation || act.inputs[0] !== out) return undefined;
  const constantBounds = act.inputs.slice(1).every((i) => {
    const k = operandOf(i).kind;
    return k === "absent" || k === "constant";
  });
  return constantBounds ? act : undefined;
}

/**
 * True when `producer` requantizes straight into `act`'s output: its kernel may fuse an
 * activation and accepts the node in every arithmetic.
 */
export function fuses(
  producer: Node,
  act: Node,
  opset: number,
  operandOf: (name: string) => Operand,
): boolean {
  const integer = nodeCapabilities(producer).integer;
  if (!integer?.fusesActivation || !act.outputs[0]) return false;
  const operands = producer.inputs.map(operandOf);
  const outputQuantized = operandOf(act.outputs[0]).kind === "activation";
  return ARITHMETICS.every((arithmetic) =>
    kernelApplies(integer.kernel, { node: producer, opset, operands, outputQuantized, arithmetic })
  );
}

/** How `name` is represented in the quantized model `q`. */
export function quantOperand(q: QuantModel, name: string): Operand {
  if (!name) return { kind: "absent" };
  const init = q.model.graph.initializers.get(name);
  if (init) {
    // the integer kernels take symmetric codes: a constant with other zero points (from a
    // third-party QDQ file) runs in float, dequantized
    const c = q.constants.get(name);
    const symmetric = c?.zeroPoints.every((z) => z === 0);
    return {
      kind: "constant",
      shape: init.shape,
      codes: symmetric ? { axis: c!.axis } : undefined,
    };
  }
  return activationParams(q, name) ? { kind: "activation" } : { kind: "float" };
}
