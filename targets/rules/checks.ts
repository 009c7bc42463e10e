/**
 * Small chip-neutral helpers for legality predicates: typed attributes through the
 * operators' own parsers, shapes, element counts and constant scalars.
 *
 * @module
 */
import { type AttrReader, attrReader } from "../../core/ir/attribute.ts";
import { type Node, nodeLabel } from "../../core/ir/graph.ts";
import { readNumber, type Tensor } from "../../core/ir/tensor.ts";
import type { Dim, TensorType } from "../../core/ir/types.ts";
import { parseNodeAttrs, type TypedOp } from "../../core/ops/op.ts";
import { AxbError } from "../../core/errors/mod.ts";
import type { LegalityContext } from "../target.ts";
import type { CheckFailure, CheckRule } from "./rule.ts";

/** `[1, 3, N]` style text of a shape. */
export function showDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/** Number of elements of a statically shaped type, else undefined. */
export function elementCount(t: TensorType | undefined): number | undefined {
  if (!t?.shape) return undefined;
  let n = 1;
  for (const d of t.shape) {
    if (typeof d !== "number") return undefined;
    n *= d;
  }
  return n;
}

/** Rank of a type, or undefined when unknown. */
export function rankOf(t: TensorType | undefined): number | undefined {
  return t?.shape?.length;
}

/** What a check does with a node's typed attributes. */
export type AttrsTest<A> = (
  attrs: A,
  node: Node,
  ctx: LegalityContext,
) => CheckFailure | undefined;

/**
 * A check's `test` that reads the node's attributes through its operator's typed parser
 * (the one the float kernel uses) under the context's opset, then runs `test` on them.
 * `ops` lists the operators the check serves (`[averagePool, maxPoolOp]`). A node whose
 * attributes the parser refuses fails the check with the parser's message, so legality
 * keeps its promise never to throw.
 */
export function withAttrs<A>(
  ops: TypedOp<A> | readonly TypedOp<A>[],
  test: AttrsTest<A>,
): CheckRule["test"] {
  const list: readonly TypedOp<A>[] = "opType" in ops ? [ops] : ops;
  return (node, ctx) => {
    const op = list.find((o) => o.opType === node.opType);
    if (!op) {
      return {
        found: `the check reads ${
          list.map((o) => o.opType).join("/")
        } attributes, not ${node.opType}`,
        expected: "has no rule for this operator",
      };
    }
    let attrs: A;
    try {
      attrs = parseNodeAttrs(op, node, ctx.opset);
    } catch (e) {
      return attributeFailure(e);
    }
    return test(attrs, node, ctx);
  };
}

/**
 * A check's `test` for an operator without a registry definition (a vendor op): `test`
 * reads attributes through the IR's typed {@linkcode attrReader}; an attribute of the
 * wrong kind fails the check with the reader's message instead of throwing.
 */
export function withReader(
  test: (attrs: AttrReader, node: Node, ctx: LegalityContext) => CheckFailure | undefined,
): CheckRule["test"] {
  return (node, ctx) => {
    try {
      return test(attrReader(node.attrs, nodeLabel(node), node.opType), node, ctx);
    } catch (e) {
      return attributeFailure(e);
    }
  };
}

/** The failure of a node whose attributes do not parse; rethrows what is not an axb error. */
function attributeFailure(e: unknown): CheckFailure {
  if (!(e instanceof AxbError)) throw e;
  return {
    found: `its attributes do not parse (${e.message})`,
    expected: "places only nodes with valid attributes",
  };
}

/** The single value of a one-element numeric tensor, else undefined. */
export function scalarValue(t: Tensor | undefined): number | undefined {
  if (!t || t.size !== 1 || t.dtype === "string") return undefined;
  return readNumber(t, 0);
}

/** True when the dims are known numbers. */
export function isKnown(d: Dim | undefined): d is number {
  return typeof d === "number";
}
