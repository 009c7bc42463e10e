/**
 * `hb_model_modifier MODEL -r NODE` (spec `horizon.md` §11): remove one input or output
 * node of a Horizon container — a quantize/dequantize, layout (Transpose, Reshape…), cast or
 * normalisation node that the user's own pre- or post-processing will do instead.
 *
 * Removable: a CPU node (as `hb_perf`'s BIN Model Structure shows it) of a type in
 * {@linkcode REMOVABLE_OPS}, with one data input (its other inputs are constants) and one
 * output, that either reads a model input no other node reads (head) or writes a model
 * output from a value nothing else reads (tail). Model input and output names stay: at the
 * head the model input now carries what the node produced, at the tail the model output is
 * written by the node's producer. The node's attributes and constant inputs are appended to
 * the `axb.horizon` entry's `removed_nodes` (with `boundary` `input`/`output` and the model
 * `tensor` it sat on), so `hb_model_info` still shows them. Every other node is refused by
 * name.
 *
 * @module
 */
import { Graph, type Model, type Node, type ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { toNumbers } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import type { Attribute } from "../ir/attribute.ts";
import type { CompiledGroup, CompiledModel, CompiledSubgraph } from "../compile/types.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { UsageError } from "../errors/mod.ts";
import { nearest } from "../util/nearest.ts";
import { decodeCompiledModel } from "./decode.ts";
import { encodeCompiledModel } from "./encode.ts";
import { type RemovedNode, requireHorizonMeta, withHorizonMeta } from "./horizon_meta.ts";
import type { JsonValue } from "../config/json_value.ts";

/** What a removable node does at the model's edge. */
export type RemovableKind = "quantize" | "dequantize" | "layout" | "cast" | "normalize";

/** Operator types `hb_model_modifier` may remove, by what they do. */
export const REMOVABLE_OPS: Readonly<Record<string, RemovableKind>> = {
  QuantizeLinear: "quantize",
  DequantizeLinear: "dequantize",
  Transpose: "layout",
  Reshape: "layout",
  Flatten: "layout",
  Squeeze: "layout",
  Unsqueeze: "layout",
  Cast: "cast",
  Sub: "normalize",
  Add: "normalize",
  Mul: "normalize",
  Div: "normalize",
};

/** ONNX input names of the removable operators, for the recorded parameters. */
const INPUT_NAMES: Readonly<Record<string, readonly string[]>> = {
  QuantizeLinear: ["x", "y_scale", "y_zero_point"],
  DequantizeLinear: ["x", "x_scale", "x_zero_point"],
  Reshape: ["data", "shape"],
  Squeeze: ["data", "axes"],
  Unsqueeze: ["data", "axes"],
  Sub: ["A", "B"],
  Add: ["A", "B"],
  Mul: ["A", "B"],
  Div: ["A", "B"],
};

/** Constants larger than this are recorded by dtype and shape only. */
const MAX_RECORDED_ELEMENTS = 4096;

/** Where a removable node sits. */
interface Edge {
  readonly side: "input" | "output";
  /** The node's one data input. */
  readonly data: string;
  /** The node's one output. */
  readonly out: string;
}

/** Result of {@linkcode removeBoundaryNode}. */
export interface RemoveNodeResult {
  /** The edited container, with the removed node recorded in its `axb.horizon` entry. */
  readonly model: Model;
  /** What was recorded. */
  readonly removed: RemovedNode;
}

/** Readers of each value in a group: CPU node names and NPU subgraph names. */
function readersOf(group: CompiledGroup): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  const add = (value: string, who: string) => {
    if (!value) return;
    const list = readers.get(value) ?? [];
    list.push(who);
    readers.set(value, list);
  };
  for (const s of group.subgraphs) {
    if (s.kind === "npu") s.inputs.forEach((v) => add(v.name, s.name));
    else for (const n of s.nodes) n.inputs.forEach((i) => add(i, n.name));
  }
  return readers;
}

/** Where `node` sits, or why it cannot be removed. */
function edgeOf(
  group: CompiledGroup,
  node: Node,
  constants: ReadonlyMap<string, Tensor>,
): Edge | string {
  const kind = node.domain === "" ? REMOVABLE_OPS[node.opType] : undefined;
  if (!kind) {
    return `is a ${node.opType}; hb_model_modifier removes only input/output ` +
      `${Object.keys(REMOVABLE_OPS).join("/")} nodes`;
  }
  const data = node.inputs.filter((i) => i !== "" && !constants.has(i));
  const outs = node.outputs.filter((o) => o !== "");
  if (data.length !== 1 || outs.length !== 1) {
    return `has ${data.length} data input(s) and ${outs.length} output(s); only a node with ` +
      `one of each can be removed`;
  }
  const [x, y] = [data[0], outs[0]];
  const inputs = new Set(group.inputs.map((v) => v.name));
  const outputs = new Set(group.outputs.map((v) => v.name));
  const readers = readersOf(group);
  const others = (value: string) => (readers.get(value) ?? []).filter((r) => r !== node.name);
  if (inputs.has(x) && outputs.has(y)) {
    return `connects model input "${x}" straight to model output "${y}"; removing it leaves no model`;
  }
  if (inputs.has(x)) {
    if (others(x).length) {
      return `reads model input "${x}", which ${others(x).join(", ")} also read(s)`;
    }
    return { side: "input", data: x, out: y };
  }
  if (outputs.has(y)) {
    if (others(x).length || outputs.has(x)) {
      return `writes model output "${y}", but its input "${x}" is also read elsewhere`;
    }
    return { side: "output", data: x, out: y };
  }
  return `is not at the model's head or tail: it reads "${x}" and writes "${y}", neither a ` +
    `model input nor output`;
}

function tensorJson(t: Tensor): JsonValue {
  const base = { dtype: t.dtype, shape: [...t.shape] };
  if (t.size > MAX_RECORDED_ELEMENTS || t.dtype === "string" || t.dtype === "bool") return base;
  return { ...base, values: toNumbers(t) };
}

function attributeJson(a: Attribute): JsonValue {
  switch (a.kind) {
    case "float":
    case "int":
    case "string":
      return a.value;
    case "floats":
    case "ints":
    case "strings":
      return [...a.value];
    case "tensor":
      return tensorJson(a.value);
    default:
      return `<${a.kind}>`;
  }
}

/** The attributes and constant inputs of `node`, plus where it sat. */
function parametersOf(
  node: Node,
  edge: Edge,
  constants: ReadonlyMap<string, Tensor>,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {
    boundary: edge.side,
    tensor: edge.side === "input" ? edge.data : edge.out,
  };
  for (const [k, a] of [...node.attrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[k] = attributeJson(a);
  }
  node.inputs.forEach((name, i) => {
    const t = name ? constants.get(name) : undefined;
    if (t) out[INPUT_NAMES[node.opType]?.[i] ?? `input_${i}`] = tensorJson(t);
  });
  return out;
}

/** Types of every value a group names: boundary types plus what inference gives CPU internals. */
function groupTypes(model: Model, cm: CompiledModel, group: CompiledGroup): Map<string, ValueInfo> {
  const types = new Map<string, ValueInfo>();
  const keep = (v: ValueInfo) => {
    if (v.type && !types.has(v.name)) types.set(v.name, v);
  };
  group.inputs.forEach(keep);
  group.outputs.forEach(keep);
  for (const s of group.subgraphs) {
    s.inputs.forEach(keep);
    s.outputs.forEach(keep);
    if (s.kind !== "cpu") continue;
    const g = new Graph({ nodes: [...s.nodes], inputs: [...s.inputs], outputs: [...s.outputs] });
    for (const n of s.nodes) {
      for (const i of n.inputs) {
        const t = cm.cpuInitializers.get(i);
        if (t) g.initializers.set(i, t);
      }
    }
    try {
      const inferred = inferShapes({ ...model, graph: g }, defaultRegistry());
      for (const [name, type] of inferred.types) keep({ name, type });
    } catch {
      // a CPU op without shape inference leaves its internals untyped; boundaries stay typed
    }
  }
  return types;
}

function retype(v: ValueInfo, types: ReadonlyMap<string, ValueInfo>, from: string): ValueInfo {
  const t: TensorType | undefined = (() => {
    const src = types.get(from)?.type;
    return src && !("kind" in src) ? src : undefined;
  })();
  return t ? { ...v, type: t } : { name: v.name };
}

/** `group` with `node` removed at `edge`, I/O names kept, CPU subgraph I/O recomputed. */
function editGroup(
  group: CompiledGroup,
  node: Node,
  edge: Edge,
  types: Map<string, ValueInfo>,
  constants: ReadonlyMap<string, Tensor>,
): CompiledGroup {
  // the value that disappears, and the name its readers/producer use instead
  const [gone, kept] = edge.side === "input" ? [edge.out, edge.data] : [edge.data, edge.out];
  const rename = (n: string) => (n === gone ? kept : n);
  types.set(kept, { name: kept, type: types.get(gone)?.type });
  const inputs = group.inputs.map((v) => (v.name === kept ? retype(v, types, kept) : v));
  const outputs = group.outputs.map((v) => (v.name === kept ? retype(v, types, kept) : v));
  const infoOf = (n: string): ValueInfo => types.get(n) ?? { name: n };
  const renamedIo = (vs: readonly ValueInfo[]) =>
    vs.map((v) => (v.name === gone ? infoOf(kept) : v));
  const edited = group.subgraphs.map((s): CompiledSubgraph =>
    s.kind === "npu" ? { ...s, inputs: renamedIo(s.inputs), outputs: renamedIo(s.outputs) } : {
      ...s,
      nodes: s.nodes.filter((n) => n !== node).map((n) => ({
        ...n,
        inputs: n.inputs.map(rename),
        outputs: n.outputs.map(rename),
      })),
    }
  ).filter((s) => s.kind === "npu" || s.nodes.length > 0);
  const groupOutputs = new Set(outputs.map((v) => v.name));
  const readBy = (s: CompiledSubgraph) =>
    new Set(s.kind === "npu" ? s.inputs.map((v) => v.name) : s.nodes.flatMap((n) => n.inputs));
  const reads = edited.map(readBy);
  const subgraphs = edited.map((s, k): CompiledSubgraph => {
    if (s.kind === "npu") return s;
    const produced = new Set(s.nodes.flatMap((n) => n.outputs));
    const ins: string[] = [];
    for (const n of s.nodes) {
      for (const i of n.inputs) {
        if (i && !produced.has(i) && !constants.has(i) && !ins.includes(i)) ins.push(i);
      }
    }
    const outs = s.nodes.flatMap((n) => n.outputs).filter((o) =>
      o !== "" && (groupOutputs.has(o) || reads.some((r, j) => j !== k && r.has(o)))
    );
    return { ...s, inputs: ins.map(infoOf), outputs: outs.map(infoOf) };
  });
  return { ...group, inputs, outputs, subgraphs };
}

function findNode(cm: CompiledModel, name: string) {
  for (const group of cm.groups) {
    for (const s of group.subgraphs) {
      if (s.kind !== "cpu") continue;
      const node = s.nodes.find((n) => n.name === name);
      if (node) return { group, node };
    }
  }
  return undefined;
}

/** Names of every node `hb_model_modifier` could remove from `cm`. */
function removableNames(cm: CompiledModel): string[] {
  const out: string[] = [];
  for (const group of cm.groups) {
    for (const s of group.subgraphs) {
      if (s.kind !== "cpu") continue;
      for (const n of s.nodes) {
        if (typeof edgeOf(group, n, cm.cpuInitializers) !== "string") out.push(n.name);
      }
    }
  }
  return out;
}

/**
 * Names of the nodes of a Horizon container that {@linkcode removeBoundaryNode} accepts.
 *
 * @param container the loaded container
 * @param what the file, for error text
 */
export function removableNodes(container: Model, what = "model"): string[] {
  return removableNames(decodeCompiledModel(container, what));
}

/**
 * Remove one input or output node of a Horizon container.
 *
 * @param container the loaded container (with its `axb.horizon` entry)
 * @param nodeName the exact node name
 * @param what the file, for error text
 * @returns the edited container and the recorded node
 * @throws {UsageError} when no node has that name, or the node is not a removable input/output node
 * @throws {ModelFormatError} when the file is not a Horizon container
 */
export function removeBoundaryNode(
  container: Model,
  nodeName: string,
  what = "model",
): RemoveNodeResult {
  const meta = requireHorizonMeta(container, what);
  const cm = decodeCompiledModel(container, what);
  const hit = findNode(cm, nodeName);
  const candidates = removableNames(cm);
  const offer = candidates.length
    ? `removable nodes: ${candidates.join(", ")}`
    : "this model has no removable input/output node";
  if (!hit) {
    const npu = cm.groups.flatMap((g) => g.subgraphs).find((s) => s.name === nodeName);
    if (npu) {
      throw new UsageError(
        `Node "${nodeName}" is a BPU subgraph; hb_model_modifier removes one input/output node (${offer})`,
      );
    }
    const all = cm.groups.flatMap((g) => g.subgraphs).flatMap((s) =>
      s.kind === "cpu" ? s.nodes.map((n) => n.name) : [s.name]
    );
    const guess = nearest(nodeName, all);
    throw new UsageError(
      `No node "${nodeName}" in "${what}"${guess ? ` (did you mean "${guess}"?)` : ""}; ${offer}`,
    );
  }
  const edge = edgeOf(hit.group, hit.node, cm.cpuInitializers);
  if (typeof edge === "string") {
    throw new UsageError(`Node "${nodeName}" cannot be removed: it ${edge}; ${offer}`);
  }
  const removed: RemovedNode = {
    name: hit.node.name,
    op_type: hit.node.opType,
    parameters: parametersOf(hit.node, edge, cm.cpuInitializers),
  };
  const types = groupTypes(container, cm, hit.group);
  const groups = cm.groups.map((g) =>
    g === hit.group ? editGroup(g, hit.node, edge, types, cm.cpuInitializers) : g
  );
  const used = new Set(
    groups.flatMap((g) => g.subgraphs).flatMap((s) =>
      s.kind === "cpu" ? s.nodes.flatMap((n) => n.inputs) : []
    ),
  );
  const cpuInitializers = new Map([...cm.cpuInitializers].filter(([k]) => used.has(k)));
  const encoded = encodeCompiledModel({ ...cm, groups, cpuInitializers });
  for (const [k, val] of container.metadataProps) {
    if (!encoded.metadataProps.has(k)) encoded.metadataProps.set(k, val);
  }
  const model = withHorizonMeta(encoded, {
    ...meta,
    removed_nodes: [...meta.removed_nodes, removed],
  });
  return { model, removed };
}
