/**
 * The `hb_mapper checker` result (spec `horizon.md` §2, §9.1): one row per node with
 * `Node`, `ON` (`BPU`/`CPU`), `Subgraph` (`id(n)` for the n-th BPU subgraph, `--` on the CPU)
 * and `Type`, then a reason block per CPU node:
 *
 * ```text
 * ===============================================
 * Node          ON   Subgraph  Type
 * -----------------------------------------------
 * Convolution1  BPU  id(0)     BpuConv
 * Convolution2  CPU  --        Conv
 * Convolution3  BPU  id(1)     BpuConv
 *
 * Layer Convolution2
 *         Conv "Convolution2": kernel_shape is [9, 9], bernoulli2 supports kernel H×W in [1, 7]×[1, 7] only
 * ```
 *
 * `Type` of a BPU node is axb's own implementation name (never the vendor's), derived from
 * the operator capability table by {@linkcode bpuImplementationName}; a CPU node shows its
 * ONNX operator type.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { nodeLabel } from "../ir/graph.ts";
import type { PartitionResult } from "../compile/types.ts";
import { type IntegerKernelId, nodeCapabilities } from "../quant/op_capabilities.ts";

/** One row of the checker table. */
export interface CheckerRow {
  /** Node name (or `Op_type` label when unnamed). */
  readonly node: string;
  /** Engine. */
  readonly on: "BPU" | "CPU";
  /** BPU subgraph number; undefined on the CPU. */
  readonly subgraph?: number;
  /** Implementation name (BPU) or ONNX operator type (CPU). */
  readonly type: string;
  /** Why the node runs on the CPU (CPU rows). */
  readonly reason?: string;
}

/** Implementation name of each integer kernel of the capability table. */
const KERNEL_NAMES: Readonly<Record<IntegerKernelId, string>> = {
  conv: "BpuConv",
  "conv-transpose": "BpuDeconv",
  gemm: "BpuFullyConnected",
  matmul: "BpuMatMul",
  add: "BpuElementwise",
  sub: "BpuElementwise",
  mul: "BpuElementwise",
  "global-average-pool": "BpuPool",
  concat: "BpuConcat",
};

/**
 * axb's implementation name of a node placed on the BPU, from what the capability table
 * says about its operator: its integer kernel (`BpuConv`, `BpuDeconv`, `BpuFullyConnected`,
 * `BpuMatMul`, `BpuElementwise`, `BpuPool`, `BpuConcat`), an activation folded into its
 * producer (`BpuActivation`), a lookup table (`BpuLookupTable`), pooling by window
 * (`BpuPool`), data movement (`BpuDataMove`), no work (`BpuFolded`), else vector work
 * (`BpuVector`).
 */
export function bpuImplementationName(node: Node): string {
  const cap = nodeCapabilities(node);
  if (cap.integer) return KERNEL_NAMES[cap.integer.kernel];
  if (cap.boundsActivation) return "BpuActivation";
  if (cap.lut) return "BpuLookupTable";
  if (/Pool$/.test(node.opType)) return "BpuPool";
  if (cap.cost === "move") return "BpuDataMove";
  if (cap.cost === "folded") return "BpuFolded";
  return "BpuVector";
}

/** The checker rows of a partition, in its (topological) node order. */
export function checkerRows(result: PartitionResult): CheckerRow[] {
  return result.placements.map((p) => {
    const node = nodeLabel(p.node);
    if (p.on === "CPU") {
      return { node, on: "CPU", type: p.node.opType, reason: p.reason ?? "placed on the CPU" };
    }
    const m = /_(\d+)$/.exec(p.subgraph);
    return {
      node,
      on: "BPU",
      subgraph: m ? Number(m[1]) : 0,
      type: bpuImplementationName(p.node),
    };
  });
}

/** The §9.1 table: columns two spaces apart, `=` and `-` rules as wide as the text. */
export function formatCheckerTable(rows: readonly CheckerRow[]): string {
  const cells = [
    ["Node", "ON", "Subgraph", "Type"],
    ...rows.map((
      r,
    ) => [r.node, r.on, r.subgraph === undefined ? "--" : `id(${r.subgraph})`, r.type]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((r) => r[c].length)));
  const lines = cells.map((r) =>
    r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join("  ")
  );
  const total = Math.max(...lines.map((l) => l.length));
  const [head, ...body] = lines;
  return ["=".repeat(total), head, "-".repeat(total), ...body].join("\n");
}

/** One `Layer NAME` block per CPU node, its reason indented below (§2). */
export function formatCpuReasons(rows: readonly CheckerRow[]): string {
  return rows.filter((r) => r.on === "CPU")
    .map((r) => `Layer ${r.node}\n        ${r.reason}`)
    .join("\n");
}
