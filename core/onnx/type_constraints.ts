/**
 * Which inputs of an operator must share one element type: ONNX schemas bind them to one
 * type parameter (`T` of `Conv(X: T, W: T, B: T)`), and onnxruntime refuses a model whose
 * producers disagree ("Type parameter (T) bound to different types"). axb's kernels would
 * convert silently instead, so the model validator and shape inference refuse it first.
 *
 * Only operators listed here are checked; an operator missing from the table is never
 * refused by this rule.
 *
 * @module
 */
import { type DType, DTYPES } from "../ir/dtype.ts";
import type { Node } from "../ir/graph.ts";
import { GraphError } from "../errors/mod.ts";

/** Input positions bound to one type parameter; `"all"` = every input. */
type Group = readonly number[] | "all";

/** The groups of an operator, possibly depending on the opset. */
type Groups = readonly Group[] | ((opset: number) => readonly Group[]);

const BINARY: Groups = [[0, 1]];

/** Default-domain (and com.microsoft twins of default-domain) operators. */
const SAME_TYPE: Readonly<Record<string, Groups>> = {
  Conv: [[0, 1, 2]],
  ConvTranspose: [[0, 1, 2]],
  Gemm: [[0, 1, 2]],
  MatMul: BINARY,
  Add: BINARY,
  Sub: BINARY,
  Mul: BINARY,
  Div: BINARY,
  Mod: BINARY,
  PRelu: BINARY,
  Equal: BINARY,
  Less: BINARY,
  LessOrEqual: BINARY,
  Greater: BINARY,
  GreaterOrEqual: BINARY,
  And: BINARY,
  Or: BINARY,
  Xor: BINARY,
  BitShift: BINARY,
  BitwiseAnd: BINARY,
  BitwiseOr: BINARY,
  BitwiseXor: BINARY,
  Max: ["all"],
  Min: ["all"],
  Sum: ["all"],
  Mean: ["all"],
  Concat: ["all"],
  Einsum: ["all"],
  // Opset 15 gave scale/bias (T1) and mean/var (T2) their own parameters.
  BatchNormalization: (opset) => opset >= 15 ? [[1, 2], [3, 4]] : [[0, 1, 2, 3, 4]],
  InstanceNormalization: [[0, 1, 2]],
  LayerNormalization: [[0, 1, 2]],
  GroupNormalization: [[0, 1, 2]],
  Clip: [[0, 1, 2]],
  Where: [[1, 2]],
  Range: [[0, 1, 2]],
  Pad: (opset) => opset >= 11 ? [[0, 2]] : [],
  LSTM: [[0, 1, 2, 3, 5, 6, 7]],
  GRU: [[0, 1, 2, 3, 5]],
  RNN: [[0, 1, 2, 3, 5]],
  Scatter: [[0, 2]],
  ScatterElements: [[0, 2]],
  ScatterND: [[0, 2]],
  DequantizeLinear: [[0, 2]],
};

/** The type groups of `node` at `opset`, empty for operators the table does not list. */
function groupsOf(node: Node, opset: number): readonly Group[] {
  if (node.domain !== "" && node.domain !== "com.microsoft") return [];
  const g = SAME_TYPE[node.opType];
  if (g === undefined) return [];
  return typeof g === "function" ? g(opset) : g;
}

/**
 * Refuse a node whose inputs bound to one type parameter have different element types.
 *
 * @param node the node
 * @param opset the opset of the node's domain
 * @param dtypes the element type of each input, undefined where unknown or omitted
 * @param where message prefix (`Invalid model "m.onnx"`)
 * @throws {GraphError} naming the node, both inputs and both types
 */
export function checkInputTypes(
  node: Node,
  opset: number,
  dtypes: readonly (DType | undefined)[],
  where: string,
): void {
  for (const group of groupsOf(node, opset)) {
    const positions = group === "all" ? dtypes.map((_, i) => i) : group;
    let first: number | undefined;
    for (const i of positions) {
      const d = dtypes[i];
      if (d === undefined) continue;
      if (first === undefined) {
        first = i;
        continue;
      }
      const f = dtypes[first] as DType;
      if (d !== f) {
        throw new GraphError(
          `${where}: node "${node.name}" (${node.opType}) takes input ${first} ("${
            node.inputs[first]
          }") as ${DTYPES[f].label} and input ${i} ("${node.inputs[i]}") as ${
            DTYPES[d].label
          }; the operator needs one element type for both (insert a Cast)`,
        );
      }
    }
  }
}
