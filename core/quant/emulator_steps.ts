/**
 * What the emulator's node steps share: the preparation context, the requantization
 * target of a node (following a fused Relu/Clip), and lookup tables for element-wise
 * operators on one quantized input. The integer kernels are in `integer_steps.ts`.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { KernelContext, PreparedNode } from "../ops/op.ts";
import { attrReader } from "../ir/attribute.ts";
import { parseClipAttrs } from "../ops/elementwise/clip.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import { QRANGE, roundHalfEven } from "./numeric.ts";
import type { Arithmetic, RequantTarget } from "./int_kernels.ts";
import { type QParams, quantizeTensor } from "./codes.ts";

/** Which path a node took (for reports and tests). */
export type EmulationPath = "fused" | "integer" | "passive" | "table" | "float-inside" | "float";

/** What node preparation knows about the model. */
export interface PrepareContext {
  arithmetic: Arithmetic;
  /** Default-domain opset of the model (every node the emulator parses is in it). */
  opset: number;
  q: QuantModel;
  g: Graph;
  model: Model;
  consumers: Map<string, Node[]>;
  producers: Map<string, Node>;
  paths: Map<string, EmulationPath>;
}

/** A step function of the executor. */
export type Run = (inputs: readonly (Tensor | undefined)[], ctx: KernelContext) => Tensor[];

/** A prepared node that infers like the float kernel and runs `run`. */
export function step(node: Node, floatKernel: PreparedNode, run: Run): PreparedNode {
  return { node, infer: (c) => floatKernel.infer(c), run };
}

/** Output parameters and code bounds, following a fused Relu/Clip when there is one. */
export function requantTarget(
  node: Node,
  own: QParams | undefined,
  c: PrepareContext,
): { params: QParams; t: RequantTarget } | undefined {
  const out = node.outputs[0];
  if (!out) return undefined;
  if (!c.q.fused.has(out)) {
    if (!own) return undefined;
    const r = QRANGE[own.qtype];
    return { params: own, t: { zeroPoint: own.zeroPoint, lo: r.min, hi: r.max } };
  }
  const act = (c.consumers.get(out) ?? [])[0];
  const p = act?.outputs[0] ? activationParams(c.q, act.outputs[0]) : undefined;
  if (!act || !p) return undefined;
  const r = QRANGE[p.qtype];
  let lo = r.min;
  let hi = r.max;
  if (act.opType === "Relu") lo = Math.max(lo, p.zeroPoint);
  else {
    const [minV, maxV] = clipBounds(act, c);
    if (minV !== undefined) lo = Math.max(lo, roundHalfEven(minV / p.scale) + p.zeroPoint);
    if (maxV !== undefined) hi = Math.min(hi, roundHalfEven(maxV / p.scale) + p.zeroPoint);
  }
  return { params: p, t: { zeroPoint: p.zeroPoint, lo, hi } };
}

/** A fused Clip's constant bounds (attributes before opset 11, inputs after). */
function clipBounds(act: Node, c: PrepareContext): [number | undefined, number | undefined] {
  const r = attrReader(act.attrs, act.name || act.opType, act.opType);
  const a = parseClipAttrs(r, { opset: c.opset, node: act });
  if (!a.fromInputs) return [a.attrMin, a.attrMax];
  const input = (i: number) => {
    const t = act.inputs[i] ? c.g.initializers.get(act.inputs[i]) : undefined;
    return t ? asFloat32(t)[0] : undefined;
  };
  return [input(1), input(2)];
}

/**
 * A lookup table over every code of the quantized first input (256 entries for 8-bit,
 * 65536 for 16-bit), built on first use from `run` (the float kernel, or onnxruntime's
 * rounding of it in the `qdq` arithmetic). The other inputs are
 * one-element constants (`tableApplies`); they enter the float kernel as scalars, so the
 * table keeps the input's rank-1 shape whatever their rank.
 */
export function tableStep(
  node: Node,
  fk: PreparedNode,
  x: QParams,
  y: QParams,
  run: (inputs: readonly (Tensor | undefined)[], ctx: KernelContext) => Tensor[] = (i, ctx) =>
    fk.run(i, ctx),
): PreparedNode {
  const { min, max } = QRANGE[x.qtype];
  let table: Float32Array | undefined;
  const build = (ctx: KernelContext, inputs: readonly (Tensor | undefined)[]) => {
    const n = max - min + 1;
    const real = new Float32Array(n);
    for (let i = 0; i < n; i++) real[i] = (min + i - x.zeroPoint) * x.scale;
    const scalars = inputs.slice(1).map((t) => t?.reshape([]));
    const out = quantizeTensor(run([new Tensor("f32", [n], real), ...scalars], ctx)[0], y);
    return out.data;
  };
  return step(node, fk, (inputs, ctx) => {
    table ??= build(ctx, inputs);
    const v = asFloat32(inputs[0]!);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = table[v[i] - min];
    return [new Tensor("f32", inputs[0]!.shape, out)];
  });
}
