/**
 * Extra input-shape groups (`input_processors[].src_extra_shapes`): group k (k ≥ 1) is
 * the model compiled for the k-th extra shape of every input (written in the original
 * model's layout), sharing the quantization of group 0. Its I/O values are named
 * `<name>_<k>` in the container.
 *
 * @module
 */
import type { Graph, Model, Node, ValueInfo } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig, InputProcessor } from "../config/build_config.ts";
import { cloneModel, cloneNode } from "../ir/clone.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { ConfigError } from "../errors/mod.ts";
import { byTensorName } from "../preprocess/_by_tensor_name.ts";
import { planInput } from "../preprocess/_input_plan.ts";

/** One extra input-shape group. */
export interface ExtraShapeGroup {
  /** The shapes as configured, in the model's layout (`tensor_layout`), by input name. */
  readonly given: ReadonlyMap<string, readonly number[]>;
  /** The runtime input shapes they compile to (`src_layout`, padding, slicing, YUV planes). */
  readonly runtime: ReadonlyMap<string, readonly number[]>;
}

/**
 * The extra input-shape groups of `input_processors[].src_extra_shapes`. The shapes are
 * read in the original model's layout, as the manual writes them (`[1, 3, 384, 384]` for
 * an NCHW model fed NHWC), and turned into runtime shapes by the same plan that inserts
 * the pre-processing. `DEFAULT` processors apply to every input not named by another
 * entry.
 *
 * @param config the effective configuration
 * @param inputs the runtime inputs of the model before pre-processing, in model order
 * @throws {ConfigError} when the inputs list different numbers of extra shapes, or a
 * shape does not fit its input (rank, layout, colour format)
 */
export function extraShapeGroups(
  config: BuildConfig,
  inputs: readonly ValueInfo[],
): ExtraShapeGroup[] {
  const chosen = byTensorName(
    config.input_processors,
    inputs.map((v) => v.name),
    "input_processors",
    "input",
  );
  const byInput = new Map<string, { given: number[]; runtime: number[] }[]>();
  for (const v of inputs) {
    const hit = chosen.get(v.name);
    const extra = hit?.p.src_extra_shapes ?? [];
    byInput.set(
      v.name,
      extra.map((s, k) => ({
        given: [...s.shape],
        runtime: hit
          ? runtimeShape(v, [...s.shape], hit.p, `input_processors[${hit.index}]`, k)
          : [],
      })),
    );
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
  return Array.from({ length: k }, (_, i) => ({
    given: new Map([...byInput].map(([n, l]) => [n, l[i].given])),
    runtime: new Map([...byInput].map(([n, l]) => [n, l[i].runtime])),
  }));
}

/** The runtime shape of input `v` when the model sees `shape` (processor `p` at `at`). */
function runtimeShape(
  v: ValueInfo,
  shape: number[],
  p: InputProcessor,
  at: string,
  k: number,
): number[] {
  const field = `${at}.src_extra_shapes[${k}]`;
  const t = v.type && !("kind" in v.type) ? v.type : undefined;
  if (t?.shape && t.shape.length !== shape.length) {
    throw new ConfigError(
      `${field} has rank ${shape.length}, input "${v.name}" has rank ${t.shape.length} ` +
        `([${t.shape.map((d) => d ?? "?").join(", ")}] in the model's layout)`,
      { field },
    );
  }
  const plan = planInput(p, v.name, t?.dtype ?? "f32", shape, at);
  return plan.runtimeShape.map((d) => {
    if (typeof d !== "number") {
      throw new ConfigError(`${field} gives no static runtime shape for input "${v.name}"`, {
        field,
      });
    }
    return d;
  });
}

/** Value types of the deployable model with the given input shapes. */
export function groupTypes(
  model: Model,
  shapes: ReadonlyMap<string, readonly number[]>,
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
    return { ...v, type: { dtype: t.dtype, shape: [...shape] } };
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
