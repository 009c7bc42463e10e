/**
 * Nodes computed in float16 (a target's half-precision unit, e.g. Horizon's `float16` in
 * `node_info` / `quant_config`): the node reads its float inputs and writes its outputs as
 * float16 values. The rounding is written into the graph as standard operators, so the
 * emulator (the Cast kernel), the QDQ export, the compiled container and onnxruntime all
 * compute the same thing:
 *
 * Before: `x → N → y`
 * After:  `x → Cast(float16) → Cast(float) → N → Cast(float16) → Cast(float) → y`
 *
 * The pairs sit on the node's own edges: another reader of `x` still reads it unrounded;
 * `y` keeps its name (and its quantization, when a consumer quantizes it). The node's float
 * weights, read by float16 nodes only, are rounded to float16 values in place (onnxruntime
 * would fold a Cast pair on a constant to the same values). The arithmetic inside the node
 * stays float32, which is at least as precise as a float16 unit's accumulation.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { cloneModel } from "../ir/clone.ts";
import { attr } from "../ir/builder.ts";
import { DTYPES } from "../ir/dtype.ts";
import { NameScope } from "../ir/names.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { QuantModel } from "./quant_model.ts";

/** What {@linkcode withFloat16Nodes} changed. */
export interface Float16Result {
  /** The rewritten quantized model (the input is not modified). */
  readonly quant: QuantModel;
  /** Names of the nodes now computed in float16. */
  readonly nodes: readonly string[];
}

/**
 * Make the nodes named in `names` compute in float16. Names of nodes that are not in the
 * graph are ignored (the caller checks names against the model it was given).
 */
export function withFloat16Nodes(q: QuantModel, names: ReadonlySet<string>): Float16Result {
  if (names.size === 0) return { quant: q, nodes: [] };
  const model = cloneModel(q.model);
  const g = model.graph;
  const scope = new NameScope(g);
  const targets = g.nodes.filter((n) => names.has(n.name));
  roundSharedWeights(g, new Set(targets), q);
  for (const n of targets) {
    const before: Node[] = [];
    const after: Node[] = [];
    const inputs = n.inputs.map((x) => {
      if (!x || g.initializers.has(x)) return x;
      const { nodes, out } = roundTrip(scope, x, `${n.name}_${x}`);
      before.push(...nodes);
      return out;
    });
    const outputs = n.outputs.map((y) => {
      if (!y) return y;
      const raw = scope.fresh(`${y}_float32`);
      const { nodes } = roundTrip(scope, raw, y, y);
      after.push(...nodes);
      return raw;
    });
    const replacement = { ...n, inputs, outputs };
    g.replaceNode(n, replacement);
    const at = g.nodes.indexOf(replacement);
    g.addNodes(after, at + 1);
    g.addNodes(before, at);
  }
  return { quant: { ...q, model }, nodes: targets.map((n) => n.name) };
}

/** `x → Cast(float16) → Cast(float) → out` (out fresh unless given). */
function roundTrip(
  scope: NameScope,
  x: string,
  stem: string,
  out: string = scope.fresh(`${stem}_float16_rounded`),
): { nodes: Node[]; out: string } {
  const half = scope.fresh(`${stem}_float16`);
  const cast = (input: string, output: string, to: number, suffix: string): Node => ({
    name: scope.fresh(`${stem}_${suffix}`),
    opType: "Cast",
    domain: "",
    inputs: [input],
    outputs: [output],
    attrs: new Map([["to", attr.int(to)]]),
  });
  return {
    nodes: [
      cast(x, half, DTYPES.f16.onnx, "to_float16"),
      cast(half, out, DTYPES.f32.onnx, "to_float32"),
    ],
    out,
  };
}

/** Round float32 initializers read only by `half` nodes (and not coded) to float16 values. */
function roundSharedWeights(g: Graph, half: ReadonlySet<Node>, q: QuantModel): void {
  const readers = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const x of n.inputs) if (x) readers.set(x, [...(readers.get(x) ?? []), n]);
  }
  for (const [name, t] of g.initializers) {
    const by = readers.get(name);
    if (t.dtype !== "f32" || q.constants.has(name) || !by?.every((n) => half.has(n))) continue;
    g.initializers.set(name, new Tensor("f32", t.shape, asFloat32(t).map(Math.f16round)));
  }
}
