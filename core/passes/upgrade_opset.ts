/**
 * upgrade-opset: bring a model whose default-domain opset is below 13 to opset 13, so
 * later stages see one operator signature per op.
 *
 * Before (opset 11): `y = Unsqueeze(x, axes=[0])`, `z = Softmax(w, axis=1)` (w rank 3)
 * After  (opset 13): `y = Unsqueeze(x, [0])`,
 *                    `z = Reshape(Softmax(Flatten(w, axis=1), axis=1), shape(w))`
 *
 * Rewritten: Squeeze/Unsqueeze/ReduceSum `axes` and Split `split` attributes → int64
 * inputs; Softmax/LogSoftmax/Hardmax (old semantics coerce to 2-D at `axis`: kept when
 * `axis` is the last axis, otherwise wrapped in Flatten → op(axis=1) → Reshape to the
 * static original shape, or refused when the shape is not static); Clip (< 11) and Pad
 * (< 11) attributes → inputs; Upsample and Resize-10 → Resize-13 with asymmetric
 * coordinates; Slice/TopK (< 10) and Reshape (< 5) attributes → inputs; Dropout ratio
 * attribute → input; BatchNormalization `spatial=1` dropped; Scatter → ScatterElements;
 * legacy `consumed_inputs` and `broadcast` attributes dropped. Other ops are unchanged.
 * Subgraph bodies are rewritten too (without shape information).
 *
 * Preconditions: the shapes that Softmax rewrites need come from {@linkcode inferShapes}
 * under the old opset. Errors name the node that cannot be upgraded. The reported count
 * is the rewritten nodes plus one for the opset import itself.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { NameScope } from "../ir/names.ts";
import { opsetOf } from "../ir/opset.ts";
import type { TensorType } from "../ir/types.ts";
import { GraphError } from "../errors/mod.ts";
import { typesOf } from "./_graph_util.ts";
import { LEGACY_BROADCAST, UPGRADE_RULES, type UpgradeScope } from "./_upgrade_rules.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

/** The opset {@linkcode upgradeOpset} produces. */
export const TARGET_OPSET = 13;

function upgradeNode(node: Node, s: UpgradeScope): Node[] | undefined {
  if (node.domain !== "") return undefined;
  let changed = false;
  for (const a of node.attrs.values()) {
    if (a.kind === "graph") changed = upgradeGraph(a.value, new Map(), s) > 0 || changed;
    else if (a.kind === "graphs") {
      for (const g of a.value) changed = upgradeGraph(g, new Map(), s) > 0 || changed;
    }
  }
  if (node.attrs.delete("consumed_inputs")) changed = true;
  if (LEGACY_BROADCAST.has(node.opType) && s.from < 7) {
    if (node.attrs.has("axis") && node.opType !== "PRelu") {
      throw new GraphError(
        `Cannot upgrade node "${node.name}" (${node.opType}) from opset ${s.from} to 13: ` +
          `legacy broadcasting with an axis attribute has no opset-13 form`,
      );
    }
    if (node.attrs.delete("broadcast")) changed = true;
  }
  const rule = UPGRADE_RULES.get(node.opType);
  const r = rule ? rule(node, s) : "same";
  if (Array.isArray(r)) return r;
  return changed || r === "changed" ? [node] : undefined;
}

/** Upgrade `g`'s nodes; `outer` gives the model-wide name scope and the old opset. */
function upgradeGraph(
  g: Graph,
  types: ReadonlyMap<string, TensorType>,
  outer: Pick<UpgradeScope, "names" | "from">,
): number {
  const s: UpgradeScope = { graph: g, names: outer.names, types, from: outer.from };
  let count = 0;
  const next: Node[] = [];
  for (const node of g.nodes) {
    const r = upgradeNode(node, s);
    if (r) count++;
    next.push(...(r ?? [node]));
  }
  g.nodes = next;
  return count;
}

function upgrade(model: Model, ctx: PassContext): number {
  const from = opsetOf(model, "");
  if (from >= TARGET_OPSET) return 0;
  const types = typesOf(model, ctx, "upgrade-opset");
  const count = upgradeGraph(model.graph, types, { names: new NameScope(model.graph), from });
  const key = !model.opsetImports.has("") && model.opsetImports.has("ai.onnx") ? "ai.onnx" : "";
  model.opsetImports.set(key, TARGET_OPSET);
  model.irVersion = Math.max(model.irVersion, 7);
  ctx.log?.info(
    `Upgraded the default-domain opset from ${from} to ${TARGET_OPSET} (${count} nodes rewritten)`,
  );
  return count + 1;
}

/** The upgrade-opset pass. */
export const upgradeOpset: Pass = {
  name: "upgrade-opset",
  description: "Rewrite a default-domain opset < 13 model to opset 13",
  run: (model, ctx) => passResult(upgrade(model, ctx)),
};
