/**
 * Decoded GraphProto/NodeProto/AttributeProto/TypeProto messages → the core IR.
 *
 * @module
 */
import type { Attribute } from "../ir/attribute.ts";
import { Graph, type Node, type ValueInfo } from "../ir/graph.ts";
import type { Dim, OpaqueType, TensorType, ValueType } from "../ir/types.ts";
import { dtypeFromOnnx } from "../ir/dtype.ts";
import { normalizeDomain } from "../ir/opset.ts";
import { ModelFormatError } from "../errors/mod.ts";
import {
  type AttributeMsg,
  AttributeType,
  type DimensionMsg,
  encodeMsg,
  type GraphMsg,
  int64ToNumber,
  type NodeMsg,
  SparseTensorProtoType,
  type StringStringEntryMsg,
  TensorAnnotationType,
  type TypeMsg,
  TypeProtoType,
  type ValueInfoMsg,
} from "./onnx_proto.ts";
import { dtypeOrThrow, type TensorContext, tensorFromProto } from "./tensor_proto.ts";

const utf8 = new TextDecoder();

/** Convert a decoded GraphProto (and its subgraphs) to a {@linkcode Graph}. */
export function graphFromProto(msg: GraphMsg, ctx: TensorContext): Graph {
  const g = new Graph({
    name: msg.name ?? "",
    nodes: (msg.node ?? []).map((n) => nodeFromProto(n, ctx)),
    inputs: (msg.input ?? []).map((v) => valueInfoFromProto(v)),
    outputs: (msg.output ?? []).map((v) => valueInfoFromProto(v)),
  });
  if (msg.docString) g.docString = msg.docString;
  for (const t of msg.initializer ?? []) {
    const name = t.name ?? "";
    if (g.initializers.has(name)) {
      throw new ModelFormatError(
        `${ctx.where}: graph "${g.name}" has two initializers named "${name}"`,
      );
    }
    g.initializers.set(name, tensorFromProto(t, ctx));
  }
  for (const v of msg.valueInfo ?? []) {
    const vi = valueInfoFromProto(v);
    g.valueInfo.set(vi.name, vi);
  }
  g.opaque.sparseInitializers = (msg.sparseInitializer ?? []).map((s) =>
    encodeMsg(SparseTensorProtoType, s)
  );
  g.opaque.quantizationAnnotation = (msg.quantizationAnnotation ?? []).map((a) =>
    encodeMsg(TensorAnnotationType, a)
  );
  return g;
}

/** Entries of a repeated StringStringEntryProto as a map (later keys win). */
export function entriesToMap(entries: readonly StringStringEntryMsg[] | undefined) {
  return new Map((entries ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
}

function nodeFromProto(msg: NodeMsg, ctx: TensorContext): Node {
  const name = msg.name ?? "";
  const opType = msg.opType ?? "";
  const node: Node = {
    name,
    opType,
    domain: normalizeDomain(msg.domain ?? ""),
    inputs: [...(msg.input ?? [])],
    outputs: [...(msg.output ?? [])],
    attrs: new Map(),
  };
  for (const a of msg.attribute ?? []) {
    const attrName = a.name ?? "";
    const where = `${ctx.where}: node "${name}" (${opType}) attribute "${attrName}"`;
    node.attrs.set(attrName, attributeFromProto(a, { ...ctx, where }));
  }
  if (msg.docString) node.docString = msg.docString;
  if (msg.metadataProps?.length) node.metadata = entriesToMap(msg.metadataProps);
  return node;
}

/** The attribute type, inferred from the filled field for IR version 1 files. */
function attributeKind(a: AttributeMsg): number {
  if (a.type) return a.type;
  const has = (k: keyof AttributeMsg) => Object.hasOwn(a, k);
  if (has("f")) return AttributeType.FLOAT;
  if (has("i")) return AttributeType.INT;
  if (has("s")) return AttributeType.STRING;
  if (a.t) return AttributeType.TENSOR;
  if (a.g) return AttributeType.GRAPH;
  if (a.floats?.length) return AttributeType.FLOATS;
  if (a.ints?.length) return AttributeType.INTS;
  if (a.strings?.length) return AttributeType.STRINGS;
  if (a.tensors?.length) return AttributeType.TENSORS;
  if (a.graphs?.length) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

function attributeFromProto(a: AttributeMsg, ctx: TensorContext): Attribute {
  const kind = attributeKind(a);
  if (a.refAttrName) {
    throw new ModelFormatError(
      `${ctx.where}: refers to function attribute "${a.refAttrName}", which is only valid ` +
        `inside a function body`,
    );
  }
  const need = <T>(v: T | null | undefined, field: string): T => {
    if (v === null || v === undefined) {
      throw new ModelFormatError(`${ctx.where}: has type ${kind} but no ${field} field`);
    }
    return v;
  };
  switch (kind) {
    case AttributeType.FLOAT:
      return { kind: "float", value: a.f ?? 0 };
    case AttributeType.INT:
      return { kind: "int", value: int64ToNumber(a.i) };
    case AttributeType.STRING:
      // An absent bytes field decodes to protobufjs's default, a plain empty array.
      return {
        kind: "string",
        value: utf8.decode(a.s instanceof Uint8Array ? a.s : new Uint8Array()),
      };
    case AttributeType.TENSOR:
      return { kind: "tensor", value: tensorFromProto(need(a.t, "t"), ctx) };
    case AttributeType.GRAPH:
      return { kind: "graph", value: graphFromProto(need(a.g, "g"), ctx) };
    case AttributeType.TYPE_PROTO:
      return { kind: "type", value: attributeTensorType(need(a.tp, "tp"), ctx.where) };
    case AttributeType.FLOATS:
      return { kind: "floats", value: [...(a.floats ?? [])] };
    case AttributeType.INTS:
      return { kind: "ints", value: (a.ints ?? []).map((v) => int64ToNumber(v)) };
    case AttributeType.STRINGS:
      return { kind: "strings", value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AttributeType.TENSORS:
      return { kind: "tensors", value: (a.tensors ?? []).map((t) => tensorFromProto(t, ctx)) };
    case AttributeType.GRAPHS:
      return { kind: "graphs", value: (a.graphs ?? []).map((g) => graphFromProto(g, ctx)) };
    case AttributeType.TYPE_PROTOS:
      return {
        kind: "types",
        value: (a.typeProtos ?? []).map((t) => attributeTensorType(t, ctx.where)),
      };
    case AttributeType.SPARSE_TENSOR:
    case AttributeType.SPARSE_TENSORS:
      throw new ModelFormatError(`${ctx.where}: sparse tensor attributes are not supported`);
    default:
      throw new ModelFormatError(`${ctx.where}: attribute type ${kind} is not a known type`);
  }
}

function attributeTensorType(t: TypeMsg, where: string): ValueType {
  const vt = typeFromProto(t, where);
  if (!vt) {
    throw new ModelFormatError(
      `${where}: only tensor, sequence and optional TypeProto values are supported`,
    );
  }
  return vt;
}

/**
 * The {@linkcode ValueType} of a TypeProto: tensors with a supported dtype, and sequences
 * and optionals of such types. Undefined for every other type (map, sparse, opaque,
 * float8 tensors, or a type carrying a denotation), which callers keep encoded.
 */
export function typeFromProto(t: TypeMsg, where: string): ValueType | undefined {
  if (t.denotation) return undefined;
  if (t.tensorType) return tensorTypeOf(t, where);
  const wrapper = t.sequenceType ?? t.optionalType;
  if (!wrapper?.elemType) return undefined;
  const elem = typeFromProto(wrapper.elemType, where);
  if (!elem || ("kind" in elem && elem.kind === "opaque")) return undefined;
  return { kind: t.sequenceType ? "sequence" : "optional", elem };
}

/** The TensorType of a tensor TypeProto with a supported dtype; undefined otherwise. */
function tensorTypeOf(t: TypeMsg, where: string): TensorType | undefined {
  const tt = t.tensorType;
  if (!tt) return undefined;
  const code = tt.elemType ?? 0;
  if (!dtypeFromOnnx(code)) return undefined;
  const dtype = dtypeOrThrow(code, "tensor type", where);
  if (!tt.shape) return { dtype };
  return { dtype, shape: (tt.shape.dim ?? []).map(dimFromProto) };
}

function dimFromProto(d: DimensionMsg): Dim {
  if (Object.hasOwn(d, "dimValue")) return int64ToNumber(d.dimValue);
  if (Object.hasOwn(d, "dimParam")) return d.dimParam ?? "";
  return null;
}

/**
 * A ValueInfoProto as {@linkcode ValueInfo}. Tensor types with a supported dtype, and
 * sequences and optionals of them, become typed values ({@linkcode typeFromProto}); every
 * other type (map, sparse, float8, …) is kept as an {@linkcode OpaqueType} holding the
 * encoded TypeProto.
 */
export function valueInfoFromProto(v: ValueInfoMsg): ValueInfo {
  const vi: ValueInfo = { name: v.name ?? "" };
  if (v.type) {
    const vt = typeFromProto(v.type, "");
    if (vt) vi.type = vt;
    else {
      const opaque: OpaqueType = { kind: "opaque", encoded: encodeMsg(TypeProtoType, v.type) };
      vi.type = opaque;
    }
  }
  if (v.docString) vi.docString = v.docString;
  return vi;
}
