/**
 * The NPU/CPU partitioner: asks the target where each node runs and groups the nodes
 * into subgraphs (`subgraph_npu_<i>`, `subgraph_cpu_<i>`).
 *
 * Placement of a node, in order of precedence:
 * 1. `forceCpu` / `forceNpu` (e.g. Horizon `run_on_cpu` / `run_on_bpu`);
 * 2. a node without a float data path — it reads no runtime graph input (a `Constant`, an
 *    `Identity` of a weight) or its outputs are compile-time constants (`Shape` of a static
 *    tensor and the arithmetic after it) — follows its earliest consumer's part, on that
 *    part's engine;
 * 3. otherwise the target's {@linkcode Target.legality} decides, with its reason.
 *
 * NPU nodes inside a cut range (`cuts`, pulsar2 `compiler.sub_configs`) are grouped only
 * with NPU nodes of the same range. Grouping (`schedule.ts`) yields convex, maximal parts
 * in execution order: a CPU node in the middle splits the NPU part in two (Horizon's
 * `id(0)`, `id(1)`).
 *
 * @example
 * ```ts
 * import { partitionModel } from "./partition.ts";
 * import { defaultRegistry } from "../ops/mod.ts";
 * import { loadModel } from "../onnx/load.ts";
 * import { ax650 } from "../../targets/ax650.ts";
 * const model = await loadModel("testdata/models/npu_cpu_npu.onnx");
 * const { parts } = partitionModel(model, ax650, { registry: defaultRegistry() });
 * parts.map((p) => p.name); // ["subgraph_npu_0", "subgraph_cpu_0", "subgraph_npu_1"]
 * ```
 *
 * @module
 */
import { type Model, type Node, nodeDependencies, nodeLabel } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import { type InferredTypes, inferShapes } from "../passes/infer_shapes.ts";
import { CONTROL_FLOW_NOTE } from "../passes/inline_control_flow.ts";
import { ConfigError } from "../errors/mod.ts";
import type { PartitionResult, Placement, SubgraphPart } from "../compile/types.ts";
import type { Target } from "../../targets/target.ts";
import { legalityContext } from "../../targets/legality_context.ts";
import { type CutRange, resolveCuts } from "./cuts.ts";
import { schedule, type ScheduleNode } from "./schedule.ts";

export type { CutRange } from "./cuts.ts";
export { nodeLabel };

/** Options of {@linkcode partitionModel}. */
export interface PartitionOptions {
  /** Operators, for shape inference (types and constants the legality checks read). */
  readonly registry: OpRegistry;
  /** Node names that must run on the CPU (Horizon `run_on_cpu`). */
  readonly forceCpu?: ReadonlySet<string>;
  /** Node names that must run on the NPU whatever the target says (Horizon `run_on_bpu`). */
  readonly forceNpu?: ReadonlySet<string>;
  /** Ranges that become NPU subgraphs of their own (pulsar2 `compiler.sub_configs`). */
  readonly cuts?: readonly CutRange[];
  /** Shape inference already run on `model` (skips running it again). */
  readonly inferred?: InferredTypes;
}

/** What the partitioner decided for one node before grouping. */
interface Decision {
  readonly on: "NPU" | "CPU";
  readonly reason?: string;
  /** No float data path (constant outputs or no runtime input): may join any part. */
  readonly wild: boolean;
}

/**
 * Partition the main graph of `model` for `target`.
 *
 * @throws {ConfigError} when a forced node or a cut tensor is not in the model, a node is
 *   forced both ways, or cut ranges overlap
 */
export function partitionModel(
  model: Model,
  target: Target,
  opts: PartitionOptions,
): PartitionResult {
  const graph = model.graph;
  const order = graph.topologicalOrder();
  checkForced(order, opts);
  const inferred = opts.inferred ?? inferShapes(model, opts.registry);
  const fixed = staticNodes(order, model);
  const decisions = order.map((n) => decide(n, model, inferred, target, opts, fixed.has(n)));
  const rangeOf = new Map<Node, number>();
  resolveCuts(graph, opts.cuts ?? []).forEach((r, k) => r.forEach((n) => rangeOf.set(n, k)));

  const indexOf = new Map(order.map((n, i) => [n, i]));
  const producers = graph.producers();
  const keyOf = (n: Node, on: "NPU" | "CPU") => {
    const range = rangeOf.get(n);
    return on === "NPU" && range !== undefined ? `npu#${range}` : on.toLowerCase();
  };
  const sched: ScheduleNode[] = order.map((n, i) => {
    const preds = new Set<number>();
    for (const d of nodeDependencies(n)) {
      const p = producers.get(d);
      if (p && p !== n) preds.add(indexOf.get(p) ?? -1);
    }
    preds.delete(-1);
    const key = keyOf(n, decisions[i].on);
    return { key, wild: decisions[i].wild, fallbackKey: key, preds: [...preds] };
  });
  const groups = schedule(sched);

  const kindOfKey = (key: string): "npu" | "cpu" => (key === "cpu" ? "cpu" : "npu");
  const counters = { npu: 0, cpu: 0 };
  const partOf = new Map<Node, number>();
  const named = groups.map((g, k) => {
    const kind = kindOfKey(g.key);
    const nodes = g.members.map((i) => order[i]);
    nodes.forEach((n) => partOf.set(n, k));
    return { name: `subgraph_${kind}_${counters[kind]++}`, kind, nodes };
  });
  const parts: SubgraphPart[] = named.map((p, k) => ({
    ...p,
    inputs: partInputs(p.nodes, model),
    outputs: partOutputs(p.nodes, k, model, partOf),
  }));
  const placements: Placement[] = order.map((node, i) => {
    const part = parts[partOf.get(node) ?? 0];
    const on = part.kind === "npu" ? "NPU" : "CPU";
    const d = decisions[i];
    const constant = `${node.opType} "${nodeLabel(node)}": constant, runs with its CPU consumers`;
    const reason = on === "NPU" ? undefined : d.reason ?? constant;
    return reason === undefined
      ? { node, on, subgraph: part.name }
      : { node, on, subgraph: part.name, reason };
  });
  return { parts, placements };
}

function checkForced(order: readonly Node[], opts: PartitionOptions): void {
  const names = new Set(order.map((n) => n.name));
  for (const [set, where] of [[opts.forceCpu, "CPU"], [opts.forceNpu, "NPU"]] as const) {
    for (const name of set ?? []) {
      if (!names.has(name)) {
        throw new ConfigError(
          `Node "${name}" forced to the ${where} is not in the model; expected a node name of the ONNX graph`,
        );
      }
      if (where === "CPU" && opts.forceNpu?.has(name)) {
        throw new ConfigError(
          `Node "${name}" is forced to both the CPU and the NPU; expected it in one list only`,
        );
      }
    }
  }
}

function decide(
  node: Node,
  model: Model,
  inferred: InferredTypes,
  target: Target,
  opts: PartitionOptions,
  isStatic: boolean,
): Decision {
  if (opts.forceCpu?.has(node.name)) {
    return {
      on: "CPU",
      reason: `${node.opType} "${nodeLabel(node)}": forced to the CPU by the configuration`,
      wild: false,
    };
  }
  if (opts.forceNpu?.has(node.name)) return { on: "NPU", wild: false };
  const outs = node.outputs.filter((o) => o !== "");
  const wild = outs.length > 0 && (isStatic || outs.every((o) => inferred.constants.has(o)));
  const legality = target.legality(node, legalityContext(node, inferred, model));
  if (legality.action === "npu") return { on: "NPU", wild };
  // The frontend notes why an If/Loop was not inlined: the fix is the user's, so say it.
  const note = node.metadata?.get(CONTROL_FLOW_NOTE);
  return { on: "CPU", reason: note ? `${legality.reason}; ${note}` : legality.reason, wild };
}

/** Nodes that read no runtime graph input, directly or through other nodes (constants). */
function staticNodes(order: readonly Node[], model: Model): Set<Node> {
  const g = model.graph;
  const staticValues = new Set(g.initializers.keys());
  const out = new Set<Node>();
  for (const n of order) {
    if (nodeDependencies(n).every((d) => staticValues.has(d))) {
      out.add(n);
      for (const o of n.outputs) if (o) staticValues.add(o);
    }
  }
  return out;
}

/** Values the part reads from outside (graph inputs, other parts), first use first. */
function partInputs(nodes: readonly Node[], model: Model): string[] {
  const inside = new Set(nodes.flatMap((n) => n.outputs));
  const seen = new Set<string>();
  for (const n of nodes) {
    for (const d of nodeDependencies(n)) {
      if (!inside.has(d) && !model.graph.initializers.has(d)) seen.add(d);
    }
  }
  return [...seen];
}

/** Values produced by the part that other parts read or that are graph outputs. */
function partOutputs(
  nodes: readonly Node[],
  self: number,
  model: Model,
  partOf: ReadonlyMap<Node, number>,
): string[] {
  const graphOutputs = new Set(model.graph.outputs.map((v) => v.name));
  const readElsewhere = new Set<string>();
  for (const n of model.graph.nodes) {
    if (partOf.get(n) === self) continue;
    for (const d of nodeDependencies(n)) readElsewhere.add(d);
  }
  return nodes.flatMap((n) =>
    n.outputs.filter((o) => o !== "" && (graphOutputs.has(o) || readElsewhere.has(o)))
  );
}
