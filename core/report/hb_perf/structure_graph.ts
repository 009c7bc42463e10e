/**
 * The BIN Model Structure of an `hb_perf` report (spec `horizon.md` §10): the model at
 * subgraph level — model inputs, BPU subgraphs (dark), CPU nodes (grey), model outputs —
 * with an edge per value passed between them, drawn as an inline SVG.
 *
 * Layout: each node sits one layer below its deepest producer (inputs on layer 0), nodes of
 * a layer left to right in execution order, every layer centred; edges are straight arrows
 * from the bottom of the producer to the top of the consumer. Names longer than a box are
 * shortened with "…"; the full name is the node's tooltip (`<title>`).
 *
 * @module
 */
import type { CompiledGroup } from "../../compile/types.ts";

/** Kind of a structure node. */
export type StructureNodeKind = "input" | "output" | "bpu" | "cpu";

/** One box of the structure graph. */
export interface StructureNode {
  /** Unique id (`bpu:subgraph_npu_0`, `cpu:Softmax_3`, `input:data`, `output:prob`). */
  readonly id: string;
  /** What the box stands for (decides its colour). */
  readonly kind: StructureNodeKind;
  /** Name shown (subgraph, node or tensor name). */
  readonly label: string;
  /** Second line: the CPU node's operator type, the BPU subgraph's operator count. */
  readonly detail: string;
  /** Page the box links to (BPU subgraphs: their detail page). */
  readonly href?: string;
}

/** One value passed from a producer box to a consumer box. */
export interface StructureEdge {
  /** Id of the producing box. */
  readonly from: string;
  /** Id of the consuming box. */
  readonly to: string;
  /** Tensor name. */
  readonly value: string;
}

/** The subgraph-level graph. */
export interface StructureGraph {
  /** Boxes in execution order (inputs first, outputs last). */
  readonly nodes: readonly StructureNode[];
  /** One edge per value and producer/consumer pair. */
  readonly edges: readonly StructureEdge[];
}

/** Quantization bookkeeping in a QDQ program: not counted as an operator. */
const BOOKKEEPING = new Set(["QuantizeLinear", "DequantizeLinear"]);

/** The structure graph of one input-shape group (empty without a group). */
export function structureGraph(group: CompiledGroup | undefined): StructureGraph {
  if (!group) return { nodes: [], edges: [] };
  const nodes: StructureNode[] = [];
  const producer = new Map<string, string>();
  const edges: StructureEdge[] = [];
  const seen = new Set<string>();
  const link = (value: string, to: string) => {
    const from = producer.get(value);
    const key = `${from}\u0000${to}\u0000${value}`;
    if (from === undefined || seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, value });
  };
  for (const v of group.inputs) {
    const id = `input:${v.name}`;
    nodes.push({ id, kind: "input", label: v.name, detail: "model input" });
    producer.set(v.name, id);
  }
  for (const s of group.subgraphs) {
    if (s.kind === "npu") {
      const id = `bpu:${s.name}`;
      const ops = s.program.graph.nodes.filter((n) => !BOOKKEEPING.has(n.opType)).length;
      nodes.push({
        id,
        kind: "bpu",
        label: s.name,
        detail: `BPU, ${ops} op${ops === 1 ? "" : "s"}`,
        href: `${s.name}.html`,
      });
      for (const v of s.inputs) link(v.name, id);
      for (const v of s.outputs) producer.set(v.name, id);
      continue;
    }
    for (const n of s.nodes) {
      const id = `cpu:${n.name}`;
      nodes.push({ id, kind: "cpu", label: n.name, detail: `CPU, ${n.opType}` });
      for (const i of n.inputs) if (i) link(i, id);
      for (const o of n.outputs) if (o) producer.set(o, id);
    }
  }
  for (const v of group.outputs) {
    const id = `output:${v.name}`;
    nodes.push({ id, kind: "output", label: v.name, detail: "model output" });
    link(v.name, id);
  }
  return { nodes, edges };
}

const BOX_W = 220;
const BOX_H = 44;
const GAP_X = 28;
const GAP_Y = 44;
const MARGIN = 16;
/** Characters that fit on a box line at the font size used. */
const LABEL_CHARS = 30;

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function shorten(s: string): string {
  return s.length <= LABEL_CHARS ? s : `${s.slice(0, LABEL_CHARS - 1)}…`;
}

/** Layer of every node: one below its deepest producer. */
function layers(g: StructureGraph): Map<string, number> {
  const preds = new Map<string, string[]>();
  for (const e of g.edges) preds.set(e.to, [...preds.get(e.to) ?? [], e.from]);
  const layer = new Map<string, number>();
  for (const n of g.nodes) {
    const p = preds.get(n.id) ?? [];
    layer.set(n.id, p.length ? 1 + Math.max(...p.map((x) => layer.get(x) ?? 0)) : 0);
  }
  return layer;
}

/** Position of every box (top-left corner) and the drawing size. */
export function layoutStructure(
  g: StructureGraph,
): { pos: Map<string, { x: number; y: number }>; width: number; height: number } {
  const layer = layers(g);
  const rows: string[][] = [];
  for (const n of g.nodes) (rows[layer.get(n.id)!] ??= []).push(n.id);
  const widest = Math.max(1, ...rows.map((r) => r?.length ?? 0));
  const width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X;
  const pos = new Map<string, { x: number; y: number }>();
  rows.forEach((row, k) => {
    const w = row.length * BOX_W + (row.length - 1) * GAP_X;
    const x0 = (width - w) / 2;
    row.forEach((id, i) =>
      pos.set(id, { x: x0 + i * (BOX_W + GAP_X), y: MARGIN + k * (BOX_H + GAP_Y) })
    );
  });
  const height = 2 * MARGIN + rows.length * BOX_H + Math.max(0, rows.length - 1) * GAP_Y;
  return { pos, width, height };
}

/**
 * The structure graph as a standalone SVG element (no external resources). Boxes are
 * `<g class="node bpu|cpu|input|output" data-id="…">`, edges `<line class="edge">`.
 */
export function structureSvg(g: StructureGraph): string {
  const { pos, width, height } = layoutStructure(g);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="structure" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="BIN Model Structure">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" ` +
    `markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>`,
    `<g class="edges">`,
  ];
  for (const e of g.edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    out.push(
      `<line class="edge" x1="${a.x + BOX_W / 2}" y1="${a.y + BOX_H}" x2="${b.x + BOX_W / 2}" ` +
        `y2="${b.y}" stroke="#666" stroke-width="1.2" marker-end="url(#arrow)">` +
        `<title>${escapeXml(e.value)}</title></line>`,
    );
  }
  out.push(`</g>`);
  for (const n of g.nodes) {
    const { x, y } = pos.get(n.id)!;
    const box =
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="${
        n.kind === "input" || n.kind === "output" ? 22 : 5
      }"/>` +
      `<text x="${x + BOX_W / 2}" y="${y + 18}" class="label">${
        escapeXml(shorten(n.label))
      }</text>` +
      `<text x="${x + BOX_W / 2}" y="${y + 35}" class="detail">${escapeXml(n.detail)}</text>`;
    const body = n.href ? `<a href="${escapeXml(n.href)}">${box}</a>` : box;
    out.push(
      `<g class="node ${n.kind}" data-id="${escapeXml(n.id)}"><title>${
        escapeXml(`${n.label} (${n.detail})`)
      }</title>${body}</g>`,
    );
  }
  out.push(`</svg>`);
  return out.join("\n");
}
