/**
 * Builds the {@linkcode LegalityContext} of a node from shape inference results
 * (`core/passes/infer_shapes.ts`), so callers and tests ask a target about a whole model
 * in two lines.
 *
 * @module
 */
import type { Model, Node } from "../core/ir/graph.ts";
import type { InferredTypes } from "../core/passes/infer_shapes.ts";
import { opsetOf } from "../core/ir/opset.ts";
import type { Legality, LegalityContext, Target } from "./target.ts";

/** The context of `node` given inferred types/constants and the model's opsets. */
export function legalityContext(
  node: Node,
  inferred: InferredTypes,
  model: Model,
): LegalityContext {
  const look = <T>(m: ReadonlyMap<string, T>, n: string) => (n === "" ? undefined : m.get(n));
  return {
    inputTypes: node.inputs.map((n) => look(inferred.types, n)),
    outputTypes: node.outputs.map((n) => look(inferred.types, n)),
    constantInputs: node.inputs.map((n) => look(inferred.constants, n)),
    opset: opsetOf(model, node.domain),
  };
}

/** One node's placement on a target. */
export interface Placement {
  /** The placed node. */
  readonly node: Node;
  /** The target's verdict: NPU, or CPU with a reason. */
  readonly legality: Legality;
}

/** Placement of every node of the model's main graph on `target`. */
export function placeAll(model: Model, inferred: InferredTypes, target: Target): Placement[] {
  return model.graph.nodes.map((node) => ({
    node,
    legality: target.legality(node, legalityContext(node, inferred, model)),
  }));
}
