/**
 * eliminate-identity: remove nodes that pass their input through unchanged.
 *
 * Before: `y = Identity(x)`, `z = Relu(y)`
 * After:  `z = Relu(x)`
 *
 * Removed: Identity; Dropout in inference mode (no `training_mode` input or a constant
 * false one) whose mask output is absent or unused; Cast to the input's own dtype;
 * Reshape whose static input shape equals its static output shape.
 *
 * Graph output names are never renamed. When the removed node's output is a graph
 * output, the producer of its input takes the output over (`Graph.renameValue`) — only
 * when that input is not itself a graph input/output or initializer and has no other
 * use; otherwise the node is kept. Values read by subgraphs are never rewired.
 *
 * @module
 */
import { capturedNames, type Graph, type Model, type Node } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import { cast } from "../ops/elementwise/cast.ts";
import { attrsOrUndefined, constantOf, scalarOf, typesOf } from "./_graph_util.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

function sameStaticShape(a: TensorType | undefined, b: TensorType | undefined): boolean {
  if (!a || !b || !isStaticShape(a.shape) || !isStaticShape(b.shape)) return false;
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape?.[i]);
}

/** True when `node` forwards input 0 unchanged to output 0 (and has no other used output). */
function isNoOp(
  model: Model,
  node: Node,
  types: ReadonlyMap<string, TensorType>,
  used: ReadonlySet<string>,
  ctx: PassContext,
): boolean {
  const g = model.graph;
  if (node.domain !== "" || !node.inputs[0]) return false;
  switch (node.opType) {
    case "Identity":
      return node.inputs.length === 1;
    case "Dropout": {
      const mask = node.outputs[1];
      if (mask && (used.has(mask) || g.isOutput(mask))) return false;
      const training = node.inputs[2];
      if (!training) return true;
      return scalarOf(constantOf(g, training)) === 0;
    }
    case "Cast": {
      const inT = types.get(node.inputs[0]);
      if (!inT) return false;
      return attrsOrUndefined(cast, node, model, ctx, "eliminate-identity")?.to === inT.dtype;
    }
    case "Reshape":
      return sameStaticShape(types.get(node.inputs[0]), types.get(node.outputs[0]));
    default:
      return false;
  }
}

function eliminate(model: Model, ctx: PassContext): number {
  const g = model.graph;
  const candidates = ["Cast", "Reshape"];
  const needTypes = g.nodes.some((n) => candidates.includes(n.opType));
  const types = needTypes ? typesOf(model, ctx, "eliminate-identity") : new Map();
  const captured = capturedNames(g);
  const used = new Set<string>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) used.add(i);
  for (const c of captured) used.add(c);
  let count = 0;
  for (const node of [...g.nodes]) {
    if (!isNoOp(model, node, types, used, ctx)) continue;
    const input = node.inputs[0];
    const out = node.outputs[0];
    if (!out || captured.has(out)) continue;
    if (!g.isOutput(out)) {
      g.replaceAllUses(out, input);
      g.removeNodes([node]);
    } else if (mayTakeOverOutput(g, node, input, captured)) {
      g.removeNodes([node]);
      g.renameValue(input, out);
    } else {
      continue;
    }
    g.valueInfo.delete(out);
    count++;
  }
  return count;
}

/**
 * True when the producer of `input` may write graph output `out` in place of `node`:
 * `input` is computed by a node, is not API (graph input/output, initializer), is not
 * read by a subgraph and has no use besides `node`.
 */
function mayTakeOverOutput(
  g: Graph,
  node: Node,
  input: string,
  captured: ReadonlySet<string>,
): boolean {
  if (g.isBoundary(input) || g.initializers.has(input) || captured.has(input)) return false;
  if (!g.nodes.some((n) => n.outputs.includes(input))) return false;
  const users = g.nodes.filter((n) => n.inputs.includes(input));
  return users.length === 1 && users[0] === node;
}

/** The eliminate-identity pass. */
export const eliminateIdentity: Pass = {
  name: "eliminate-identity",
  description: "Remove Identity, inference Dropout, no-op Cast and no-op Reshape nodes",
  run: (model, ctx) => passResult(eliminate(model, ctx)),
};
