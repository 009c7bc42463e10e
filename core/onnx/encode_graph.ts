/**
 * The core IR → GraphProto/NodeProto/AttributeProto/TypeProto message objects.
 *
 * @module
 */
import type { Attribute } from "../ir/attribute.ts";
import type { Graph, Node, ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { Dim, ValueType } from "../ir/types.ts";
import { DTYPES } from "../ir/dtype.ts";
import {
  type AttributeMsg,
  AttributeType,
  decodeAs,
  type DimensionMsg,
  type GraphMsg,
  type NodeMsg,
  numberToInt64,
  SparseTensorProtoType,
  type StringStringEntryMsg,
  TensorAnnotationType,
  type TensorMsg,
  type TypeMsg,
  TypeProtoType,
  type ValueInfoMsg,
} from "./onnx_proto.ts";
import { tensorToProto } from "./tensor_proto.ts";

const utf8 = new TextEncoder();

/** Hook that may place an initializer's data elsewhere (external data); else undefined. */
export type InitializerEncoder = (tensor: Tensor, name: string) => TensorMsg | undefined;

/** Convert a {@linkcode Graph} (and its subgraphs) to a GraphProto message object. */
export function graphToProto(g: Graph, initializer?: InitializerEncoder): GraphMsg {
  const msg: GraphMsg = {
    name: g.name,
    node: g.nodes.map((n) => nodeToProto(n, initializer)),
    input: g.inputs.map(valueInfoToProto),
    output: g.outputs.map(valueInfoToProto),
    initializer: [...g.initializers].map(([name, t]) =>
      initializer?.(t, name) ?? tensorToProto(t, name)
    ),
    valueInfo: [...g.valueInfo.values()].map(valueInfoToProto),
    sparseInitializer: g.opaque.sparseInitializers.map((b) => SparseTensorProtoType.decode(b)),
    quantizationAnnotation: g.opaque.quantizationAnnotation.map((b) =>
      TensorAnnotationType.decode(b)
    ),
  };
  if (g.docString) msg.docString = g.docString;
  return msg;
}

/** A string map as repeated StringStringEntryProto. */
export function mapToEntries(m: ReadonlyMap<string, string>): StringStringEntryMsg[] {
  return [...m].map(([key, value]) => ({ key, value }));
}

function nodeToProto(n: Node, initializer?: InitializerEncoder): NodeMsg {
  const msg: NodeMsg = {
    input: n.inputs,
    output: n.outputs,
    name: n.name,
    opType: n.opType,
    attribute: [...n.attrs].map(([name, a]) => attributeToProto(name, a, initializer)),
  };
  if (n.domain) msg.domain = n.domain;
  if (n.docString) msg.docString = n.docString;
  if (n.metadata?.size) msg.metadataProps = mapToEntries(n.metadata);
  return msg;
}

function attributeToProto(
  name: string,
  a: Attribute,
  initializer?: InitializerEncoder,
): AttributeMsg {
  switch (a.kind) {
    case "float":
      return { name, type: AttributeType.FLOAT, f: a.value };
    case "int":
      return { name, type: AttributeType.INT, i: numberToInt64(a.value) };
    case "string":
      return { name, type: AttributeType.STRING, s: utf8.encode(a.value) };
    case "tensor":
      return { name, type: AttributeType.TENSOR, t: tensorToProto(a.value, "") };
    case "graph":
      return { name, type: AttributeType.GRAPH, g: graphToProto(a.value, initializer) };
    case "type":
      return { name, type: AttributeType.TYPE_PROTO, tp: typeToProto(a.value) };
    case "floats":
      return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case "ints":
      return { name, type: AttributeType.INTS, ints: a.value.map(numberToInt64) };
    case "strings":
      return {
        name,
        type: AttributeType.STRINGS,
        strings: a.value.map((s) => utf8.encode(s)),
      };
    case "tensors":
      return {
        name,
        type: AttributeType.TENSORS,
        tensors: a.value.map((t) => tensorToProto(t, "")),
      };
    case "graphs":
      return {
        name,
        type: AttributeType.GRAPHS,
        graphs: a.value.map((g) => graphToProto(g, initializer)),
      };
    case "types":
      return { name, type: AttributeType.TYPE_PROTOS, typeProtos: a.value.map(typeToProto) };
  }
}

function dimToProto(d: Dim): DimensionMsg {
  if (typeof d === "number") return { dimValue: numberToInt64(d) };
  if (typeof d === "string") return { dimParam: d };
  return {};
}

/** The TypeProto of a value type (opaque types are written back byte for byte). */
function typeToProto(t: ValueType): TypeMsg {
  if (!("kind" in t)) {
    const tensorType: NonNullable<TypeMsg["tensorType"]> = { elemType: DTYPES[t.dtype].onnx };
    if (t.shape) tensorType.shape = { dim: t.shape.map(dimToProto) };
    return { tensorType };
  }
  switch (t.kind) {
    case "sequence":
      return { sequenceType: { elemType: typeToProto(t.elem) } };
    case "optional":
      return { optionalType: { elemType: typeToProto(t.elem) } };
    case "opaque":
      return decodeAs<TypeMsg>(TypeProtoType, t.encoded);
  }
}

function valueInfoToProto(v: ValueInfo): ValueInfoMsg {
  const msg: ValueInfoMsg = { name: v.name };
  if (v.type) {
    msg.type = typeToProto(v.type);
  }
  if (v.docString) msg.docString = v.docString;
  return msg;
}
