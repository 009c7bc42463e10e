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
import { type Graph, type Model, type Node, nodeLabel } from "../ir/graph.ts";
import { normalizeDomain, opsetOf } from "../ir/opset.ts";
import { Tensor } from "../ir/tensor.ts";
import type { NonTensorType, TensorType, ValueType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import type { OpRegistry, PreparedNode, ValueInferContext } from "../ops/op.ts";
import { inferPrepared, prepareNode } from "../ops/op.ts";
import { GraphError, UnsupportedOpError } from "../errors/mod.ts";
import { checkInferredNode } from "../onnx/validate_inferred.ts";

/** Largest constant (elements) that inference folds by running a kernel. */
const FOLD_LIMIT = 4096;

/** Result of {@linkcode inferShapes}. */
export interface InferredTypes {
  /** Type of every tensor value that could be typed, by name. */
  types: Map<string, TensorType>;
  /**
   * Type of every sequence or optional value that could be typed, by name (absent in
   * tables built by hand for tensor-only graphs).
   */
  nonTensorTypes?: Map<string, NonTensorType>;
  /** Values known to be constant (initializers and folded shape arithmetic). */
  constants: Map<string, Tensor>;
}

/** Options of {@linkcode inferShapes}. */
export interface InferOptions {
  /** Record the inferred types into `graph.valueInfo` (intermediates only). */
  writeValueInfo?: boolean;
  /**
   * The model is an NPU program of a compiled container: its integer weight codes feed
   * operators beside float activations, so element types of one operator are not compared.
   */
  codes?: boolean;
}

/** Infer the type of every value of the model's main graph. */
export function inferShapes(
  model: Model,
  registry: OpRegistry,
  opts: InferOptions = {},
): InferredTypes {
  const g = model.graph;
  const types = new Map<string, TensorType>();
  const nonTensorTypes = new Map<string, NonTensorType>();
  const constants = new Map<string, Tensor>();
  for (const [name, t] of g.initializers) {
    types.set(name, { dtype: t.dtype, shape: t.shape });
    constants.set(name, t);
  }
  for (const v of g.inputs) {
    if (!v.type || types.has(v.name)) continue;
    if (!("kind" in v.type)) types.set(v.name, v.type);
    else if (v.type.kind !== "opaque") nonTensorTypes.set(v.name, v.type);
  }
  const inferred = { types, nonTensorTypes, constants };
  for (const node of g.topologicalOrder()) {
    inferNode(node, registry, opsetOf(model, node.domain), inferred, opts.codes ?? false);
  }
  if (opts.writeValueInfo) writeValueInfo(g, inferred);
  return inferred;
}

function inferNode(
  node: Node,
  registry: OpRegistry,
  opset: number,
  inferred: Required<InferredTypes>,
  codes: boolean,
): void {
  const { types, nonTensorTypes, constants } = inferred;
  const op = registry.get(node.domain, node.opType);
  const name = nodeLabel(node);
  if (!op) {
    const domain = normalizeDomain(node.domain);
    throw new UnsupportedOpError(domain ? `${domain}::${node.opType}` : node.opType, name);
  }
  const prepared = prepareNode(op, node, opset);
  const typeOf = (i: string): ValueType | undefined =>
    i === "" ? undefined : types.get(i) ?? nonTensorTypes.get(i);
  const valueTypes = node.inputs.map(typeOf);
  const inputTypes = valueTypes.map((t) => (t && !("kind" in t) ? t : undefined));
  const ctx: ValueInferContext = {
    opset,
    node,
    inputTypes: valueTypes,
    constantInput: (i) => {
      const n = node.inputs[i];
      return n ? constants.get(n) : undefined;
    },
  };
  let outTypes: (ValueType | undefined)[];
  try {
    outTypes = inferPrepared(prepared, ctx);
  } catch (e) {
    if (e instanceof GraphError) throw e;
    throw new GraphError(
      `Shape inference failed at node "${name}" (${node.opType}): ${
        e instanceof Error ? e.message : e
      }`,
    );
  }
  const tensorOut = outTypes.map((t) => (t && !("kind" in t) ? t : undefined));
  checkInferredNode(node, opset, inputTypes, tensorOut, { codes });
  node.outputs.forEach((o, k) => {
    const t = outTypes[k];
    if (!o || !t) return;
    if (!("kind" in t)) types.set(o, t);
    else if (t.kind !== "opaque") nonTensorTypes.set(o, t);
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
  if (outTypes.some((t) => t && "kind" in t)) return;
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

function writeValueInfo(g: Graph, inferred: Required<InferredTypes>): void {
  const boundary = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const t = inferred.types.get(o) ?? inferred.nonTensorTypes.get(o);
      if (o && t && !boundary.has(o)) g.valueInfo.set(o, { name: o, type: t });
    }
  }
}
