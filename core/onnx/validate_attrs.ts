/**
 * Attribute ranges the model validator checks before any kernel sees a node, as
 * `onnx.checker` and onnxruntime do: a window (kernel, stride, dilation) of at least one,
 * non-negative pads, one entry per spatial axis, a group of at least one, positive block,
 * hidden and group sizes for the operators that have them, and axis lists within the
 * largest rank axb handles. Shape-dependent limits (a kernel larger than its
 * padded input, an axis past the input's rank) are checked by shape inference, where the
 * shapes are known.
 *
 * @module
 */
import type { Attribute } from "../ir/attribute.ts";
import type { Node } from "../ir/graph.ts";
import { GraphError } from "../errors/mod.ts";

/** Largest size of one dimension axb accepts anywhere (int32, as NPU descriptors hold). */
export const MAX_DIM = 2 ** 31 - 1;

/** Largest tensor rank axb accepts; ONNX sets none, no real model comes near it. */
export const MAX_RANK = 64;

/** Allowed range of every entry of one integer (list) attribute. */
interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** Attributes of the sliding-window operators, by name. */
const WINDOW_ATTRS: Readonly<Record<string, IntRange>> = {
  kernel_shape: { min: 1, max: MAX_DIM },
  strides: { min: 1, max: MAX_DIM },
  dilations: { min: 1, max: MAX_DIM },
  pads: { min: 0, max: MAX_DIM },
  output_padding: { min: 0, max: MAX_DIM },
  output_shape: { min: 1, max: MAX_DIM },
  group: { min: 1, max: MAX_DIM },
};

/** Operators whose attributes follow the window convention (ONNX conv/pool family). */
const WINDOW_OPS: ReadonlySet<string> = new Set([
  "Conv",
  "ConvInteger",
  "ConvTranspose",
  "QLinearConv",
  "DeformConv",
  "MaxPool",
  "AveragePool",
  "LpPool",
  "MaxUnpool",
]);

const POSITIVE: IntRange = { min: 1, max: MAX_DIM };
const COUNT: IntRange = { min: 0, max: MAX_DIM };

/** Size attributes of other operators the executor runs, by operator and attribute. */
const OP_ATTRS: Readonly<Record<string, Readonly<Record<string, IntRange>>>> = {
  DepthToSpace: { blocksize: POSITIVE },
  SpaceToDepth: { blocksize: POSITIVE },
  LRN: { size: POSITIVE },
  LSTM: { hidden_size: POSITIVE },
  GRU: { hidden_size: POSITIVE },
  RNN: { hidden_size: POSITIVE },
  GroupNormalization: { num_groups: POSITIVE },
  Split: { split: COUNT },
  MaxRoiPool: { pooled_shape: POSITIVE },
  RoiAlign: { output_height: POSITIVE, output_width: POSITIVE, sampling_ratio: COUNT },
  RandomNormal: { shape: COUNT },
  RandomUniform: { shape: COUNT },
  Col2Im: { dilations: POSITIVE, strides: POSITIVE, pads: COUNT },
};

/** Axis attributes of every operator: within ±MAX_RANK (the rank check needs shapes). */
const AXIS_ATTRS: Readonly<Record<string, IntRange>> = {
  axis: { min: -MAX_RANK, max: MAX_RANK },
  axes: { min: -MAX_RANK, max: MAX_RANK },
  perm: { min: 0, max: MAX_RANK - 1 },
};

function intsOf(a: Attribute): readonly number[] | undefined {
  if (a.kind === "int") return [a.value];
  if (a.kind === "ints") return a.value;
  return undefined;
}

function checkRange(node: Node, name: string, a: Attribute, r: IntRange, where: string) {
  const values = intsOf(a);
  if (values === undefined) return;
  const bad = values.findIndex((v) => !Number.isInteger(v) || v < r.min || v > r.max);
  if (bad < 0) return;
  const shown = a.kind === "ints" ? `[${values.join(", ")}]` : String(values[0]);
  throw new GraphError(
    `${where}: node "${node.name}" (${node.opType}) has ${name} ${shown}; ` +
      `each entry must be an integer from ${r.min} to ${r.max}`,
  );
}

/** kernel_shape, strides, dilations and pads must describe the same number of axes. */
function checkWindowLengths(node: Node, where: string): void {
  const len = (n: string) => {
    const a = node.attrs.get(n);
    return a?.kind === "ints" ? a.value.length : undefined;
  };
  const k = len("kernel_shape");
  if (k === undefined) return;
  for (const [n, factor] of [["strides", 1], ["dilations", 1], ["pads", 2]] as const) {
    const got = len(n);
    if (got !== undefined && got !== k * factor) {
      throw new GraphError(
        `${where}: node "${node.name}" (${node.opType}) has ${got} ${n} entries for a ` +
          `${k}-axis kernel_shape, expected ${k * factor}`,
      );
    }
  }
}

/**
 * Refuse a node whose window or axis attributes are out of range.
 *
 * @param where message prefix (`Invalid model "m.onnx"`)
 * @throws {GraphError} naming the node, the attribute and the allowed range
 */
export function checkNodeAttributes(node: Node, where: string): void {
  if (node.domain !== "" && node.domain !== "com.microsoft") return;
  const window = WINDOW_OPS.has(node.opType);
  const own = OP_ATTRS[node.opType];
  for (const [name, a] of node.attrs) {
    const r = (window ? WINDOW_ATTRS[name] : own?.[name]) ?? AXIS_ATTRS[name];
    if (r) checkRange(node, name, a, r, where);
  }
  if (window) checkWindowLengths(node, where);
}
