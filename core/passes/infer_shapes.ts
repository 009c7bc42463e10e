/**
 * Shape and type inference over a whole graph: walks nodes in topological order, asks
 * each operator's `infer` for its output types, and propagates constants so that
 * shape arithmetic (Shape → Gather → Concat → Reshape, as exporters emit it) resolves
 * to concrete shapes. Symbolic dims such as a batch `N` flow through.
 *
 * Constant propagation runs an operator's float kernel when every input is a known
 * constant and the inputs are small (shape-like); `Shape` of a statically shaped value
 * is a constant too.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { Tensor } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import type { InferContext, OpRegistry, PreparedNode } from "../ops/op.ts";
import { normalizeDomain } from "../ops/op.ts";
import { GraphError, UnsupportedOpError } from "../errors/mod.ts";
import { checkInferredNode } from "../onnx/validate_inferred.ts";

/** Largest constant (elements) that inference folds by running a kernel. */
const FOLD_LIMIT = 4096;

/** Result of {@linkcode inferShapes}. */
export interface InferredTypes {
  /** Type of every value that could be typed, by name. */
  types: Map<string, TensorType>;
  /** Values known to be constant (initializers and folded shape arithmetic). */
  constants: Map<string, Tensor>;
}

/** Options of {@linkcode inferShapes}. */
export interface InferOptions {
  /** Record the inferred types into `graph.valueInfo` (intermediates only). */
  writeValueInfo?: boolean;
}

/** Infer the type of every value of the model's main graph. */
export function inferShapes(
  model: Model,
  registry: OpRegistry,
  opts: InferOptions = {},
): InferredTypes {
  const g = model.graph;
  const types = new Map<string, TensorType>();
  const constants = new Map<string, Tensor>();
  for (const [name, t] of g.initializers) {
    types.set(name, { dtype: t.dtype, shape: t.shape });
    constants.set(name, t);
  }
  for (const v of g.inputs) {
    if (v.type && !("kind" in v.type) && !types.has(v.name)) types.set(v.name, v.type);
  }
  const opsetOf = (domain: string) => {
    const d = normalizeDomain(domain);
    return model.opsetImports.get(d) ?? (d === "" ? 1 : 1);
  };
  for (const node of g.topologicalOrder()) {
    inferNode(node, registry, opsetOf(node.domain), types, constants);
  }
  if (opts.writeValueInfo) writeValueInfo(g, types);
  return { types, constants };
}

function inferNode(
  node: Node,
  registry: OpRegistry,
  opset: number,
  types: Map<string, TensorType>,
  constants: Map<string, Tensor>,
): void {
  const op = registry.get(node.domain, node.opType);
  if (!op) {
    const domain = normalizeDomain(node.domain);
    throw new UnsupportedOpError(
      domain ? `${domain}::${node.opType}` : node.opType,
      node.name || `(unnamed ${node.opType})`,
    );
  }
  const name = node.name || `(unnamed ${node.opType})`;
  const prepared = op.prepare(attrReader(node.attrs, name, node.opType), { opset, node });
  const inputTypes = node.inputs.map((i) => (i === "" ? undefined : types.get(i)));
  const ctx: InferContext = {
    opset,
    node,
    inputTypes,
    constantInput: (i) => {
      const n = node.inputs[i];
      return n ? constants.get(n) : undefined;
    },
  };
  let outTypes: (TensorType | undefined)[];
  try {
    outTypes = prepared.infer(ctx);
  } catch (e) {
    if (e instanceof GraphError) throw e;
    throw new GraphError(
      `Shape inference failed at node "${name}" (${node.opType}): ${
        e instanceof Error ? e.message : e
      }`,
    );
  }
  checkInferredNode(node, opset, inputTypes, outTypes);
  node.outputs.forEach((o, k) => {
    const t = outTypes[k];
    if (o && t) types.set(o, t);
  });
  // Constant propagation for shape arithmetic.
  if (node.opType === "Shape" && node.domain === "" && node.outputs[0]) {
    const inT = inputTypes[0];
    if (inT && isStaticShape(inT.shape)) {
      const folded = tryFold(prepared, node, opset, [new Tensor(inT.dtype, inT.shape)]);
      if (folded?.[0]) constants.set(node.outputs[0], folded[0]);
    }
    return;
  }
  const present = node.inputs.filter((i) => i !== "");
  if (present.length === 0 && node.opType !== "Constant") return;
  const inputs = node.inputs.map((i) => (i === "" ? undefined : constants.get(i)));
  if (present.some((i) => !constants.has(i))) return;
  if (inputs.some((t) => t !== undefined && t.size > FOLD_LIMIT)) return;
  const folded = tryFold(prepared, node, opset, inputs);
  if (!folded) return;
  node.outputs.forEach((o, k) => {
    const t = folded[k];
    if (o && t && t.size <= FOLD_LIMIT) {
      constants.set(o, t);
      types.set(o, { dtype: t.dtype, shape: t.shape });
    }
  });
}

function tryFold(
  prepared: PreparedNode,
  node: Node,
  opset: number,
  inputs: (Tensor | undefined)[],
): Tensor[] | undefined {
  if (node.attrs.size > 0 && [...node.attrs.values()].some((a) => a.kind === "graph")) {
    return undefined;
  }
  try {
    return prepared.run(inputs, {
      opset,
      node,
      runSubgraph: () => {
        throw new GraphError("subgraphs are not folded");
      },
    });
  } catch {
    return undefined;
  }
}

function writeValueInfo(g: Graph, types: Map<string, TensorType>): void {
  const boundary = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const t = types.get(o);
      if (o && t && !boundary.has(o)) g.valueInfo.set(o, { name: o, type: t });
    }
  }
}
