/**
 * constant-to-initializer: turn `Constant` nodes into initializers.
 *
 * Before: `c = Constant(value_ints=[1, 2])`, `y = Reshape(x, c)`
 * After:  initializer `c` = int64 [1, 2], `y = Reshape(x, c)`
 *
 * Handles every attribute form (`value`, `value_float(s)`, `value_int(s)`,
 * `value_string(s)`), read by the Constant operator's own parser. Recurses into
 * subgraphs (the constant becomes an initializer of the graph that held the node).
 *
 * Preconditions: the output name is not a graph output and not already an initializer;
 * otherwise the node is kept. Constants the parser refuses (`sparse_value`, none or
 * several value attributes) are kept as nodes, for the executor to report.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { constant } from "../ops/elementwise/constant.ts";
import { attrsOrUndefined } from "./_graph_util.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

function convertGraph(model: Model, g: Graph, ctx: PassContext): number {
  let count = 0;
  const drop = new Set<Node>();
  for (const n of g.nodes) {
    for (const a of n.attrs.values()) {
      if (a.kind === "graph") count += convertGraph(model, a.value, ctx);
      else if (a.kind === "graphs") {
        for (const sub of a.value) count += convertGraph(model, sub, ctx);
      }
    }
    if (n.opType !== "Constant" || n.domain !== "" || n.outputs.length !== 1) continue;
    const out = n.outputs[0];
    if (!out || g.isOutput(out) || g.initializers.has(out)) continue;
    const t = attrsOrUndefined(constant, n, model, ctx, "constant-to-initializer")?.value;
    if (!t) continue;
    g.initializers.set(out, t);
    g.valueInfo.delete(out);
    drop.add(n);
    count++;
  }
  if (drop.size) g.removeNodes(drop);
  return count;
}

/** The constant-to-initializer pass. */
export const constantToInitializer: Pass = {
  name: "constant-to-initializer",
  description: "Replace Constant nodes by initializers",
  run: (model, ctx) => passResult(convertGraph(model, model.graph, ctx)),
};
