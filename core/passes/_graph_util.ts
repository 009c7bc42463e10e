/**
 * Small graph queries shared by the passes: constant lookup, consumer checks, typed
 * attributes, op histograms, pattern replacement.
 *
 * @module
 */
import { type Graph, type Model, type Node, nodeLabel } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import { readNumber, type Tensor } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { AxbError } from "../errors/mod.ts";
import { parseNodeAttrs, type TypedOp } from "../ops/op.ts";
import { inferShapes } from "./infer_shapes.ts";
import type { PassContext } from "./pass.ts";

/**
 * The constant value of `name`: an initializer that is not also a graph input (those
 * are overridable defaults). Constant nodes count once constant-to-initializer ran.
 */
export function constantOf(g: Graph, name: string): Tensor | undefined {
  if (!name) return undefined;
  const init = g.initializers.get(name);
  return init && !g.isInput(name) ? init : undefined;
}

/**
 * `node`'s attributes as `op`'s typed parser reads them under the model's opset, or
 * undefined (logged) when they do not parse: a pass leaves such a node alone, and the
 * executor reports the malformed attribute, naming the node, when the node runs.
 */
export function attrsOrUndefined<A>(
  op: TypedOp<A>,
  node: Node,
  model: Model,
  ctx: PassContext,
  pass: string,
): A | undefined {
  try {
    return parseNodeAttrs(op, node, opsetOf(model, node.domain));
  } catch (e) {
    if (!(e instanceof AxbError)) throw e;
    ctx.log?.debug(`${pass}: left node "${nodeLabel(node)}" (${node.opType}) alone: ${e.message}`);
    return undefined;
  }
}

/** The single element of a one-element numeric tensor, else undefined. */
export function scalarOf(t: Tensor | undefined): number | undefined {
  if (!t || t.size !== 1 || t.dtype === "string") return undefined;
  return readNumber(t, 0);
}

/** True when `a` is within a relative tolerance `rel` of `b`. */
export function near(a: number | undefined, b: number, rel = 1e-5): boolean {
  return a !== undefined && Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}

/** The only consumer of `name`, when there is exactly one use and it is not a graph output. */
export function soleConsumer(
  g: Graph,
  consumers: ReadonlyMap<string, Node[]>,
  name: string,
): Node | undefined {
  const users = consumers.get(name);
  if (!users || users.length !== 1 || g.isOutput(name)) return undefined;
  return users[0];
}

/** True when `node` is a default-domain `opType` node. */
export function isOp(node: Node | undefined, opType: string): node is Node {
  return node !== undefined && node.opType === opType && node.domain === "";
}

/** `opType` → count over the graph's top-level nodes, sorted by op type. */
export function opHistogram(g: Graph): Record<string, number> {
  const h = new Map<string, number>();
  for (const n of g.nodes) {
    const key = n.domain ? `${n.domain}::${n.opType}` : n.opType;
    h.set(key, (h.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...h].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Value types from {@linkcode inferShapes}, or an empty map (logged) when inference
 * fails, e.g. on an operator the registry lacks.
 */
export function typesOf(model: Model, ctx: PassContext, pass: string): Map<string, TensorType> {
  try {
    return inferShapes(model, ctx.registry).types;
  } catch (e) {
    ctx.log?.debug(
      `${pass}: shape inference failed, continuing without shapes: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
    return new Map();
  }
}

/**
 * Put `fused` where `last` (the final node of a matched pattern) stood, mark the other
 * matched nodes for removal in `drop`, and forget the value_info of the values that
 * disappear (every output of the match except the fused node's output).
 */
export function replaceMatch(
  g: Graph,
  matched: readonly Node[],
  last: Node,
  fused: Node,
  drop: Set<Node>,
): void {
  g.replaceNode(last, fused);
  for (const n of matched) {
    if (n !== last) drop.add(n);
    for (const o of n.outputs) if (o !== fused.outputs[0]) g.valueInfo.delete(o);
  }
}
