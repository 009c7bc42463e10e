/**
 * The work one node of an NPU subgraph asks of the hardware, read from the node's
 * attributes and the inferred types of `TargetSubgraph.types`: which IP runs it, its
 * multiply-accumulates (MACs), vector-unit or data-movement elements, its constant (weight)
 * bytes and its activation inputs/outputs. No timing here: `model.ts` turns work into cycles.
 *
 * Element counts take every numeric dim; symbolic or unknown dims (`N`, `null`) count as 1,
 * so the types describe one sample and the cost model multiplies by the batch.
 *
 * @module
 */
import type { Node } from "../../../core/ir/graph.ts";
import type { Dim } from "../../../core/ir/types.ts";
import { attrReader } from "../../../core/ir/attribute.ts";
import type { ParseContext } from "../../../core/ops/op.ts";
import { parseConvAttrs } from "../../../core/ops/nn/conv.ts";
import { parseConvTransposeAttrs } from "../../../core/ops/nn/conv_transpose.ts";
import { parseGemmAttrs } from "../../../core/ops/nn/matmul.ts";
import { parsePoolAttrs } from "../../../core/ops/nn/pool.ts";
import { type CostClass, opCapabilities } from "../../../core/quant/op_capabilities.ts";
import type { TargetSubgraph } from "../../target.ts";

/** NPU IP that executes a node (names as in the pulsar2 trace, spec `pulsar2-build.md` §6.5). */
export type ComputeUnit = "conv" | "teng" | "cv" | "none";

/** Work of one node, per sample. */
export interface OpWork {
  readonly node: Node;
  readonly unit: ComputeUnit;
  /** Multiply-accumulates (conv unit). */
  readonly macs: number;
  /** Fraction of the MAC array's lanes the op's channel shape can fill, in (0, 1]. */
  readonly laneUtilisation: number;
  /** Elements the vector unit (teng) processes, passes included. */
  readonly vectorElements: number;
  /** Elements the cv unit moves. */
  readonly moveElements: number;
  /** Bytes of constant inputs (weights S8, Conv/Gemm bias S32), loaded from DDR once per run. */
  readonly weightBytes: number;
  /** Non-constant input value names (activations). */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Elements of each output (per sample). */
  readonly outputElements: number;
  /** Elements of all activation inputs (per sample). */
  readonly inputElements: number;
}

/** MAC array shape used to compute lane utilisation. */
export interface LaneShape {
  readonly rows: number;
  readonly cols: number;
  /** Kernel taps folded into idle reduction lanes when Cin/group < cols (1 = no folding). */
  readonly kernelFold: number;
}

/** The IP of each cost class of the operator capability table. */
const UNIT_OF_CLASS: Readonly<Record<CostClass, ComputeUnit>> = {
  conv: "conv",
  vector: "teng",
  move: "cv",
  folded: "none",
};

/** The IP that runs `opType` (by name in any domain: 16-bit QDQ uses com.microsoft Q/DQ). */
export function unitOf(opType: string): ComputeUnit {
  return UNIT_OF_CLASS[opCapabilities(opType).cost];
}
/** Vector passes over the data for multi-pass ops (max, exp+sum, scale; mean, var, scale). */
const VECTOR_PASSES: Readonly<Record<string, number>> = {
  Softmax: 3,
  LogSoftmax: 3,
  LayerNormalization: 3,
  InstanceNormalization: 3,
  GroupNormalization: 3,
  RMSNormalization: 2,
  LpNormalization: 2,
};

/** Number of elements of a shape; non-numeric dims count as 1, unknown rank as 0. */
export function elementsOf(shape: readonly Dim[] | undefined): number {
  if (!shape) return 0;
  let n = 1;
  for (const d of shape) n *= typeof d === "number" ? d : 1;
  return n;
}

/** Numeric dims of a shape (non-numeric → 1); empty when the rank is unknown. */
export function dimsOf(shape: readonly Dim[] | undefined): number[] {
  return shape ? shape.map((d) => (typeof d === "number" ? d : 1)) : [];
}

/** Typed-attribute parsing of `node` with the subgraph's opset. */
function parsing(sub: TargetSubgraph, node: Node) {
  const reader = attrReader(node.attrs, node.name || node.opType, node.opType);
  const ctx: ParseContext = { opset: sub.opset, node };
  return { reader, ctx };
}

/** Fill fraction of `n` items on `lanes` lanes: n / (ceil(n / lanes) · lanes). */
export function alignment(n: number, lanes: number): number {
  if (n <= 0 || lanes <= 0) return 1;
  return n / (Math.ceil(n / lanes) * lanes);
}

function isConstant(sub: TargetSubgraph, name: string): boolean {
  return sub.graph.initializers.has(name);
}

/** Names as the op sees them after skipping folded ops (`DequantizeLinear(w)` reads as `w`). */
export type Aliases = ReadonlyMap<string, string>;

function shapeOf(sub: TargetSubgraph, name: string | undefined): number[] {
  return name ? dimsOf(sub.types.get(name)?.shape) : [];
}

/** MACs and lane utilisation of a conv-unit node. */
function convWork(sub: TargetSubgraph, node: Node, lanes: LaneShape): [number, number] {
  const outShape = shapeOf(sub, node.outputs[0]);
  const outElems = elementsOf(outShape);
  const { reader, ctx } = parsing(sub, node);
  if (node.opType === "Conv") {
    const w = shapeOf(sub, node.inputs[1]);
    const { group } = parseConvAttrs(reader, ctx);
    const cinG = w[1] ?? 1;
    const kernel = w.slice(2).reduce((p, d) => p * d, 1);
    const cout = w[0] ?? outShape[1] ?? 1;
    const depthwise = cinG === 1 && group > 1;
    // Reduction lanes take Cin/group channels; when fewer than cols (depthwise: one input
    // lane), up to `kernelFold` kernel taps spread over the idle lanes.
    const colUtil = cinG < lanes.cols
      ? Math.min(lanes.cols, cinG * Math.min(kernel, lanes.kernelFold)) / lanes.cols
      : alignment(cinG, lanes.cols);
    const rowUtil = alignment(depthwise ? cout : cout / group, lanes.rows);
    return [outElems * cinG * kernel, rowUtil * colUtil];
  }
  if (node.opType === "ConvTranspose") {
    const w = shapeOf(sub, node.inputs[1]);
    const { group } = parseConvTransposeAttrs(reader, ctx);
    const inElems = elementsOf(shapeOf(sub, node.inputs[0]));
    const coutG = w[1] ?? 1;
    const kernel = w.slice(2).reduce((p, d) => p * d, 1);
    const cinG = (w[0] ?? 1) / group;
    return [
      inElems * coutG * kernel,
      alignment(coutG, lanes.rows) * alignment(cinG, lanes.cols),
    ];
  }
  const a = shapeOf(sub, node.inputs[0]);
  let k: number;
  if (node.opType === "Gemm") {
    k = parseGemmAttrs(reader).transA ? a[0] ?? 1 : a[1] ?? 1;
  } else {
    k = a[a.length - 1] ?? 1;
  }
  const n = outShape[outShape.length - 1] ?? 1;
  return [outElems * k, alignment(n, lanes.rows) * alignment(k, lanes.cols)];
}

/** Vector elements of a teng node: pooling reads its window, multi-pass ops pass several times. */
function vectorElements(sub: TargetSubgraph, node: Node, inElems: number, outElems: number) {
  switch (node.opType) {
    case "MaxPool":
    case "AveragePool":
    case "LpPool": {
      const { reader, ctx } = parsing(sub, node);
      return outElems * parsePoolAttrs(reader, ctx).kernel.reduce((p, d) => p * d, 1);
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool":
    case "ReduceMean":
    case "ReduceSum":
    case "ReduceMax":
    case "ReduceMin":
    case "ReduceL2":
      return Math.max(inElems, outElems);
    default: {
      const passes = VECTOR_PASSES[node.opType] ?? 1;
      const first = elementsOf(sub.types.get(node.inputs[0] ?? "")?.shape);
      return passes * Math.max(outElems, first);
    }
  }
}

/**
 * Work of one node.
 *
 * @param sub the subgraph (types and initializers)
 * @param node the node
 * @param lanes MAC array shape (for lane utilisation)
 * @param aliases value renames through folded ops (quantise/dequantise), applied to inputs
 */
export function opWork(
  sub: TargetSubgraph,
  node: Node,
  lanes: LaneShape,
  aliases: Aliases = new Map(),
): OpWork {
  const real = node.inputs.map((i) => aliases.get(i) ?? i);
  const inputs = real.filter((i) => i !== "" && !isConstant(sub, i));
  let weightBytes = 0;
  const biasInput = opCapabilities(node.opType).weight?.bias;
  real.forEach((i, k) => {
    if (i === "" || !isConstant(sub, i)) return;
    const n = elementsOf(sub.types.get(i)?.shape ?? sub.graph.initializers.get(i)?.shape);
    weightBytes += n * (k === biasInput ? 4 : 1);
  });
  const outputs = node.outputs.filter((o) => o !== "");
  const outputElements = outputs.reduce((s, o) => s + elementsOf(sub.types.get(o)?.shape), 0);
  const inputElements = inputs.reduce((s, i) => s + elementsOf(sub.types.get(i)?.shape), 0);
  const base = { node, inputs, outputs, outputElements, inputElements, weightBytes };
  const none = { macs: 0, laneUtilisation: 1, vectorElements: 0, moveElements: 0 };
  const unit = unitOf(node.opType);
  if (unit === "none") return { ...base, ...none, unit, weightBytes: 0 };
  if (unit === "conv") {
    const [macs, util] = convWork(sub, node, lanes);
    return { ...base, ...none, unit, macs, laneUtilisation: util };
  }
  if (unit === "cv") return { ...base, ...none, unit, moveElements: outputElements };
  return {
    ...base,
    ...none,
    unit: "teng",
    vectorElements: vectorElements(sub, node, inputElements, outputElements),
  };
}
