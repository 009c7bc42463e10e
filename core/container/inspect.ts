/**
 * `axb inspect` for `compiled.axmodel`: the model summary (its operator counts are the
 * operators inside the subgraphs, not the container's NPU nodes) plus one row per
 * subgraph (engine, group, batches, I/O, operators inside, estimated latency, "n/a" when
 * the target made no estimate) and the input-shape groups.
 *
 * @module
 */
import type { Model, Node, ValueInfo } from "../ir/graph.ts";
import type { BatchCost } from "../compile/types.ts";
import { DTYPES } from "../ir/dtype.ts";
import {
  formatBytes,
  formatSummary,
  type ModelSummary,
  summarizeModel,
} from "../report/model_summary.ts";
import { formatTable } from "../report/table.ts";
import { NO_ESTIMATE } from "../compile/subgraph_table.ts";
import { decodeCompiledModel } from "./decode.ts";
import { npuNodeName } from "./encode.ts";

/** Q/DQ nodes of a program: encoding, not computation; left out of the operator counts. */
const QDQ_OPS = new Set(["QuantizeLinear", "DequantizeLinear"]);

/** A value at a subgraph or group boundary. */
export interface IoSummary {
  /** Value name. */
  name: string;
  /** Element type label (`float32`), `unknown` or `non-tensor`. */
  dtype: string;
  /** Dimensions (null for unknown ones), or null for unknown rank. */
  shape: (number | string | null)[] | null;
}

/** One subgraph of a compiled model. */
export interface SubgraphSummary {
  /** Node name for NPU subgraphs (`subgraph_npu_0_g1`), subgraph name for CPU ones. */
  name: string;
  /** Engine. */
  kind: "npu" | "cpu";
  /** Compiled batch sizes (empty for CPU subgraphs). */
  batches: number[];
  /** Target and core mode (`AX650 NPU1`), or `CPU`. */
  target: string;
  /** Input-shape group. */
  group: number;
  /** Boundary values read. */
  inputs: string[];
  /** Boundary values produced. */
  outputs: string[];
  /** Operators inside (Q/DQ of NPU programs excluded), by op type. */
  nodes: Record<string, number>;
  /** Weight bytes of the program (NPU) or of the initializers the nodes read (CPU). */
  weightBytes: number;
  /**
   * Per-batch estimate of an NPU subgraph; absent when the target made none and for CPU
   * subgraphs.
   */
  cost?: BatchCost[];
}

/** One input-shape group. */
export interface GroupSummary {
  /** Group number (0 = the original shapes). */
  index: number;
  /** The group's graph inputs. */
  inputs: IoSummary[];
  /** The group's graph outputs. */
  outputs: IoSummary[];
  /** Names of its subgraphs, in execution order. */
  subgraphs: string[];
}

/** `axb inspect --json` of a compiled model. */
export interface CompiledSummary extends ModelSummary {
  /** Marks a compiled container (plain models have no `kind`). */
  kind: "compiled";
  /** Canonical target name. */
  target: string;
  /** axb version that wrote the container. */
  axbVersion: string;
  /** Every subgraph of every group. */
  subgraphs: SubgraphSummary[];
  /** The input-shape groups. */
  groups: GroupSummary[];
}

function io(v: ValueInfo): IoSummary {
  const t = v.type;
  if (!t || "kind" in t) return { name: v.name, dtype: t ? "non-tensor" : "unknown", shape: null };
  return { name: v.name, dtype: DTYPES[t.dtype].label, shape: t.shape ? [...t.shape] : null };
}

function opCounts(nodes: readonly Node[], skip: ReadonlySet<string>): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const n of nodes) {
    if (skip.has(n.opType)) continue;
    const key = n.domain ? `${n.domain}::${n.opType}` : n.opType;
    ops[key] = (ops[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(ops).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The operators of the model as compiled: the NPU programs' (Q/DQ left out) and the CPU
 * subgraphs' of group 0, never the container's own NPU nodes (other groups hold the same
 * operators at other shapes).
 */
function modelOps(subgraphs: readonly SubgraphSummary[]): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const s of subgraphs) {
    for (const [op, n] of Object.entries(s.nodes)) ops[op] = (ops[op] ?? 0) + n;
  }
  return Object.fromEntries(Object.entries(ops).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Summarize a compiled container. `ops` counts the operators inside its subgraphs (see
 * `modelOps`), not the container's nodes; `parameters` counts the CPU initializers and
 * every NPU program's weights.
 *
 * @param model the loaded container
 * @param file its path (for the summary and errors)
 * @throws {ModelFormatError} when the model is not an axb compiled model
 */
export function summarizeCompiled(model: Model, file: string): CompiledSummary {
  const cm = decodeCompiledModel(model, file);
  const base = summarizeModel(model, file);
  const subgraphs: SubgraphSummary[] = [];
  let params = base.parameters.count;
  let bytes = base.parameters.bytes;
  const groups = cm.groups.map((g): GroupSummary => {
    const names: string[] = [];
    for (const s of g.subgraphs) {
      const common = {
        group: g.index,
        inputs: s.inputs.map((v) => v.name),
        outputs: s.outputs.map((v) => v.name),
      };
      if (s.kind === "npu") {
        let w = 0;
        for (const t of s.program.graph.initializers.values()) {
          w += t.byteLength;
          params += t.size;
        }
        bytes += w;
        const name = npuNodeName(s.name, g.index);
        names.push(name);
        subgraphs.push({
          name,
          kind: "npu",
          batches: [...s.batches],
          target: [s.target, s.npuMode].filter((x) => x).join(" "),
          ...common,
          nodes: opCounts(s.program.graph.nodes, QDQ_OPS),
          weightBytes: w,
          ...(s.cost ? { cost: [...s.cost] } : {}),
        });
      } else {
        const read = new Set(s.nodes.flatMap((n) => n.inputs));
        let w = 0;
        for (const [k, t] of cm.cpuInitializers) if (read.has(k)) w += t.byteLength;
        names.push(s.name);
        subgraphs.push({
          name: s.name,
          kind: "cpu",
          batches: [],
          target: "CPU",
          ...common,
          nodes: opCounts(s.nodes, new Set()),
          weightBytes: w,
        });
      }
    }
    return {
      index: g.index,
      inputs: g.inputs.map(io),
      outputs: g.outputs.map(io),
      subgraphs: names,
    };
  });
  return {
    ...base,
    ops: modelOps(subgraphs.filter((x) => x.group === 0)),
    parameters: { count: params, bytes },
    kind: "compiled",
    target: cm.target,
    axbVersion: cm.version,
    subgraphs,
    groups,
  };
}

/** The Latency column: per batch for NPU subgraphs, "n/a" without an estimate, "-" for CPU. */
function latencyText(x: SubgraphSummary): string {
  if (x.kind === "cpu") return "-";
  if (!x.cost) return NO_ESTIMATE;
  return x.cost.map((c) => `b${c.batch}: ${c.latencyMs.toFixed(3)}`).join(", ");
}

function shapeText(s: IoSummary): string {
  return `${s.name} ${s.dtype} (${(s.shape ?? []).map((d) => d ?? "?").join(", ")})`;
}

/**
 * The summary as text: the model table, a subgraph table and a group table.
 *
 * @param opts `maxWidth` of the tables (default: the terminal's width; `Infinity` never
 *   wraps)
 */
export function formatCompiledSummary(
  s: CompiledSummary,
  opts: { maxWidth?: number } = {},
): string {
  const { maxWidth } = opts;
  const subRows = s.subgraphs.map((x) => [
    x.name,
    x.kind.toUpperCase(),
    String(x.group),
    x.target,
    x.batches.length ? `[${x.batches.join(", ")}]` : "-",
    x.inputs.join(", "),
    x.outputs.join(", "),
    Object.entries(x.nodes).map(([op, n]) => `${op}×${n}`).join(" "),
    formatBytes(x.weightBytes),
    latencyText(x),
  ]);
  const groupRows = s.groups.map((g) => [
    String(g.index),
    g.inputs.map(shapeText).join("; "),
    g.outputs.map(shapeText).join("; "),
    g.subgraphs.join(", "),
  ]);
  return [
    formatSummary(s, { maxWidth }),
    formatTable(subRows, {
      maxWidth,
      title: `Subgraphs (target ${s.target}, written by axb ${s.axbVersion})`,
      header: [
        "Subgraph",
        "Kind",
        "Group",
        "Target",
        "Batches",
        "Inputs",
        "Outputs",
        "Ops",
        "Weights",
        "Latency ms",
      ],
    }),
    formatTable(groupRows, {
      maxWidth,
      title: "Groups",
      header: ["Group", "Inputs", "Outputs", "Subgraphs"],
    }),
  ].join("\n");
}
