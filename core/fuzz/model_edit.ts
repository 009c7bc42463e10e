/**
 * Edits of a decoded ONNX ModelProto message, below the IR: they can write what the IR
 * would never hold (a dim of 2^63 − 1, opset 0, a node name with a newline), which is what
 * the fuzzer and the hostile-input tests need to make.
 *
 * @module
 */
import {
  bigIntToInt64,
  decodeAs,
  encodeMsg,
  type GraphMsg,
  type ModelMsg,
  ModelProtoType,
  type NodeMsg,
  type ValueInfoMsg,
} from "../onnx/onnx_proto.ts";

/** Decode model bytes to an editable message. */
export function decodeModelMsg(bytes: Uint8Array): ModelMsg {
  return decodeAs<ModelMsg>(ModelProtoType, bytes);
}

/** Encode an edited message. */
export function encodeModelMsg(msg: ModelMsg): Uint8Array {
  return encodeMsg(ModelProtoType, msg);
}

/** The main graph, created empty when the message has none. */
export function graphOf(msg: ModelMsg): GraphMsg {
  msg.graph ??= {};
  return msg.graph;
}

/** Set dim `axis` of value `v` to `value` (a number or a symbolic name). */
export function setDim(v: ValueInfoMsg, axis: number, value: bigint | string): void {
  const dims = v.type?.tensorType?.shape?.dim;
  if (!dims || dims.length === 0) return;
  const d = dims[axis % dims.length];
  delete d.dimValue;
  delete d.dimParam;
  if (typeof value === "string") d.dimParam = value;
  else d.dimValue = bigIntToInt64(value);
}

/** Set the element type code of value `v` (a tensor type). */
export function setElemType(v: ValueInfoMsg, code: number): void {
  const t = v.type?.tensorType;
  if (t) t.elemType = code;
}

/** Set the default-domain opset version. */
export function setOpset(msg: ModelMsg, version: bigint): void {
  const imports = msg.opsetImport ?? [];
  const main = imports.find((o) => !o.domain || o.domain === "ai.onnx");
  if (main) main.version = bigIntToInt64(version);
  else imports.push({ domain: "", version: bigIntToInt64(version) });
  msg.opsetImport = imports;
}

/** Set the IR version. */
export function setIrVersion(msg: ModelMsg, version: bigint): void {
  msg.irVersion = bigIntToInt64(version);
}

/** The first node of `opType`, if any. */
export function nodeOf(msg: ModelMsg, opType: string): NodeMsg | undefined {
  return graphOf(msg).node?.find((n) => n.opType === opType);
}

/** Set integer-list attribute `name` of `node` (replacing any attribute of that name). */
export function setIntsAttr(node: NodeMsg, name: string, values: readonly bigint[]): void {
  const rest = (node.attribute ?? []).filter((a) => a.name !== name);
  rest.push({ name, type: 7, ints: values.map((v) => bigIntToInt64(v)) });
  node.attribute = rest;
}
