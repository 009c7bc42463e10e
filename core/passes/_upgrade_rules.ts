/**
 * Per-operator rewrites of {@linkcode upgradeOpset}: each rule turns one node written
 * against an old default-domain opset into its opset-13 form (attributes that became
 * inputs, renamed operators, changed Softmax semantics).
 *
 * Attributes are read under the old opset: through the operator's typed parser where
 * the registry models the old form (Softmax axis, Clip bounds), else through the typed
 * {@linkcode attrReader} (forms whose presence matters, or that only this upgrade knows);
 * a wrongly typed attribute is an error naming the node, never a silent default.
 *
 * @module
 */
import { type Graph, type Node, nodeLabel as label } from "../ir/graph.ts";
import { type Attribute, attrReader } from "../ir/attribute.ts";
import { formatShape, fromFloat32, Tensor, toNumbers } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import type { DType } from "../ir/dtype.ts";
import { attr } from "../ir/builder.ts";
import { GraphError } from "../errors/mod.ts";
import { parseNodeAttrs, type TypedOp } from "../ops/op.ts";
import { hardmax, logSoftmax, softmax, type SoftmaxAttrs } from "../ops/reduce/softmax.ts";
import { clip } from "../ops/elementwise/clip.ts";
import type { NameScope } from "../ir/names.ts";
import { constantOf } from "./_graph_util.ts";

/** What a rule sees. */
export interface UpgradeScope {
  readonly graph: Graph;
  /** Names of the whole model (all graph levels), for fresh initializer and node names. */
  readonly names: NameScope;
  /** Value types under the old opset (main graph only; empty in subgraphs). */
  readonly types: ReadonlyMap<string, TensorType>;
  /** The model's old default-domain opset. */
  readonly from: number;
}

/** A rule's result: unchanged, changed in place, or replaced by a node sequence. */
export type RuleResult = "same" | "changed" | Node[];

/** One operator's rewrite. */
export type UpgradeRule = (node: Node, s: UpgradeScope) => RuleResult;

function refuse(node: Node, s: UpgradeScope, why: string): never {
  throw new GraphError(
    `Cannot upgrade node "${label(node)}" (${node.opType}) from opset ${s.from} to 13: ${why}`,
  );
}

/** Add an initializer named after the node and return its name. */
function constant(s: UpgradeScope, node: Node, what: string, t: Tensor): string {
  const name = s.names.fresh(`${label(node)}_${what}`);
  s.graph.initializers.set(name, t);
  return name;
}

function int64s(values: readonly number[]): Tensor {
  return new Tensor("s64", [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
}

function scalarLike(dtype: DType, value: number): Tensor {
  return fromFloat32(dtype === "string" ? "f32" : dtype, [], Float32Array.of(value));
}

function dtypeOf(s: UpgradeScope, name: string): DType {
  return s.types.get(name)?.dtype ?? "f32";
}

/** Move an ints attribute to an int64 input at `index` (padding with ""). */
function attrToInput(node: Node, s: UpgradeScope, key: string, index: number): RuleResult {
  const a = node.attrs.get(key);
  if (!a) return "same";
  if (a.kind !== "ints") refuse(node, s, `attribute ${key} is ${a.kind}, expected ints`);
  node.attrs.delete(key);
  const inputs = [...node.inputs];
  while (inputs.length < index) inputs.push("");
  inputs[index] = constant(s, node, key, int64s(a.value));
  node.inputs = inputs;
  return "changed";
}

const axesToInput: UpgradeRule = (node, s) => attrToInput(node, s, "axes", 1);

const SOFTMAX_OPS: ReadonlyMap<string, TypedOp<SoftmaxAttrs>> = new Map(
  [softmax, logSoftmax, hardmax].map((op) => [op.opType, op]),
);

/** Softmax/LogSoftmax/Hardmax: opset < 13 coerces the input to 2-D at `axis`. */
const coercedSoftmax: UpgradeRule = (node, s) => {
  const parser = SOFTMAX_OPS.get(node.opType);
  if (!parser) return "same";
  const { axis } = parseNodeAttrs(parser, node, s.from);
  const shape = s.types.get(node.inputs[0])?.shape;
  const rank = shape?.length;
  if (rank === undefined) {
    if (axis === -1) return "same";
    refuse(node, s, `axis ${axis} needs the input rank, which is unknown; set static input shapes`);
  }
  const ax = axis < 0 ? axis + rank : axis;
  if (ax === rank - 1) {
    node.attrs.set("axis", attr.int(ax));
    return "changed";
  }
  if (!isStaticShape(shape)) {
    refuse(
      node,
      s,
      `axis ${axis} of a rank-${rank} input with a non-static shape ${
        formatShape(shape ?? [])
      } cannot be restored after flattening; set static input shapes`,
    );
  }
  const flat = s.names.fresh(`${label(node)}_flat`);
  const soft = s.names.fresh(`${label(node)}_2d`);
  const shapeName = constant(s, node, "shape", int64s(shape));
  const flatten: Node = {
    name: s.names.fresh(`${label(node)}_Flatten`),
    opType: "Flatten",
    domain: "",
    inputs: [node.inputs[0]],
    outputs: [flat],
    attrs: new Map([["axis", attr.int(ax)]]),
  };
  const op: Node = {
    ...node,
    inputs: [flat],
    outputs: [soft],
    attrs: new Map([["axis", attr.int(1)]]),
  };
  const reshape: Node = {
    name: s.names.fresh(`${label(node)}_Reshape`),
    opType: "Reshape",
    domain: "",
    inputs: [soft, shapeName],
    outputs: [node.outputs[0]],
    attrs: new Map(),
  };
  return [flatten, op, reshape];
};

/** Clip (< 11): min/max attributes become scalar inputs of the input's type. */
const clipBounds: UpgradeRule = (node, s) => {
  if (s.from >= 11) return "same";
  const { attrMin: lo, attrMax: hi } = parseNodeAttrs(clip, node, s.from);
  node.attrs.delete("min");
  node.attrs.delete("max");
  const dt = dtypeOf(s, node.inputs[0]);
  node.inputs = [
    node.inputs[0],
    lo === undefined ? "" : constant(s, node, "min", scalarLike(dt, lo)),
    hi === undefined ? "" : constant(s, node, "max", scalarLike(dt, hi)),
  ];
  while (node.inputs.length > 1 && node.inputs[node.inputs.length - 1] === "") node.inputs.pop();
  return "changed";
};

/** Pad (< 11): pads and value attributes become inputs. */
const padInputs: UpgradeRule = (node, s) => {
  if (s.from >= 11) return "same";
  const r = attrReader(node.attrs, label(node), node.opType);
  const pads = r.intsOpt("pads") ?? r.intsOpt("paddings");
  if (!pads) refuse(node, s, "attribute pads is missing");
  const value = r.floatOpt("value");
  for (const k of ["pads", "paddings", "value"]) node.attrs.delete(k);
  node.inputs = [node.inputs[0], constant(s, node, "pads", int64s(pads))];
  if (value !== undefined && value !== 0) {
    node.inputs.push(constant(s, node, "value", scalarLike(dtypeOf(s, node.inputs[0]), value)));
  }
  return "changed";
};

/** nearest_mode reproducing Resize-10/Upsample rounding (floor up, ceil down per axis). */
function nearestMode(node: Node, s: UpgradeScope, scales: readonly number[] | undefined): string {
  if (!scales) {
    if (node.opType === "Upsample") return "floor";
    refuse(node, s, "nearest mode needs constant scales to choose floor or ceil rounding");
  }
  if (scales.every((v) => v >= 1)) return "floor";
  if (scales.every((v) => v <= 1)) return "ceil";
  refuse(
    node,
    s,
    `nearest mode with mixed up/down scales [${scales.join(", ")}] has no opset-13 form`,
  );
}

/** Upsample (any) and Resize-10 become Resize-13 with asymmetric coordinates. */
const toResize: UpgradeRule = (node, s) => {
  if (node.opType === "Resize" && s.from >= 11) return "same";
  const r = attrReader(node.attrs, label(node), node.opType);
  if (r.has("height_scale") || r.has("width_scale")) {
    refuse(node, s, "the opset-1 height_scale/width_scale form is not supported");
  }
  const raw = r.string("mode", "nearest");
  const mode = raw === "bilinear" || raw === "linear" ? "linear" : raw;
  if (mode !== "nearest" && mode !== "linear") {
    refuse(node, s, `mode "${raw}" is not nearest or linear`);
  }
  let scalesName = node.inputs[1];
  let scales: readonly number[] | undefined;
  if (node.opType === "Upsample" && s.from < 9) {
    scales = r.floats("scales", []);
    scalesName = constant(
      s,
      node,
      "scales",
      new Tensor("f32", [scales.length], Float32Array.from(scales)),
    );
  } else {
    const t = constantOf(s.graph, scalesName);
    scales = t ? toNumbers(t) : undefined;
  }
  const attrs = new Map<string, Attribute>([
    ["mode", attr.string(mode)],
    ["coordinate_transformation_mode", attr.string("asymmetric")],
  ]);
  if (mode === "nearest") attrs.set("nearest_mode", attr.string(nearestMode(node, s, scales)));
  node.opType = "Resize";
  node.inputs = [node.inputs[0], "", scalesName];
  node.attrs = attrs;
  return "changed";
};

/** Dropout (< 12): ratio attribute becomes an input; is_test (< 7) is dropped. */
const dropoutRatio: UpgradeRule = (node, s) => {
  if (s.from >= 12) return "same";
  const r = attrReader(node.attrs, label(node), node.opType);
  const ratio = r.floatOpt("ratio");
  const hadRatio = node.attrs.delete("ratio");
  const changed = node.attrs.delete("is_test") || hadRatio;
  if (ratio !== undefined) {
    node.inputs = [node.inputs[0], constant(s, node, "ratio", scalarLike("f32", ratio))];
  }
  return changed ? "changed" : "same";
};

/** BatchNormalization (< 9): spatial=1 is the only form opset 13 has. */
const batchNormSpatial: UpgradeRule = (node, s) => {
  const a = node.attrs.get("spatial");
  if (!a) return "same";
  if (a.kind !== "int" || a.value !== 1) {
    refuse(node, s, "spatial=0 (per-activation statistics) has no opset-13 form");
  }
  node.attrs.delete("spatial");
  return "changed";
};

/** Slice (< 10): starts/ends/axes attributes become inputs. */
const sliceInputs: UpgradeRule = (node, s) => {
  if (s.from >= 10) return "same";
  const r = attrReader(node.attrs, label(node), node.opType);
  const starts = r.intsOpt("starts");
  const ends = r.intsOpt("ends");
  if (!starts || !ends) refuse(node, s, "attributes starts and ends are required");
  const axes = r.intsOpt("axes");
  for (const k of ["starts", "ends", "axes"]) node.attrs.delete(k);
  node.inputs = [
    node.inputs[0],
    constant(s, node, "starts", int64s(starts)),
    constant(s, node, "ends", int64s(ends)),
  ];
  if (axes) node.inputs.push(constant(s, node, "axes", int64s(axes)));
  return "changed";
};

/** TopK (< 10): k attribute becomes a [1] input. */
const topKInput: UpgradeRule = (node, s) => {
  if (s.from >= 10) return "same";
  const k = attrReader(node.attrs, label(node), node.opType).intOpt("k");
  if (k === undefined) refuse(node, s, "attribute k is missing");
  node.attrs.delete("k");
  node.inputs = [node.inputs[0], constant(s, node, "k", int64s([k]))];
  return "changed";
};

/** Rules by op type. Ops not listed keep their form. */
export const UPGRADE_RULES: ReadonlyMap<string, UpgradeRule> = new Map<string, UpgradeRule>([
  ["Squeeze", axesToInput],
  ["Unsqueeze", axesToInput],
  ["ReduceSum", axesToInput],
  ["Split", (n, s) => attrToInput(n, s, "split", 1)],
  ["Reshape", (n, s) => (s.from < 5 ? attrToInput(n, s, "shape", 1) : "same")],
  ["Softmax", coercedSoftmax],
  ["LogSoftmax", coercedSoftmax],
  ["Hardmax", coercedSoftmax],
  ["Clip", clipBounds],
  ["Pad", padInputs],
  ["Upsample", toResize],
  ["Resize", toResize],
  ["Dropout", dropoutRatio],
  ["BatchNormalization", batchNormSpatial],
  ["Slice", sliceInputs],
  ["TopK", topKInput],
  ["Scatter", (n) => {
    n.opType = "ScatterElements";
    return "changed";
  }],
]);

/** Ops that took numpy-incompatible `broadcast`/`axis` attributes before opset 7. */
export const LEGACY_BROADCAST: ReadonlySet<string> = new Set([
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Pow",
  "And",
  "Or",
  "Xor",
  "Equal",
  "Greater",
  "Less",
  "PRelu",
  "Gemm",
]);
