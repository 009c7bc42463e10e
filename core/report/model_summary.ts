/**
 * A model's summary: inputs/outputs, opsets, operator histogram and parameter bytes —
 * the data of `axb inspect` and of the model table pulsar2 prints on load.
 *
 * @module
 */
import type { Model, ValueInfo } from "../ir/graph.ts";
import { DTYPES } from "../ir/dtype.ts";
import { formatTable } from "./table.ts";

/** Summary of a model, as `axb inspect --json` prints it. */
export interface ModelSummary {
  /** The model file as given. */
  file: string;
  /** ONNX IR version. */
  irVersion: number;
  /** Producer name and version. */
  producer: string;
  /** Opset version by domain (`ai.onnx` for the default domain). */
  opsets: Record<string, number>;
  /** Runtime inputs (initializers excluded): name, dtype label, shape. */
  inputs: { name: string; dtype: string; shape: (number | string | null)[] | null }[];
  /** Graph outputs: name, dtype label, shape. */
  outputs: { name: string; dtype: string; shape: (number | string | null)[] | null }[];
  /** Node count of the main graph. */
  nodes: number;
  /** Node count by op type, subgraphs included, sorted by op type. */
  ops: Record<string, number>;
  /** Initializer elements and bytes of the main graph. */
  parameters: { count: number; bytes: number };
  /** The model's metadata properties. */
  metadata: Record<string, string>;
}

/** Build the summary of a loaded model. */
export function summarizeModel(model: Model, file: string): ModelSummary {
  const ops: Record<string, number> = {};
  const count = (nodes: Model["graph"]["nodes"]) => {
    for (const n of nodes) {
      const key = n.domain ? `${n.domain}::${n.opType}` : n.opType;
      ops[key] = (ops[key] ?? 0) + 1;
      for (const a of n.attrs.values()) {
        if (a.kind === "graph") count(a.value.nodes);
        if (a.kind === "graphs") { for (const g of a.value) count(g.nodes); }
      }
    }
  };
  count(model.graph.nodes);
  let params = 0;
  let bytes = 0;
  for (const t of model.graph.initializers.values()) {
    params += t.size;
    bytes += t.byteLength;
  }
  const io = (v: ValueInfo) => {
    const t = v.type;
    if (!t || "kind" in t) {
      return { name: v.name, dtype: t ? "non-tensor" : "unknown", shape: null };
    }
    return { name: v.name, dtype: DTYPES[t.dtype].label, shape: t.shape ? [...t.shape] : null };
  };
  return {
    file,
    irVersion: model.irVersion,
    producer: [model.producerName, model.producerVersion].filter((s) => s).join(" "),
    opsets: Object.fromEntries([...model.opsetImports].map(([d, v]) => [d || "ai.onnx", v])),
    inputs: model.graph.runtimeInputs.map(io),
    outputs: model.graph.outputs.map(io),
    nodes: model.graph.nodes.length,
    ops: Object.fromEntries(Object.entries(ops).sort(([a], [b]) => a.localeCompare(b))),
    parameters: { count: params, bytes },
    metadata: Object.fromEntries(model.metadataProps),
  };
}

function formatShapeTuple(shape: (number | string | null)[] | null): string {
  if (!shape) return "(unknown rank)";
  return `(${shape.map((d) => d ?? "?").join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** Human-readable size: `13.32 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(2)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * The summary as pulsar2's two-column model table.
 *
 * @param opts `maxWidth` of the table (default: the terminal's width)
 */
export function formatSummary(s: ModelSummary, opts: { maxWidth?: number } = {}): string {
  const rows: string[][] = [
    ["Model Name", s.file.split("/").pop() ?? s.file],
    ["Model Info", `Op Set: ${s.opsets["ai.onnx"] ?? "?"} / IR Version: ${s.irVersion}`],
  ];
  for (const i of s.inputs) {
    rows.push([`IN: ${i.name}`, `${i.dtype}: ${formatShapeTuple(i.shape)}`]);
  }
  for (const o of s.outputs) {
    rows.push([`OUT: ${o.name}`, `${o.dtype}: ${formatShapeTuple(o.shape)}`]);
  }
  for (const [op, n] of Object.entries(s.ops)) rows.push([op, String(n)]);
  rows.push(["Model Size", formatBytes(s.parameters.bytes)]);
  return formatTable(rows, opts);
}
