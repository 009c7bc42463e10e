/**
 * Deep comparison of two IR models, reporting the first difference by path. Used to
 * check that load → save → load round trips are faithful.
 *
 * @module
 */
import type { Attribute } from "../ir/attribute.ts";
import type { Graph, Model, Node, ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { ValueType } from "../ir/types.ts";
import { tensorBytes } from "./tensor_proto.ts";

/**
 * The first difference between two models, as `path: found vs expected` text, or
 * undefined when they are equal (tensors compared bit for bit).
 *
 * @param a the first model
 * @param b the second model
 * @returns a description of the first difference, or undefined
 */
export function modelDifference(a: Model, b: Model): string | undefined {
  return sameScalars("model", a, b, [
    "irVersion",
    "producerName",
    "producerVersion",
    "domain",
    "modelVersion",
    "docString",
  ]) ??
    sameMap("model.opsetImports", a.opsetImports, b.opsetImports) ??
    sameMap("model.metadataProps", a.metadataProps, b.metadataProps) ??
    sameBytesList("model.opaque.functions", a.opaque.functions, b.opaque.functions) ??
    sameBytesList("model.opaque.trainingInfo", a.opaque.trainingInfo, b.opaque.trainingInfo) ??
    graphDifference(a.graph, b.graph, "graph");
}

/**
 * The first difference between two graphs (recursing into subgraph attributes), or
 * undefined when equal.
 */
export function graphDifference(a: Graph, b: Graph, path = "graph"): string | undefined {
  if (a.name !== b.name) return `${path}.name: "${a.name}" vs "${b.name}"`;
  if (a.docString !== b.docString) return `${path}.docString differs`;
  const lists: [string, ValueInfo[], ValueInfo[]][] = [
    ["inputs", a.inputs, b.inputs],
    ["outputs", a.outputs, b.outputs],
    ["valueInfo", [...a.valueInfo.values()], [...b.valueInfo.values()]],
  ];
  for (const [k, x, y] of lists) {
    if (x.length !== y.length) return `${path}.${k}: ${x.length} vs ${y.length} entries`;
    for (let i = 0; i < x.length; i++) {
      const d = valueInfoDifference(x[i], y[i], `${path}.${k}[${i}]`);
      if (d) return d;
    }
  }
  if (a.initializers.size !== b.initializers.size) {
    return `${path}.initializers: ${a.initializers.size} vs ${b.initializers.size} entries`;
  }
  const names = [...b.initializers.keys()];
  let i = 0;
  for (const [name, t] of a.initializers) {
    if (names[i++] !== name) return `${path}.initializers: order or name differs at "${name}"`;
    const u = b.initializers.get(name);
    const d = u ? tensorDifference(t, u, `${path}.initializers["${name}"]`) : "missing";
    if (d) return d;
  }
  const op = a.opaque, oq = b.opaque;
  const d = sameBytesList(`${path}.opaque.sparse`, op.sparseInitializers, oq.sparseInitializers) ??
    sameBytesList(`${path}.opaque.quant`, op.quantizationAnnotation, oq.quantizationAnnotation);
  if (d) return d;
  if (a.nodes.length !== b.nodes.length) {
    return `${path}.nodes: ${a.nodes.length} vs ${b.nodes.length} nodes`;
  }
  for (let n = 0; n < a.nodes.length; n++) {
    const d = nodeDifference(a.nodes[n], b.nodes[n], `${path}.nodes[${n}]`);
    if (d) return d;
  }
  return undefined;
}

function nodeDifference(a: Node, b: Node, path: string): string | undefined {
  const s = sameScalars(path, a, b, ["name", "opType", "domain", "docString"]);
  if (s) return s;
  if (a.inputs.join("\u0000") !== b.inputs.join("\u0000")) return `${path}.inputs differ`;
  if (a.outputs.join("\u0000") !== b.outputs.join("\u0000")) return `${path}.outputs differ`;
  const m = sameMap(`${path}.metadata`, a.metadata ?? new Map(), b.metadata ?? new Map());
  if (m) return m;
  if ((a.metadata === undefined) !== (b.metadata === undefined)) {
    return `${path}.metadata presence differs`;
  }
  const ka = [...a.attrs.keys()], kb = [...b.attrs.keys()];
  if (ka.join(",") !== kb.join(",")) return `${path}.attrs: [${ka}] vs [${kb}]`;
  for (const [k, x] of a.attrs) {
    const y = b.attrs.get(k);
    const d = y ? attributeDifference(x, y, `${path}.attrs.${k}`) : `${path}.attrs.${k} missing`;
    if (d) return d;
  }
  return undefined;
}

function attributeDifference(a: Attribute, b: Attribute, path: string): string | undefined {
  if (a.kind !== b.kind) return `${path}: kind ${a.kind} vs ${b.kind}`;
  const x: unknown = a.value, y: unknown = b.value;
  const xs = Array.isArray(x) ? x : [x];
  const ys = Array.isArray(y) ? y : [y];
  if (xs.length !== ys.length) return `${path}: ${xs.length} vs ${ys.length} values`;
  for (let i = 0; i < xs.length; i++) {
    const d = valueDifference(a.kind, xs[i], ys[i], `${path}[${i}]`);
    if (d) return d;
  }
  return undefined;
}

function valueDifference(
  kind: Attribute["kind"],
  x: unknown,
  y: unknown,
  path: string,
): string | undefined {
  switch (kind) {
    case "tensor":
    case "tensors":
      return tensorDifference(x as Tensor, y as Tensor, path);
    case "graph":
    case "graphs":
      return graphDifference(x as Graph, y as Graph, path);
    case "type":
    case "types":
      return typeDifference(x as ValueType, y as ValueType, path);
    default:
      return Object.is(x, y) ? undefined : `${path}: ${String(x)} vs ${String(y)}`;
  }
}

function valueInfoDifference(a: ValueInfo, b: ValueInfo, path: string): string | undefined {
  if (a.name !== b.name) return `${path}.name: "${a.name}" vs "${b.name}"`;
  if (a.docString !== b.docString) return `${path}.docString differs`;
  return typeDifference(a.type, b.type, `${path}.type`);
}

function typeDifference(
  a: ValueType | undefined,
  b: ValueType | undefined,
  path: string,
): string | undefined {
  if (a === undefined || b === undefined) {
    return a === b ? undefined : `${path}: presence differs`;
  }
  if ("kind" in a || "kind" in b) {
    if (!("kind" in a) || !("kind" in b)) return `${path}: non-tensor vs tensor type`;
    if (a.kind !== b.kind) return `${path}: ${a.kind} vs ${b.kind}`;
    if (a.kind === "opaque" || b.kind === "opaque") {
      return a.kind === "opaque" && b.kind === "opaque" && sameBytes(a.encoded, b.encoded)
        ? undefined
        : `${path}: opaque bytes differ`;
    }
    return typeDifference(a.elem, b.elem, `${path}.elem`);
  }
  if (a.dtype !== b.dtype) return `${path}.dtype: ${a.dtype} vs ${b.dtype}`;
  if ((a.shape === undefined) !== (b.shape === undefined)) return `${path}.shape presence`;
  const sa = JSON.stringify(a.shape), sb = JSON.stringify(b.shape);
  return sa === sb ? undefined : `${path}.shape: ${sa} vs ${sb}`;
}

/** The first difference between two tensors (dtype, shape, bits), or undefined. */
export function tensorDifference(a: Tensor, b: Tensor, path = "tensor"): string | undefined {
  if (a.dtype !== b.dtype) return `${path}.dtype: ${a.dtype} vs ${b.dtype}`;
  if (a.shape.join(",") !== b.shape.join(",")) {
    return `${path}.shape: [${a.shape}] vs [${b.shape}]`;
  }
  if (a.dtype === "string") {
    const x = a.data as string[], y = b.data as string[];
    return x.every((s, i) => s === y[i]) ? undefined : `${path}: strings differ`;
  }
  return sameBytes(tensorBytes(a), tensorBytes(b)) ? undefined : `${path}: data bits differ`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameBytesList(path: string, a: Uint8Array[], b: Uint8Array[]): string | undefined {
  if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} entries`;
  for (let i = 0; i < a.length; i++) {
    if (!sameBytes(a[i], b[i])) return `${path}[${i}]: bytes differ`;
  }
  return undefined;
}

function sameMap<V>(path: string, a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>) {
  const x = JSON.stringify([...a]), y = JSON.stringify([...b]);
  return x === y ? undefined : `${path}: ${x} vs ${y}`;
}

function sameScalars<T extends object>(
  path: string,
  a: T,
  b: T,
  keys: readonly (keyof T)[],
): string | undefined {
  for (const k of keys) {
    if (!Object.is(a[k], b[k])) {
      return `${path}.${String(k)}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
    }
  }
  return undefined;
}
