/**
 * Renderings of the precision analysis: the Quant Precision Table (console and
 * `quant/debug/precision_analysis_table.txt`) and a Mermaid flowchart
 * (`quant/debug/precision_analysis.mmd`) whose tensor nodes are coloured by cosine.
 *
 * @module
 */
import type { Graph } from "../ir/graph.ts";
import type { PrecisionRow } from "../quant/precision_analysis.ts";
import { formatTable, type TableOptions } from "./table.ts";

function tuple(shape: readonly (number | string | null)[]): string {
  return `(${shape.map((d) => d ?? "?").join(", ")}${shape.length === 1 ? "," : ""})`;
}

/**
 * The table, titled `Quant Precision Table【PerLayer Reference】`: one row per operator
 * (a fused chain names each of its operators) and, last, the model outputs handed over
 * by their DequantizeLinear. Input rows are left out, as pulsar2 leaves them out.
 *
 * @param opts `maxWidth` of the table (default: the terminal's)
 */
export function formatPrecisionTable(
  rows: readonly PrecisionRow[],
  method: string,
  mode: string,
  opts: Pick<TableOptions, "maxWidth"> = {},
): string {
  return formatTable(
    rows.filter((r) => r.kind !== "input").map((r) => [
      r.operator,
      r.type,
      r.tensor,
      tuple(r.shape),
      r.dtype,
      r.qdtype,
      r.cosine.toFixed(5),
      r.mse.toFixed(5),
    ]),
    {
      title: `Quant Precision Table【${method} ${mode}】`,
      header: ["Operator", "Type", "Output Tensor", "Shape", "DType", "QDType", "Cosin", "MSE"],
      ...opts,
    },
  );
}

/** Colour class of a cosine: green ≥ 0.999, yellow ≥ 0.99, orange ≥ 0.98, red below. */
export function similarityClass(cosine: number): "good" | "fair" | "poor" | "bad" {
  if (cosine >= 0.999) return "good";
  if (cosine >= 0.99) return "fair";
  if (cosine >= 0.98) return "poor";
  return "bad";
}

function mermaidId(name: string): string {
  return `t_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function mermaidText(s: string): string {
  return s.replace(/"/g, "'");
}

function metricLabel(r: PrecisionRow, from: string, to: string): string {
  return `${r.tensor},${tuple(r.shape)},${from}->${to},${r.cosine.toFixed(5)},${r.mse.toFixed(5)}`;
}

/**
 * A Mermaid flowchart: tensors are nodes labelled `name,(shape),FP32->U8,cosine,mse`,
 * operators are edges labelled `OpType,OpName` from what they read to what they write (a
 * fused chain as one edge `Conv + Relu,conv1 + relu1`). Model inputs show their own
 * quantization error; a tensor without a row (not float) shows its name and, when the
 * graph types it, its shape and type. Each output handed over by its DequantizeLinear
 * ends in a node labelled `name,(shape),U8->FP32,cosine,mse`.
 */
export function precisionMermaid(
  g: Graph,
  rows: readonly PrecisionRow[],
  method: string,
  mode: string,
): string {
  const compared = new Map<string, PrecisionRow>();
  for (const r of rows) if (r.kind !== "output") compared.set(r.tensor, r);
  const typed = new Map(
    [...g.inputs, ...g.outputs, ...g.valueInfo.values()].map((v) => [v.name, v.type]),
  );
  const lines = ["flowchart TD"];
  const declared = new Set<string>();
  const node = (id: string, label: string, r?: PrecisionRow) => {
    if (declared.has(id)) return;
    declared.add(id);
    lines.push(`  ${id}["${mermaidText(label)}"]`);
    if (r) lines.push(`  class ${id} ${similarityClass(r.cosine)}`);
  };
  const tensor = (name: string) => {
    const r = compared.get(name);
    if (r) return node(mermaidId(name), metricLabel(r, r.dtype, r.qdtype), r);
    const t = typed.get(name);
    const known = t && !("kind" in t) && t.shape ? `,${tuple(t.shape)},${t.dtype}` : "";
    node(mermaidId(name), `${name}${known}`);
  };
  const edge = (from: string, label: string, to: string) =>
    lines.push(`  ${mermaidId(from)} -->|"${mermaidText(label)}"| ${to}`);
  for (const r of rows) {
    if (r.kind === "input") continue;
    const to = r.kind === "node" ? mermaidId(r.tensor) : `${mermaidId(r.tensor)}__float`;
    if (r.kind === "node") tensor(r.tensor);
    else {
      const from = compared.get(r.tensor)?.qdtype ?? "FP32";
      node(to, metricLabel(r, from, r.qdtype), r);
    }
    for (const i of r.inputs) {
      tensor(i);
      edge(i, `${r.type},${r.operator}`, to);
    }
  }
  lines.push(
    "  classDef good fill:#8fd18f,stroke:#2f7d2f",
    "  classDef fair fill:#f4e285,stroke:#a38b00",
    "  classDef poor fill:#f6b26b,stroke:#b45f06",
    "  classDef bad fill:#ea9999,stroke:#990000",
    `  legend["${method} ${mode}: green >= 0.999, yellow >= 0.99, orange >= 0.98, red < 0.98"]`,
  );
  return lines.join("\n") + "\n";
}
