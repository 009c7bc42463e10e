/**
 * Renderings of the precision analysis: the Quant Precision Table (console and
 * `quant/debug/precision_analysis_table.txt`) and a Mermaid flowchart
 * (`quant/debug/precision_analysis.mmd`) whose tensor nodes are coloured by cosine, the top
 * offenders (largest isolated error) and collapsed tensors marked.
 *
 * @module
 */
import type { Graph } from "../ir/graph.ts";
import type { PrecisionRow } from "../quant/precision_analysis.ts";
import { type Collapse, FEW_CODES } from "../quant/precision_channels.ts";
import { formatTable, type TableOptions } from "./table.ts";

function tuple(shape: readonly (number | string | null)[]): string {
  return `(${shape.map((d) => d ?? "?").join(", ")}${shape.length === 1 ? "," : ""})`;
}

/**
 * The table, titled `Quant Precision Table【PerLayer Reference】`: one row per operator
 * (a fused chain names each of its operators) and, last, the model outputs handed over
 * by their DequantizeLinear. Input rows are left out, as pulsar2 leaves them out.
 *
 * pulsar2's eight columns come first (`Cosin`/`MSE` are the method's error), then axb's:
 * the isolated and accumulated cosine, `Top` (`*1` … `*10`, the largest isolated errors)
 * and `Collapse` (a flagged tensor: its few-code channels, the channel range ratio).
 * Below the table, the top offenders in rank order, and the outputs' agreement with the
 * float model (per-channel cosine min/median; top-1/top-5 for classifier-like outputs).
 *
 * @param opts `maxWidth` of the table (default: the terminal's)
 */
export function formatPrecisionTable(
  rows: readonly PrecisionRow[],
  method: string,
  mode: string,
  opts: Pick<TableOptions, "maxWidth"> = {},
): string {
  const cos = (m: { cosine: number } | undefined) => (m ? m.cosine.toFixed(5) : "");
  const table = formatTable(
    rows.filter((r) => r.kind !== "input").map((r) => [
      r.operator,
      r.type,
      r.tensor,
      tuple(r.shape),
      r.dtype,
      r.qdtype,
      r.cosine.toFixed(5),
      r.mse.toFixed(5),
      cos(r.isolated),
      cos(r.accumulated),
      r.offender ? `*${r.offender}` : "",
      collapseText(r.collapse),
    ]),
    {
      title: `Quant Precision Table【${method} ${mode}】`,
      header: [
        "Operator",
        "Type",
        "Output Tensor",
        "Shape",
        "DType",
        "QDType",
        "Cosin",
        "MSE",
        "Isolated",
        "Accum",
        "Top",
        "Collapse",
      ],
      ...opts,
    },
  );
  return [table, ...offenderLines(rows), ...agreementLines(rows)].join("\n");
}

function collapseText(c: Collapse | undefined): string {
  if (!c?.flagged) return "";
  return `${c.fewCodeChannels}/${c.channels} ch < ${FEW_CODES} codes, range x${
    Math.round(c.rangeRatio)
  }`;
}

function offenderLines(rows: readonly PrecisionRow[]): string[] {
  const top = rows.filter((r) => r.offender).sort((a, b) => (a.offender ?? 0) - (b.offender ?? 0));
  if (!top.length) return [];
  return [
    "Top offenders by isolated error (float inputs into one quantized operator):",
    ...top.map((r) =>
      `  *${r.offender} ${r.operator} (${r.type}) -> ${r.tensor}: isolated ${
        r.isolated?.cosine.toFixed(5)
      }, accumulated ${r.accumulated?.cosine.toFixed(5) ?? "-"}${
        r.collapse?.flagged ? ", collapsed" : ""
      }`
    ),
  ];
}

function agreementLines(rows: readonly PrecisionRow[]): string[] {
  const outs = rows.filter((r) => r.kind === "output" && r.agreement);
  if (!outs.length) return [];
  const pct = (x: number | undefined) => (x === undefined ? "" : `${(x * 100).toFixed(1)}%`);
  const samples = outs[0].agreement!.samples;
  return [
    `Outputs against float (end to end, ${samples} sample${samples === 1 ? "" : "s"}):`,
    ...outs.map((r) => {
      const a = r.agreement!;
      const classes = a.top1 === undefined
        ? ""
        : `, top-1 agreement ${pct(a.top1)}, top-5 ${pct(a.top5)}`;
      return `  ${r.tensor}: per-channel cosine min ${a.channelCosineMin.toFixed(5)}, median ${
        a.channelCosineMedian.toFixed(5)
      }${classes}`;
    }),
  ];
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
    if (!r) return;
    lines.push(`  class ${id} ${similarityClass(r.cosine)}`);
    if (r.offender) lines.push(`  class ${id} offender`);
    if (r.collapse?.flagged) lines.push(`  class ${id} collapsed`);
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
    "  classDef offender stroke:#cc0000,stroke-width:4px",
    "  classDef collapsed stroke-dasharray:6 3",
    `  legend["${method} ${mode}: green >= 0.999, yellow >= 0.99, orange >= 0.98, red < 0.98; ` +
      `thick red border: top offender by isolated error; dashed: collapsed channels"]`,
  );
  return lines.join("\n") + "\n";
}
