/**
 * fold-constants: evaluate nodes whose inputs are all constant and store the results
 * as initializers.
 *
 * Before: `s = Shape(x)` (x statically [1, 196, 96]), `d = Gather(s, [-1])`,
 *         `t = Concat(d, [4])`, `y = Reshape(z, t)`
 * After:  initializer `t` = [96, 4], `y = Reshape(z, t)`
 *
 * A node folds when every present input is an initializer (not also a graph input),
 * or when it is `Shape`/`Size` of a statically shaped value (types from
 * {@linkcode inferShapes}), so exporter shape arithmetic collapses in one run. The node's
 * kernel from the registry computes the value.
 *
 * Preconditions / skipped: random ops, QuantizeLinear/DequantizeLinear (the quantizer
 * reads them), nodes with subgraph attributes, nodes producing a graph output, and
 * results over {@linkcode MAX_FOLD_ELEMENTS} elements in total.
 *
 * @module
 */
import { type Model, type Node, nodeLabel } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import { Tensor } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import { type KernelContext, prepareNode } from "../ops/op.ts";
import { shape as shapeOp, shapeRange } from "../ops/tensor/generate.ts";
import { GraphError } from "../errors/mod.ts";
import { attrsOrUndefined, constantOf, typesOf } from "./_graph_util.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

/** Largest total number of output elements a folded node may produce. */
export const MAX_FOLD_ELEMENTS = 1_000_000;

/** Operators never folded: random draws and quantization boundaries. */
const NEVER_FOLD: ReadonlySet<string> = new Set([
  "RandomNormal",
  "RandomUniform",
  "RandomNormalLike",
  "RandomUniformLike",
  "Bernoulli",
  "Multinomial",
  "QuantizeLinear",
  "DequantizeLinear",
  "DynamicQuantizeLinear",
]);

function hasSubgraph(node: Node): boolean {
  return [...node.attrs.values()].some((a) => a.kind === "graph" || a.kind === "graphs");
}

/** Shape/Size of a statically shaped input, else undefined. */
function foldShapeOf(
  model: Model,
  node: Node,
  t: TensorType | undefined,
  ctx: PassContext,
): Tensor | undefined {
  if (!t || !isStaticShape(t.shape)) return undefined;
  const dims = t.shape;
  if (node.opType === "Size") {
    return new Tensor("s64", [], BigInt64Array.of(BigInt(dims.reduce((p, d) => p * d, 1))));
  }
  const a = attrsOrUndefined(shapeOp, node, model, ctx, "fold-constants");
  if (!a) return undefined;
  const [s, e] = shapeRange(dims.length, a);
  const picked = dims.slice(s, Math.max(s, e));
  return new Tensor("s64", [picked.length], BigInt64Array.from(picked, (d) => BigInt(d)));
}

function outputElements(node: Node, types: ReadonlyMap<string, TensorType>): number | undefined {
  let total = 0;
  for (const o of node.outputs) {
    if (!o) continue;
    const t = types.get(o);
    if (!t || !isStaticShape(t.shape)) return undefined;
    total += t.shape.reduce((p, d) => p * d, 1);
  }
  return total;
}

function runKernel(
  model: Model,
  node: Node,
  inputs: (Tensor | undefined)[],
  ctx: PassContext,
): Tensor[] | undefined {
  const op = ctx.registry.get(node.domain, node.opType);
  if (!op) return undefined;
  const opset = opsetOf(model, node.domain);
  const name = nodeLabel(node);
  const kctx: KernelContext = {
    opset,
    node,
    runSubgraph: () => {
      throw new GraphError(`fold-constants does not run subgraphs (node "${name}")`);
    },
  };
  try {
    const prepared = prepareNode(op, node, opset);
    return prepared.run(inputs, kctx);
  } catch (e) {
    ctx.log?.debug(
      `fold-constants: kept node "${name}" (${node.opType}): ${e instanceof Error ? e.message : e}`,
    );
    return undefined;
  }
}

function foldNode(
  model: Model,
  node: Node,
  types: ReadonlyMap<string, TensorType>,
  ctx: PassContext,
): Tensor[] | undefined {
  const g = model.graph;
  if (NEVER_FOLD.has(node.opType) || hasSubgraph(node)) return undefined;
  if (node.outputs.some((o) => o && g.isOutput(o))) return undefined;
  if (node.outputs.every((o) => !o)) return undefined;
  if (node.domain === "" && (node.opType === "Shape" || node.opType === "Size")) {
    const folded = foldShapeOf(model, node, types.get(node.inputs[0]), ctx);
    if (folded) return [folded];
  }
  const inputs = node.inputs.map((i) => (i ? constantOf(g, i) : undefined));
  if (node.inputs.some((i, k) => i !== "" && inputs[k] === undefined)) return undefined;
  const expected = outputElements(node, types);
  if (expected !== undefined && expected > MAX_FOLD_ELEMENTS) return undefined;
  const out = runKernel(model, node, inputs, ctx);
  if (!out) return undefined;
  let total = 0;
  for (let k = 0; k < node.outputs.length; k++) {
    if (!node.outputs[k]) continue;
    const t = out[k];
    if (!t) return undefined;
    total += t.size;
  }
  return total <= MAX_FOLD_ELEMENTS ? out : undefined;
}

function fold(model: Model, ctx: PassContext): number {
  const g = model.graph;
  const types = typesOf(model, ctx, "fold-constants");
  const drop = new Set<Node>();
  for (const node of g.topologicalOrder()) {
    const out = foldNode(model, node, types, ctx);
    if (!out) continue;
    node.outputs.forEach((o, k) => {
      if (!o) return;
      g.initializers.set(o, out[k]);
      g.valueInfo.delete(o);
    });
    drop.add(node);
  }
  if (drop.size) g.removeNodes(drop);
  return drop.size;
}

/** The fold-constants pass. */
export const foldConstants: Pass = {
  name: "fold-constants",
  description: "Evaluate nodes with constant inputs (and Shape of static values) into initializers",
  run: (model, ctx) => passResult(fold(model, ctx)),
};
