/**
 * One NPU subgraph's program: the part's nodes cut out of the deployable quantized
 * model, with its own inputs, outputs, initializers and quantization annotations,
 * written as a QDQ ONNX model (what the `NpuSubgraph` node of compiled.axmodel carries).
 *
 * Multi-batch "IR fix" (pulsar2 §5.11.4): unless disabled (or the user patched constants),
 * dim 0 of every Reshape shape constant becomes −1 so the program serves every batch.
 *
 * @module
 */
import { Graph, type Model } from "../ir/graph.ts";
import { cloneNode } from "../ir/clone.ts";
import { Tensor, toNumbers } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import type { SubgraphPart } from "./types.ts";
import type { ActivationQuant, ConstQuant, QuantModel } from "../quant/quant_model.ts";
import { toQdqModel } from "../quant/qdq_export.ts";

/** The QuantModel of one part. */
export function partQuantModel(
  deploy: QuantModel,
  part: SubgraphPart,
  types: ReadonlyMap<string, TensorType>,
): QuantModel {
  const src = deploy.model.graph;
  const g = new Graph({ name: part.name });
  g.nodes = part.nodes.map(cloneNode);
  g.inputs = part.inputs.map((name) => ({ name, type: types.get(name) }));
  g.outputs = part.outputs.map((name) => ({ name, type: types.get(name) }));
  const values = new Set<string>([...part.inputs]);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const t = i ? src.initializers.get(i) : undefined;
      if (t) g.initializers.set(i, t);
    }
    for (const o of n.outputs) if (o) values.add(o);
  }
  const activations = new Map<string, ActivationQuant>();
  for (const [name, a] of deploy.activations) if (values.has(name)) activations.set(name, a);
  const constants = new Map<string, ConstQuant>();
  for (const [name, c] of deploy.constants) if (g.initializers.has(name)) constants.set(name, c);
  const boundary = new Set([...part.inputs, ...part.outputs]);
  // A fused value that crosses a part boundary travels as float instead.
  const fused = new Set([...deploy.fused].filter((f) => values.has(f) && !boundary.has(f)));
  const model: Model = { ...deploy.model, graph: g, metadataProps: new Map() };
  return { model, activations, constants, fused };
}

/**
 * Set dim 0 of Reshape shape constants to −1 (when it is not already 0/−1 and no other
 * dim is −1). Returns how many constants changed.
 */
export function applyReshapeBatchFix(q: QuantModel): number {
  const g = q.model.graph;
  let count = 0;
  for (const n of g.nodes) {
    if (n.opType !== "Reshape" || n.domain !== "") continue;
    const name = n.inputs[1];
    const t = name ? g.initializers.get(name) : undefined;
    if (!t || t.rank !== 1 || t.size < 2) continue;
    const dims = toNumbers(t);
    if (dims[0] <= 0 || dims.slice(1).includes(-1)) continue;
    const fixed = `${name}_batch_fix`;
    g.initializers.set(
      fixed,
      new Tensor("s64", t.shape, BigInt64Array.from([-1, ...dims.slice(1)].map(BigInt))),
    );
    n.inputs[1] = fixed;
    count++;
  }
  return count;
}

/** The QDQ program of a part, with the NPU's int8 weight codes. */
export function npuProgram(q: QuantModel): Model {
  return toQdqModel(q, { weightCodes: "S8" });
}
