/**
 * How onnxruntime realises a QDQ node group, for the `qdq` arithmetic (the meaning of
 * the QDQ file as onnxruntime computes it, at its default optimisation level):
 *
 * - a group whose operands and output are all 8-bit of one signedness is fused into
 *   an integer kernel (QLinearConv, QLinearMatMul, QGemm, QLinearAdd, QLinearMul,
 *   QLinearConcat): the emulator's integer kernels repeat that arithmetic. onnxruntime's
 *   CPU provider has no such fusion for ConvTranspose and runs it in float; the
 *   emulator's exact integer ConvTranspose differs from that only where onnxruntime's
 *   float sum rounds across a tie of the output grid;
 * - any other group (a 16-bit operand or output, mixed types) runs as
 *   DequantizeLinear → float operator → QuantizeLinear: {@linkcode floatRequantStep}
 *   dequantizes in float32 (constants from their codes), runs the float operator in
 *   onnxruntime's rounding order where `ort_float.ts` has it, and quantizes into the
 *   target's parameters and bounds (a fused Relu/Clip is monotone, so clamping the codes
 *   equals quantizing the activation's result).
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { Tensor } from "../ir/tensor.ts";
import type { PreparedNode } from "../ops/op.ts";
import type { QType } from "./numeric.ts";
import { dequantizeConstant, dequantizeTensor, type QParams, quantizeTensor } from "./codes.ts";
import type { QuantModel } from "./quant_model.ts";
import type { IntegerKernelId } from "./op_capabilities.ts";
import { type FloatRun, onnxruntimeFloat } from "./ort_float.ts";
import { type PrepareContext, step } from "./emulator_steps.ts";
import type { Target } from "./integer_steps.ts";

const EIGHT_BIT: ReadonlySet<QType> = new Set(["U8", "S8"]);

/**
 * True when onnxruntime fuses the group of `kernel` into an integer kernel: every
 * quantized activation operand and the output share one 8-bit type.
 */
export function onnxruntimeRunsInteger(
  kernel: IntegerKernelId,
  inQ: readonly (QParams | undefined)[],
  output: QParams,
): boolean {
  if (kernel === "sub" || kernel === "global-average-pool") return false;
  const types = [
    output.qtype,
    ...inQ.filter((p): p is QParams => p !== undefined).map((p) => p.qtype),
  ];
  return EIGHT_BIT.has(output.qtype) && types.every((t) => t === output.qtype);
}

/**
 * Per input index, the float values of the node's coded constants (weights, biases) as
 * DequantizeLinear gives them; undefined for other inputs.
 */
export function dequantizedConstants(node: Node, q: QuantModel): (Tensor | undefined)[] {
  return node.inputs.map((name) => {
    const c = name ? q.constants.get(name) : undefined;
    const init = name ? q.model.graph.initializers.get(name) : undefined;
    return c && init ? dequantizeConstant(init.shape, c) : undefined;
  });
}

/** The node's float kernel in the arithmetic's rounding: onnxruntime's order for `qdq`. */
export function floatRunOf(node: Node, fk: PreparedNode, c: PrepareContext): FloatRun {
  const own: FloatRun = (inputs, ctx) => fk.run(inputs, ctx);
  if (c.arithmetic !== "qdq") return own;
  const ort = onnxruntimeFloat(node, c.opset, own);
  return ort ?? own;
}

/**
 * The group as DequantizeLinear → float operator → QuantizeLinear into `target` (its
 * parameters and code bounds).
 */
export function floatRequantStep(
  node: Node,
  fk: PreparedNode,
  inQ: readonly (QParams | undefined)[],
  target: Target,
  c: PrepareContext,
): PreparedNode {
  const constants = dequantizedConstants(node, c.q);
  const run = floatRunOf(node, fk, c);
  const { lo, hi } = target.t;
  return step(node, fk, (inputs, ctx) => {
    const real = inputs.map((t, i) =>
      constants[i] ?? (t && inQ[i] ? dequantizeTensor(t, inQ[i]!) : t)
    );
    const codes = quantizeTensor(run(real, ctx)[0], target.params);
    const v = codes.data;
    for (let i = 0; i < v.length; i++) v[i] = v[i] < lo ? lo : v[i] > hi ? hi : v[i];
    return [new Tensor("f32", codes.shape, v)];
  });
}
