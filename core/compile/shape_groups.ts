/**
 * Extra input-shape groups (`input_processors[].src_extra_shapes`): group k (k ≥ 1) is
 * the model compiled for the k-th extra shape of every runtime input, sharing the
 * quantization of group 0. Its I/O values are named `<name>_<k>` in the container.
 *
 * @module
 */
import type { Graph, Model, Node, ValueInfo } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig } from "../config/build_config.ts";
import { cloneModel, cloneNode } from "../ir/clone.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { ConfigError } from "../errors/mod.ts";
import { byTensorName } from "../preprocess/_by_tensor_name.ts";

/**
 * Per extra group, the runtime input shapes by input name. `DEFAULT` processors apply to
 * every input not named by another entry.
 */
export function extraShapeGroups(
  config: BuildConfig,
  inputs: readonly string[],
): Map<string, number[]>[] {
  const chosen = byTensorName(config.input_processors, inputs, "input_processors", "input");
  const byInput = new Map<string, number[][]>();
  for (const name of inputs) {
    const p = chosen.get(name)?.p;
    byInput.set(name, (p?.src_extra_shapes ?? []).map((s) => [...s.shape]));
  }
  const counts = new Set([...byInput.values()].map((l) => l.length));
  if (counts.size > 1) {
    throw new ConfigError(
      `input_processors[].src_extra_shapes: every input must list the same number of extra shapes, got ${
        [...byInput].map(([n, l]) => `${n}: ${l.length}`).join(", ")
      }`,
      { field: "input_processors[].src_extra_shapes" },
    );
  }
  const k = [...counts][0] ?? 0;
  return Array.from({ length: k }, (_, i) => new Map([...byInput].map(([n, l]) => [n, l[i]])));
}

/** Value types of the deployable model with the given input shapes. */
export function groupTypes(
  model: Model,
  shapes: ReadonlyMap<string, number[]>,
  registry: OpRegistry,
): Map<string, TensorType> {
  const m = cloneModel(model);
  m.graph.inputs = m.graph.inputs.map((v) => {
    const shape = shapes.get(v.name);
    const t = v.type;
    if (!shape || !t || "kind" in t) return v;
    if (t.shape && t.shape.length !== shape.length) {
      throw new ConfigError(
        `src_extra_shapes for input "${v.name}" has rank ${shape.length}, the input has rank ${t.shape.length}`,
        { field: "input_processors[].src_extra_shapes" },
      );
    }
    return { ...v, type: { dtype: t.dtype, shape } };
  });
  m.graph.valueInfo.clear();
  return inferShapes(m, registry).types;
}

/** Copies of `nodes` with values renamed and node names suffixed. */
export function renamedNodes(
  nodes: readonly Node[],
  rename: (value: string) => string,
  suffix: string,
): Node[] {
  return nodes.map((n) => {
    const c = cloneNode(n);
    c.name = `${n.name}${suffix}`;
    c.inputs = c.inputs.map((i) => (i ? rename(i) : i));
    c.outputs = c.outputs.map((o) => (o ? rename(o) : o));
    return c;
  });
}

/** How one group names and types the values at its boundaries. */
export interface GroupNaming {
  /** The group number. */
  readonly index: number;
  /** The value's name in this group: `<name>_<k>` for k ≥ 1; initializers keep theirs. */
  readonly rename: (value: string) => string;
  /** The value renamed and typed at this group's shapes. */
  readonly info: (value: string) => ValueInfo;
}

/**
 * The naming of group `index` of the deployable model.
 *
 * @param index the group number (0 = the original shapes)
 * @param graph the deployable model's graph (its initializers are shared by every group)
 * @param types value types at the group's input shapes
 * @returns the group's naming
 */
export function groupNaming(
  index: number,
  graph: Graph,
  types: ReadonlyMap<string, TensorType>,
): GroupNaming {
  const rename = (n: string) => (index === 0 || graph.initializers.has(n) ? n : `${n}_${index}`);
  return { index, rename, info: (name) => ({ name: rename(name), type: types.get(name) }) };
}
