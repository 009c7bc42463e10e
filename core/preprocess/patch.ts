/**
 * `const_processors` and `op_processors` (spec `pulsar2-build.md` §4.8, §5.9): patch
 * constant data and operator attributes of the float model by name.
 *
 * Constants are initializers or `Constant` node outputs; the new data keeps the
 * constant's dtype. axb also accepts the name of a (numeric, statically shaped) graph
 * input: the input is pinned to the given value, i.e. it becomes a constant of its declared
 * dtype and shape and leaves the inputs — how a deployment that always feeds the same sample
 * rate or mode flag lets the frontend fold the `If`/`Loop` that depends on it (numbers are converted like numpy's `astype`: integers truncate toward
 * zero). Attribute types follow the JSON value, unless the node already has the
 * attribute as a float (then JSON integers become floats: JSON cannot tell `1` from `1.0`).
 *
 * @module
 */
import type { Model, Node } from "../ir/graph.ts";
import type { Attribute } from "../ir/attribute.ts";
import { readNumber, Tensor, writeElement } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import { formatType, isStaticShape } from "../ir/types.ts";
import type { Logger } from "../util/log.ts";
import type { ConstProcessor, JsonValue, OpProcessor } from "../config/build_config.ts";
import { ConfigError } from "../errors/mod.ts";
import { nearest } from "../util/nearest.ts";
import { dataTypeName } from "./_edit.ts";
import { pyList, pyNumber, pyString, pyTuple } from "./_pyrepr.ts";
import { loadConstData } from "./_const_data.ts";

/** Options of {@linkcode applyConstProcessors}. */
export interface ConstProcessorOptions {
  /** Directory relative `data_path`s resolve against (default: the working directory). */
  baseDir?: string;
}

/**
 * Replace constant tensor data by name, in place.
 *
 * @throws {ConfigError} naming `const_processors[i].name` for an unknown constant, or the
 *   data field when the element count does not fit
 */
export function applyConstProcessors(
  model: Model,
  list: readonly ConstProcessor[],
  log: Logger,
  opts: ConstProcessorOptions = {},
): Model {
  const g = model.graph;
  list.forEach((p, i) => {
    const field = `const_processors[${i}]`;
    const ctor = g.nodes.find((n) => n.opType === "Constant" && n.outputs[0] === p.name);
    const pinned = ctor || g.initializers.has(p.name)
      ? undefined
      : pinnableInput(model, p.name, field);
    const old = g.initializers.get(p.name) ?? constantValue(ctor) ?? pinned;
    if (!old) {
      const names = [
        ...g.initializers.keys(),
        ...g.nodes.filter((n) => n.opType === "Constant").map((n) => n.outputs[0]),
        ...g.runtimeInputs.map((v) => v.name),
      ];
      const hint = nearest(p.name, names);
      throw new ConfigError(
        `${field}.name "${p.name}" is not a constant tensor of the model${
          hint ? `; did you mean "${hint}"?` : ""
        }`,
        { field: `${field}.name` },
      );
    }
    if (old.dtype === "string") {
      throw new ConfigError(
        `${field}.name "${p.name}" is a string constant, expected a numeric one`,
        {
          field: `${field}.name`,
        },
      );
    }
    const { values, source } = loadConstData(p, old.dtype, field, opts.baseDir);
    const shape = fitShape(old.shape, values.length, `${field}.${source}`, p.name);
    const isInt = DTYPES[old.dtype].isInteger || old.dtype === "bool";
    const bad = values.findIndex((x) => isInt && !Number.isFinite(x));
    if (bad >= 0) {
      throw new ConfigError(
        `${field}.${source}[${bad}] is ${values[bad]}, expected a finite number for the ${
          dataTypeName(old.dtype)
        } constant "${p.name}"`,
        { field: `${field}.${source}` },
      );
    }
    const t = new Tensor(old.dtype, shape);
    for (let k = 0; k < values.length; k++) writeElement(t, k, values[k]);
    if (ctor) ctor.attrs.set("value", { kind: "tensor", value: t });
    else g.initializers.set(p.name, t);
    g.valueInfo.delete(p.name);
    if (pinned) g.inputs = g.inputs.filter((v) => v.name !== p.name);
    const shown = Array.from({ length: t.size }, (_, k) => readNumber(t, k));
    log.info(
      `${pinned ? "pin model input" : "update data of const tensor"} [${p.name}], ${
        pyTuple(shown, isInt)
      }, ${dataTypeName(t.dtype)}`,
    );
  });
  return model;
}

/**
 * A zero tensor of runtime input `name`'s declared type (the template its pinned value
 * fills), or undefined when `name` is not a runtime input.
 *
 * @throws {ConfigError} when the input is not a numeric tensor with a static shape
 */
function pinnableInput(model: Model, name: string, field: string): Tensor | undefined {
  const input = model.graph.runtimeInputs.find((v) => v.name === name);
  if (!input) return undefined;
  const type = input.type;
  if (!type || "kind" in type || !isStaticShape(type.shape) || type.dtype === "string") {
    throw new ConfigError(
      `${field}.name "${name}" is a model input of type ${
        formatType(type)
      }; only numeric inputs with a static shape can be pinned to a value`,
      { field: `${field}.name` },
    );
  }
  return new Tensor(type.dtype, type.shape);
}

function constantValue(node: Node | undefined): Tensor | undefined {
  const a = node?.attrs.get("value");
  return a?.kind === "tensor" ? a.value : undefined;
}

/** Same element count keeps the shape; a 1-D constant takes the data's length. */
function fitShape(shape: readonly number[], n: number, field: string, name: string): number[] {
  if (shape.length === 1) return [n];
  const need = shape.reduce((a, b) => a * b, 1);
  if (n !== need) {
    throw new ConfigError(
      `${field} has ${n} values, expected ${need} for constant "${name}" of shape [${
        shape.join(", ")
      }]`,
      { field },
    );
  }
  return [...shape];
}

/**
 * Set operator attributes by node name, in place.
 *
 * @throws {ConfigError} naming `op_processors[i].op_name` for an unknown node, or
 *   `op_processors[i].attrs.<name>` for a value that is not an attribute type
 */
export function applyOpProcessors(
  model: Model,
  list: readonly OpProcessor[],
  log: Logger,
  fieldName = "op_processors",
): Model {
  const g = model.graph;
  list.forEach((p, i) => {
    const field = `${fieldName}[${i}]`;
    const node = g.nodes.find((n) => n.name === p.op_name);
    if (!node) {
      const hint = nearest(p.op_name, g.nodes.map((n) => n.name));
      throw new ConfigError(
        `${field}.op_name "${p.op_name}" is not an operator of the model${
          hint ? `; did you mean "${hint}"?` : ""
        }`,
        { field: `${field}.op_name` },
      );
    }
    for (const [key, value] of Object.entries(p.attrs)) {
      const a = attributeOf(value, node.attrs.get(key), `${field}.attrs.${key}`);
      node.attrs.set(key, a);
      log.info(`set op [${p.op_name}] attr [${key}] to ${showAttribute(a)}`);
    }
  });
  return model;
}

/** The attribute a JSON value stands for, given the attribute the node has now. */
export function attributeOf(
  value: JsonValue,
  current: Attribute | undefined,
  field: string,
): Attribute {
  const wantsFloat = current?.kind === "float" || current?.kind === "floats";
  if (typeof value === "boolean") return { kind: "int", value: value ? 1 : 0 };
  if (typeof value === "number") {
    return Number.isInteger(value) && !wantsFloat
      ? { kind: "int", value }
      : { kind: "float", value };
  }
  if (typeof value === "string") return { kind: "string", value };
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x === "string")) {
      if (value.length > 0 || current?.kind === "strings") return { kind: "strings", value };
    }
    if (value.every((x) => typeof x === "number")) {
      return value.every((x) => Number.isInteger(x)) && !wantsFloat
        ? { kind: "ints", value }
        : { kind: "floats", value };
    }
  }
  throw new ConfigError(
    `${field} is ${
      JSON.stringify(value)
    }, expected a number, a string or a list of numbers or strings`,
    { field },
  );
}

/** The value as pulsar2's log prints it (Python repr). */
function showAttribute(a: Attribute): string {
  switch (a.kind) {
    case "int":
      return pyNumber(a.value, true);
    case "float":
      return pyNumber(a.value);
    case "string":
      return pyString(a.value);
    case "ints":
      return pyList(a.value);
    case "floats":
      return pyList(a.value, false);
    case "strings":
      return pyList(a.value);
    default:
      return a.kind;
  }
}
