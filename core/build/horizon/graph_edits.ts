/**
 * YAML graph edits of a Horizon conversion, applied to the float model before the
 * pre-processing node is inserted:
 *
 * - `output_nodes` (§5.2): the named nodes' outputs become **all** the model outputs;
 * - `remove_node_type` / `remove_node_name` (nash, §5.2): a matching node connected to a
 *   model input or output is removed, repeatedly until none matches — at the head its
 *   reader takes the model input (which takes the removed node's output type), at the tail
 *   the model output becomes the removed node's data input.
 *
 * @module
 */
import type { Model, Node } from "../../ir/graph.ts";
import { ConfigError } from "../../errors/mod.ts";
import type { JsonValue } from "../../config/json_value.ts";

/** Every node name the YAML refers to, checked against the model before anything is written. */
export function checkNodeNames(
  model: Model,
  refs: readonly { readonly field: string; readonly names: readonly string[] }[],
): void {
  const known = new Set(model.graph.nodes.map((n) => n.name));
  for (const r of refs) {
    const bad = r.names.find((n) => !known.has(n));
    if (bad !== undefined) {
      throw new ConfigError(
        `${r.field}: node "${bad}" is not in the model; expected node names of the ONNX graph`,
        { field: r.field },
      );
    }
  }
}

/** Make the outputs of the named nodes the model's outputs (in the order given). */
export function setOutputNodes(model: Model, names: readonly string[]): void {
  if (names.length === 0) return;
  const g = model.graph;
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  g.outputs = names.flatMap((name) =>
    (byName.get(name)?.outputs ?? []).filter((o) => o !== "").map((o) => {
      const known = g.outputs.find((v) => v.name === o) ?? g.valueInfo.get(o);
      return known ? { ...known } : { name: o };
    })
  );
  // Nodes that no output depends on any more are dropped.
  const needed = new Set(g.outputs.map((o) => o.name));
  const keep: Node[] = [];
  for (const n of [...g.topologicalOrder()].reverse()) {
    if (n.outputs.some((o) => needed.has(o))) {
      keep.push(n);
      for (const i of n.inputs) if (i) needed.add(i);
    }
  }
  g.removeNodes(g.nodes.filter((n) => !keep.includes(n)));
}

/** A removed node with its attributes, for the container's record. */
export interface RemovedNode {
  readonly name: string;
  readonly op_type: string;
  readonly parameters: { readonly [key: string]: JsonValue };
}

function parameters(n: Node): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, a] of n.attrs) {
    if (a.kind === "int" || a.kind === "float" || a.kind === "string") out[k] = a.value;
    if (a.kind === "ints" || a.kind === "floats" || a.kind === "strings") out[k] = [...a.value];
  }
  return out;
}

/** Remove matching head/tail nodes repeatedly; returns them in removal order. */
export function removeHeadTailNodes(
  model: Model,
  types: readonly string[],
  names: readonly string[],
): RemovedNode[] {
  const g = model.graph;
  const removed: RemovedNode[] = [];
  const matches = (n: Node) => types.includes(n.opType) || names.includes(n.name);
  for (;;) {
    const node = g.nodes.find((n) =>
      matches(n) && (g.isInput(n.inputs[0] ?? "") || n.outputs.some((o) => g.isOutput(o)))
    );
    if (!node) break;
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (g.isInput(x)) {
      const vi = g.inputs.find((v) => v.name === x)!;
      const outType = g.valueInfo.get(y)?.type;
      g.removeNodes([node]);
      g.replaceAllUses(y, x);
      g.outputs = g.outputs.map((o) => (o.name === y ? { ...o, name: x } : o));
      g.inputs[g.inputs.indexOf(vi)] = { ...vi, type: outType };
    } else {
      g.removeNodes([node]);
      const xType = g.valueInfo.get(x)?.type;
      g.outputs = g.outputs.map((o) => (o.name === y ? { name: x, type: xType } : o));
    }
    removed.push({ name: node.name, op_type: node.opType, parameters: parameters(node) });
  }
  return removed;
}
