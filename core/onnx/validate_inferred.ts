/**
 * Checks on one node once shape inference knows its input and output types: the inputs of
 * one type parameter agree (`type_constraints.ts`), every inferred dim is a possible size,
 * a sliding window fits its padded input, and no output is over the tensor size limit. Run
 * by the shape inference driver after each node, so an impossible shape stops there with
 * the node's name instead of surfacing as an engine error when memory is allocated.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { formatBytes, maxTensorBytes, tensorBytesOf } from "../ir/dtype.ts";
import type { Dim, TensorType } from "../ir/types.ts";
import { GraphError, LimitError } from "../errors/mod.ts";
import { checkInputTypes } from "./type_constraints.ts";
import { MAX_DIM, MAX_RANK } from "./validate_attrs.ts";

/** Operators whose output spatial axes (2 and up) come from a window over the input's. */
const WINDOW_OUTPUT_OPS: ReadonlySet<string> = new Set([
  "Conv",
  "ConvInteger",
  "QLinearConv",
  "DeformConv",
  "MaxPool",
  "AveragePool",
  "LpPool",
]);

function formatDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

function label(node: Node): string {
  return `node "${node.name}" (${node.opType})`;
}

/** An empty spatial output from a non-empty input: the window does not fit. */
function checkWindow(node: Node, x: TensorType | undefined, y: TensorType, out: string): void {
  if (!WINDOW_OUTPUT_OPS.has(node.opType) || !x?.shape || !y.shape) return;
  for (let axis = 2; axis < y.shape.length; axis++) {
    const inDim = x.shape[axis];
    if (y.shape[axis] === 0 && typeof inDim === "number" && inDim > 0) {
      throw new GraphError(
        `Shape inference: ${label(node)} gives output "${out}" the empty shape ${
          formatDims(y.shape)
        }: its window (kernel_shape, dilations) is larger than the padded input ${
          formatDims(x.shape.slice(2))
        }`,
      );
    }
  }
}

/**
 * Refuse a node whose inferred types are impossible.
 *
 * @param node the node just inferred
 * @param opset the opset of its domain
 * @param inputs the input types (undefined where unknown or omitted)
 * @param outputs the inferred output types, by output position
 * @param opts `codes`: the graph is an NPU program, whose integer codes feed operators
 *   beside float values, so element types are not compared
 * @throws {GraphError} for inputs of one type parameter with different element types, a
 *   negative, fractional or too large dim, a rank over the limit, or a window larger than its
 *   padded input
 * @throws {LimitError} for an output over the tensor size limit
 */
export function checkInferredNode(
  node: Node,
  opset: number,
  inputs: readonly (TensorType | undefined)[],
  outputs: readonly (TensorType | undefined)[],
  opts: { readonly codes?: boolean } = {},
): void {
  if (!opts.codes) checkInputTypes(node, opset, inputs.map((t) => t?.dtype), "Shape inference");
  node.outputs.forEach((out, k) => {
    const t = outputs[k];
    if (!out || !t?.shape) return;
    if (t.shape.length > MAX_RANK) {
      throw new GraphError(
        `Shape inference: ${label(node)} gives output "${out}" rank ${t.shape.length}, more ` +
          `than axb's ${MAX_RANK}`,
      );
    }
    let elements = 1;
    for (const d of t.shape) {
      if (typeof d !== "number") continue;
      if (!Number.isSafeInteger(d) || d < 0 || d > MAX_DIM) {
        throw new GraphError(
          `Shape inference: ${label(node)} gives output "${out}" the impossible shape ${
            formatDims(t.shape)
          }; each dim must be an integer from 0 to ${MAX_DIM}`,
        );
      }
      elements *= d;
    }
    checkWindow(node, inputs[0], t, out);
    const bytes = tensorBytesOf(t.dtype, elements);
    if (bytes > maxTensorBytes()) {
      throw new LimitError(
        `Shape inference: ${label(node)} gives output "${out}" the shape ${formatDims(t.shape)} (${
          formatBytes(bytes)
        }), over axb's tensor size limit of ${formatBytes(maxTensorBytes())}`,
      );
    }
  });
}
