/**
 * Mixed precision from `quant.layer_configs`: which precision each operator runs at.
 *
 * Selectors: `layer_name`, `layer_names`, `op_type`, `op_types`, and the subgraph between
 * `start_tensor_names` and `end_tensor_names` (tensor names; `["DEFAULT"]` on both = the
 * whole model). When several entries hit one operator, a named operator beats an operator
 * type, which beats a subgraph; among equals the later entry wins. Entries that match
 * nothing are reported, never ignored silently.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import type { DataType, LayerConfig } from "../config/build_config.ts";

/** Precisions an activation can have. */
export type Precision = "U8" | "S8" | "U16" | "S16" | "FP32";

/** The precision settings of one operator. */
export interface NodePrecision {
  /** Precision of the operator's inputs and outputs. */
  data: Precision;
  /** Precision of its outputs (Conv's `output_data_type`; others follow `data`). */
  output: Precision;
  /** Weight storage (`S8` or `FP32`). */
  weight: "S8" | "FP32";
}

/** Order used when two consumers of one tensor ask for different precisions. */
export const PRECISION_RANK: Readonly<Record<Precision, number>> = {
  U8: 0,
  S8: 0,
  U16: 1,
  S16: 1,
  FP32: 2,
};

/** The higher of two precisions (FP32 > 16-bit > 8-bit; ties keep `a`). */
export function higher(a: Precision, b: Precision): Precision {
  return PRECISION_RANK[b] > PRECISION_RANK[a] ? b : a;
}

/** Result of {@linkcode resolvePrecision}. */
export interface PrecisionPlan {
  /** Per node (by identity); nodes without an entry run at the default U8. */
  byNode: Map<Node, NodePrecision>;
  /** Human-readable rows of the Layer Config Table (`Op Type / Layer name`, `Precision`). */
  table: [string, string][];
  /** Entries (by index) that matched no operator. */
  unmatched: number[];
}

const DEFAULT: NodePrecision = { data: "U8", output: "U8", weight: "S8" };

/**
 * How axb stores weights of `weight_data_type` `d`: S8 codes, or FP32. The wider integer
 * types pulsar2 accepts (S16, U16, S32) keep FP32 weights, the nearest storage axb has that
 * loses no precision against them.
 */
export function weightStorage(d: DataType): "S8" | "FP32" {
  return d === "FP32" || d === "S16" || d === "U16" || d === "S32" ? "FP32" : "S8";
}

function asPrecision(d: DataType, fallback: Precision): Precision {
  return d === "U8" || d === "S8" || d === "U16" || d === "S16" || d === "FP32" ? d : fallback;
}

/** Nodes on some path from a start tensor to an end tensor (inclusive of both ends' nodes). */
function subgraphNodes(g: Graph, starts: string[], ends: string[]): Set<Node> {
  const all = starts.includes("DEFAULT") && ends.includes("DEFAULT");
  if (all) return new Set(g.nodes);
  const consumers = g.consumers();
  const producers = g.producers();
  const forward = new Set<Node>();
  const stack = starts.flatMap((t) => consumers.get(t) ?? []);
  while (stack.length) {
    const n = stack.pop()!;
    if (forward.has(n)) continue;
    forward.add(n);
    for (const o of n.outputs) if (!ends.includes(o)) stack.push(...(consumers.get(o) ?? []));
  }
  const backward = new Set<Node>();
  const back = ends.map((t) => producers.get(t)).filter((n): n is Node => n !== undefined);
  while (back.length) {
    const n = back.pop()!;
    if (backward.has(n)) continue;
    backward.add(n);
    for (const i of n.inputs) {
      if (starts.includes(i)) continue;
      const p = producers.get(i);
      if (p) back.push(p);
    }
  }
  return new Set([...forward].filter((n) => backward.has(n)));
}

/** Resolve layer_configs against the graph. */
export function resolvePrecision(g: Graph, configs: readonly LayerConfig[]): PrecisionPlan {
  // priority: 3 = named layer, 2 = op type, 1 = subgraph
  const best = new Map<Node, { priority: number; p: NodePrecision }>();
  const table: [string, string][] = [];
  const unmatched: number[] = [];
  configs.forEach((c, index) => {
    const data = asPrecision(c.data_type, "U8");
    const p: NodePrecision = {
      data,
      output: asPrecision(c.output_data_type, data),
      weight: weightStorage(c.weight_data_type),
    };
    let hits: Node[] = [];
    let priority = 0;
    let label = "";
    if (c.layer_name || c.layer_names.length) {
      const names = new Set(c.layer_name ? [c.layer_name] : c.layer_names);
      hits = g.nodes.filter((n) => names.has(n.name));
      priority = 3;
      label = [...names].join(", ");
    } else if (c.op_type || c.op_types.length) {
      const types = new Set(c.op_type ? [c.op_type] : c.op_types);
      hits = g.nodes.filter((n) => types.has(n.opType));
      priority = 2;
      label = [...types].join(", ");
    } else if (c.start_tensor_names.length || c.end_tensor_names.length) {
      hits = [...subgraphNodes(g, c.start_tensor_names, c.end_tensor_names)];
      priority = 1;
      label = `${c.start_tensor_names.join(",")} -> ${c.end_tensor_names.join(",")}`;
    }
    if (hits.length === 0) unmatched.push(index);
    table.push([label, p.output !== p.data ? `${p.data} (output ${p.output})` : p.data]);
    for (const n of hits) {
      const prev = best.get(n);
      if (!prev || priority >= prev.priority) best.set(n, { priority, p });
    }
  });
  const byNode = new Map<Node, NodePrecision>();
  for (const [n, { p }] of best) byNode.set(n, p);
  return { byNode, table, unmatched };
}

/** Precision of a node (the default U8 when no entry hit it). */
export function precisionOf(plan: PrecisionPlan, n: Node): NodePrecision {
  return plan.byNode.get(n) ?? DEFAULT;
}
