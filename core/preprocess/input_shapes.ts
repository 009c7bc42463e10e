/**
 * `input_shapes` (spec `pulsar2-build.md` §5.7): set the shapes of named graph inputs
 * before anything else runs.
 *
 * Before: `data: float32[1, 3, 224, 224]` → … → `prob: float32[1, 1000]`.
 * After (`data:4x3x224x224`): `data: float32[4, 3, 224, 224]`; every intermediate
 * `value_info` downstream of a changed input is dropped (it may be stale), and graph
 * outputs downstream get the shapes re-inferred by the operator registry (or lose their
 * shape when inference cannot type them).
 *
 * @module
 */
import { type Model, nodeDependencies } from "../ir/graph.ts";
import type { Dim, TensorType } from "../ir/types.ts";
import type { Logger } from "../util/log.ts";
import type { OpRegistry } from "../ops/op.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { parseInputShapes } from "../config/input_shapes.ts";
import { ConfigError } from "../errors/mod.ts";
import { pyString, pyTuple } from "./_pyrepr.ts";

/** Options of {@linkcode applyInputShapes}. */
export interface InputShapesOptions {
  /** Registry used to re-infer output shapes (default: every built-in operator). */
  registry?: OpRegistry;
}

/**
 * Apply an `input_shapes` string (`name:1x3x224x224;name2:1x1x112x112`) to `model`,
 * editing it in place. The empty string changes nothing and logs nothing.
 *
 * @returns the same model
 * @throws {ConfigError} on a malformed string, an unknown input name or a rank change
 */
export function applyInputShapes(
  model: Model,
  spec: string,
  log: Logger,
  opts: InputShapesOptions = {},
): Model {
  const parsed = parseInputShapes(spec);
  if (!parsed.ok) {
    throw new ConfigError(`input_shapes "${spec}" is malformed: ${parsed.expected}`, {
      field: "input_shapes",
    });
  }
  if (parsed.value.length === 0) return model;
  const g = model.graph;
  const inputs = g.runtimeInputs;
  const changed: string[] = [];
  for (const { name, shape } of parsed.value) {
    const idx = g.inputs.findIndex((v) => v.name === name && !g.initializers.has(name));
    if (idx < 0) {
      throw new ConfigError(
        `input_shapes names "${name}", which is not a model input; the inputs are ${
          inputs.map((v) => `"${v.name}"`).join(", ")
        }`,
        { field: "input_shapes" },
      );
    }
    const type = g.inputs[idx].type;
    if (!type || "kind" in type) {
      throw new ConfigError(`input_shapes names "${name}", which is not a tensor input`, {
        field: "input_shapes",
      });
    }
    if (type.shape && type.shape.length !== shape.length) {
      throw new ConfigError(
        `input_shapes gives "${name}" rank ${shape.length} (${
          shape.join("x")
        }), expected rank ${type.shape.length} like the model's [${
          type.shape.map((d) => d ?? "?").join(", ")
        }]`,
        { field: "input_shapes" },
      );
    }
    g.inputs[idx] = { ...g.inputs[idx], type: { dtype: type.dtype, shape: [...shape] } };
    changed.push(name);
  }
  log.warn(
    `change input shape to {${
      parsed.value.map((s) => `${pyString(s.name)}: ${pyTuple(s.shape)}`).join(", ")
    }}`,
  );
  refreshDownstreamTypes(model, changed, opts.registry ?? defaultRegistry());
  return model;
}

/** Drop value_info downstream of `changed` and re-infer the graph outputs there. */
function refreshDownstreamTypes(model: Model, changed: string[], registry: OpRegistry): void {
  const g = model.graph;
  const stale = downstreamValues(model, changed);
  for (const name of stale) g.valueInfo.delete(name);
  let inferred: Map<string, TensorType> | undefined;
  try {
    inferred = inferShapes(model, registry).types;
  } catch {
    inferred = undefined;
  }
  g.outputs = g.outputs.map((o) => {
    if (!stale.has(o.name) || !o.type || "kind" in o.type) return o;
    const fresh = inferred?.get(o.name);
    const shape: readonly Dim[] | undefined = fresh?.shape;
    return { ...o, type: { dtype: o.type.dtype, shape } };
  });
}

/** Every value computed (transitively) from `roots` in the main graph, captures included. */
function downstreamValues(model: Model, roots: string[]): Set<string> {
  const seen = new Set<string>(roots);
  for (const n of model.graph.topologicalOrder()) {
    if (nodeDependencies(n).some((d) => seen.has(d))) {
      for (const o of n.outputs) if (o) seen.add(o);
    }
  }
  for (const r of roots) seen.delete(r);
  return seen;
}
