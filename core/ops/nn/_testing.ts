/**
 * Test helpers for the nn kernels: run or infer one operator on tensors without a graph.
 *
 * @module
 */
import { type Attribute, attrReader } from "../../ir/attribute.ts";
import type { Node } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { TensorType } from "../../ir/types.ts";
import type { RegisteredOp } from "../op.ts";
import { KernelError } from "../../errors/mod.ts";

/** Attribute values accepted by {@linkcode runOp}: numbers → int/float, arrays → ints/floats. */
export type TestAttrs = Record<string, number | string | readonly number[] | Tensor>;

function toAttr(v: number | string | readonly number[] | Tensor): Attribute {
  if (typeof v === "string") return { kind: "string", value: v };
  if (typeof v === "number") {
    return Number.isInteger(v) ? { kind: "int", value: v } : { kind: "float", value: v };
  }
  if (Array.isArray(v)) return { kind: "ints", value: v };
  return { kind: "tensor", value: v as Tensor };
}

/** The one-node graph node a test runs `op` as. */
export function nodeOf(op: RegisteredOp, attrs: TestAttrs, nIn: number, nOut: number): Node {
  return {
    name: `test_${op.opType}`,
    opType: op.opType,
    domain: op.domain,
    inputs: Array.from({ length: nIn }, (_, i) => `in${i}`),
    outputs: Array.from({ length: nOut }, (_, i) => `out${i}`),
    attrs: new Map(Object.entries(attrs).map(([k, v]) => [k, toAttr(v)])),
  };
}

/** Run `op` on `inputs` with `attrs` at `opset` (default 21). */
export function runOp(
  op: RegisteredOp,
  inputs: readonly (Tensor | undefined)[],
  attrs: TestAttrs = {},
  opset = 21,
  nOut = 1,
): Tensor[] {
  const node = nodeOf(op, attrs, inputs.length, nOut);
  const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), { opset, node });
  return prepared.run(inputs, {
    opset,
    node,
    runSubgraph: () => {
      throw new KernelError("no subgraphs in nn tests");
    },
  });
}

/** Infer output types of `op` from input types. */
export function inferOp(
  op: RegisteredOp,
  types: readonly (TensorType | undefined)[],
  attrs: TestAttrs = {},
  opset = 21,
): (TensorType | undefined)[] {
  const node = nodeOf(op, attrs, types.length, 1);
  const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), { opset, node });
  return prepared.infer({ opset, node, inputTypes: types, constantInput: () => undefined });
}

/** Assert-friendly rounding of a float array to `digits` decimals. */
export function rounded(values: ArrayLike<number>, digits = 4): number[] {
  const f = 10 ** digits;
  return Array.from(values, (v) => Math.round(v * f) / f);
}
