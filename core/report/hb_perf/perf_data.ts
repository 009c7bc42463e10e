/**
 * The figures of an `hb_perf` report (spec `horizon.md` §10), read from a Horizon container:
 *
 * - per BPU subgraph, from the container's cost (the estimate of its smallest compiled
 *   batch `b`, divided by `b`): latency (ms) and DDR traffic (MB) per frame; from the
 *   target's `profile` hook, when the target is registered and has one: operations per
 *   frame (2 × MACs), loaded and stored DDR bytes per frame, and — when the container was
 *   compiled with `debug: True` — the per-layer estimates;
 * - for the model: the sums over its BPU subgraphs and the frame rate 1000 / latency. CPU
 *   nodes are not estimated (the vendor's tool does not either: measure them on the board);
 * - the BIN Model Structure graph (`structure_graph.ts`).
 *
 * A figure the target cannot give is `undefined` and shows as "n/a", never as zero.
 *
 * @module
 */
import { Graph, type Model } from "../../ir/graph.ts";
import type { CompiledModel, CompiledSubgraph } from "../../compile/types.ts";
import type { OpRegistry } from "../../ops/op.ts";
import { opsetOf } from "../../ir/opset.ts";
import { inferShapes } from "../../passes/infer_shapes.ts";
import { decodeCompiledModel } from "../../container/decode.ts";
import { type HorizonMeta, requireHorizonMeta } from "../../container/horizon_meta.ts";
import type { SubgraphProfile, Target } from "../../../targets/target.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import { type StructureGraph, structureGraph } from "./structure_graph.ts";

/** One BPU operator's estimate (Layer Details). */
export interface LayerFigures {
  /** Node name in the subgraph's program. */
  readonly name: string;
  /** Operator type (fused activations joined with `+`). */
  readonly opType: string;
  /** Hardware unit the target charges it to. */
  readonly unit: string;
  /** Operations (2 × MACs) per frame. */
  readonly ops: number;
  /** Estimated time per frame, ms. */
  readonly latencyMs: number;
  /** DDR bytes per frame. */
  readonly ddrBytes: number;
}

/** The figures of one BPU subgraph. */
export interface SubgraphFigures {
  /** Subgraph name (`subgraph_npu_0`). */
  readonly name: string;
  /** Batch the estimate was made for (per-frame figures divide by it). */
  readonly batch: number;
  /** Operators of the program, by type (quantize/dequantize bookkeeping left out). */
  readonly opCounts: Readonly<Record<string, number>>;
  /** Input value names. */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Latency per frame, ms. */
  readonly latencyMs?: number;
  /** DDR traffic per frame, MB (2^20 bytes). */
  readonly ddrMB?: number;
  /** Operations per frame (2 × MACs). */
  readonly opsPerFrame?: number;
  /** DDR bytes loaded per frame. */
  readonly loadedBytes?: number;
  /** DDR bytes stored per frame. */
  readonly storedBytes?: number;
  /** Per-layer estimates: only for `debug: True` models whose target has a profile. */
  readonly layers?: readonly LayerFigures[];
}

/** Everything an `hb_perf` report shows for one model. */
export interface PerfReport {
  /** Model name (file basename, or its name in a packed file). */
  readonly name: string;
  /** The Horizon entry of the container. */
  readonly meta: HorizonMeta;
  /** Target the container was compiled for. */
  readonly target: string;
  /** Sum of the BPU subgraphs' latencies, ms per frame. */
  readonly latencyMs?: number;
  /** 1000 / latency. */
  readonly fps?: number;
  /** DDR traffic per frame, MB. */
  readonly ddrMB?: number;
  /** DDR bytes loaded per frame. */
  readonly loadedBytes?: number;
  /** DDR bytes stored per frame. */
  readonly storedBytes?: number;
  /** One entry per BPU subgraph, in execution order. */
  readonly subgraphs: readonly SubgraphFigures[];
  /** The subgraph-level graph. */
  readonly graph: StructureGraph;
  /** Why figures are missing, for the page. */
  readonly notes: readonly string[];
}

/** Options of {@linkcode perfReport}. */
export interface PerfReportOptions {
  /** Registered targets (for the `profile` hook). */
  readonly targets: TargetRegistry;
  /** Operators, for typing the programs the profile reads. */
  readonly registry: OpRegistry;
}

type NpuSubgraph = Extract<CompiledSubgraph, { kind: "npu" }>;

/** Quantization bookkeeping in a QDQ program; not an operator of the subgraph. */
const BOOKKEEPING = new Set(["QuantizeLinear", "DequantizeLinear"]);

function opCounts(s: NpuSubgraph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of s.program.graph.nodes) {
    if (!BOOKKEEPING.has(n.opType)) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  }
  return counts;
}

/**
 * The program as the cost model saw it at compile time: quantize/dequantize bookkeeping
 * removed (each reader takes the value before it, so weights read their int8 initializer),
 * inputs typed as the container's subgraph inputs (programs may leave spatial dims free)
 * with a symbolic batch dim — cost models count per sample and multiply by the batch.
 */
function costView(s: NpuSubgraph): Model {
  const g = s.program.graph;
  const source = new Map<string, string>();
  const resolve = (v: string): string => {
    let x = v;
    for (let k = source.get(x); k !== undefined; k = source.get(x)) x = k;
    return x;
  };
  for (const n of g.topologicalOrder()) {
    if (BOOKKEEPING.has(n.opType) && n.inputs[0] && n.outputs[0]) {
      source.set(n.outputs[0], n.inputs[0]);
    }
  }
  const nodes = g.nodes.filter((n) => !BOOKKEEPING.has(n.opType)).map((n) => ({
    ...n,
    inputs: n.inputs.map((i) => (i ? resolve(i) : i)),
  }));
  const runtime = g.runtimeInputs;
  const byName = new Map(s.inputs.map((v) => [v.name, v]));
  const inputs = g.inputs.map((v) => {
    const k = runtime.indexOf(v);
    const t = k < 0 ? undefined : (byName.get(v.name) ?? s.inputs[k])?.type;
    if (!t || "kind" in t || !t.shape?.length) return v;
    return { ...v, type: { dtype: t.dtype, shape: ["N", ...t.shape.slice(1)] } };
  });
  const outputs = g.outputs.map((v) => ({ name: resolve(v.name) }));
  const graph = new Graph({ name: g.name, nodes, inputs, outputs });
  graph.initializers = g.initializers;
  return { ...s.program, graph };
}

function profileOf(target: Target, s: NpuSubgraph, batch: number, registry: OpRegistry) {
  if (!target.profile) return undefined;
  const program = costView(s);
  const { types } = inferShapes(program, registry, { codes: true });
  const mode = target.npuModes.find((m) => m.name === s.npuMode) ?? target.npuModes[0];
  return target.profile(
    {
      graph: program.graph,
      nodes: program.graph.topologicalOrder(),
      types,
      opset: opsetOf(program, ""),
    },
    { batch, cores: mode?.cores ?? 1 },
  );
}

function subgraphFigures(
  s: NpuSubgraph,
  target: Target | undefined,
  debug: boolean,
  registry: OpRegistry,
): SubgraphFigures {
  const cost = s.cost?.[0];
  const batch = cost?.batch ?? s.batches[0] ?? 1;
  const base = {
    name: s.name,
    batch,
    opCounts: opCounts(s),
    inputs: s.inputs.map((v) => v.name),
    outputs: s.outputs.map((v) => v.name),
    ...(cost ? { latencyMs: cost.latencyMs / batch, ddrMB: cost.ddrBytes / batch / 2 ** 20 } : {}),
  };
  const p: SubgraphProfile | undefined = target ? profileOf(target, s, batch, registry) : undefined;
  if (!p) return base;
  let macs = 0;
  let loaded = 0;
  let stored = 0;
  for (const o of p.ops) {
    macs += o.macs;
    loaded += o.ddr.loadParams + o.ddr.loadSwap + (o.ddr.loadInput ?? 0);
    stored += o.ddr.storeSwap + (o.ddr.storeOutput ?? 0);
  }
  const layers = debug
    ? p.ops.map((o) => ({
      name: o.name,
      opType: o.opType,
      unit: o.unit,
      ops: (2 * o.macs) / batch,
      latencyMs: (o.cycles / p.clockHz) * 1000 / batch,
      ddrBytes: o.ddrBytes / batch,
    }))
    : undefined;
  return {
    ...base,
    opsPerFrame: (2 * macs) / batch,
    loadedBytes: loaded / batch,
    storedBytes: stored / batch,
    ...(layers ? { layers } : {}),
  };
}

/** Sum of `pick` over every subgraph, or undefined when one of them lacks it. */
function total(
  subgraphs: readonly SubgraphFigures[],
  pick: (s: SubgraphFigures) => number | undefined,
): number | undefined {
  let sum = 0;
  for (const s of subgraphs) {
    const v = pick(s);
    if (v === undefined) return undefined;
    sum += v;
  }
  return subgraphs.length ? sum : undefined;
}

/**
 * The report of one Horizon container (its first input-shape group).
 *
 * @param name the model name
 * @param model the loaded container
 * @param opts targets and operators
 * @returns the figures and the structure graph
 * @throws {ModelFormatError} when the model is not a Horizon container
 */
export function perfReport(name: string, model: Model, opts: PerfReportOptions): PerfReport {
  const meta = requireHorizonMeta(model, name);
  const cm: CompiledModel = decodeCompiledModel(model, name);
  const group = cm.groups[0];
  const notes: string[] = ["CPU nodes are not estimated; measure them on the board."];
  const target = opts.targets.find(cm.target);
  if (!target) notes.push(`Target ${cm.target} is not registered: no per-operator estimates.`);
  else if (!target.profile) {
    notes.push(
      `Target ${cm.target} has no per-operator cost model: operations and loaded/stored bytes are n/a.`,
    );
  }
  const npu = (group?.subgraphs ?? []).filter((s): s is NpuSubgraph => s.kind === "npu");
  if (npu.some((s) => !s.cost)) {
    notes.push(`Target ${cm.target} gave no cost estimate: latency, frame rate and DDR are n/a.`);
  }
  if (!meta.debug) {
    notes.push("Layer Details need a model compiled with debug: True.");
  }
  const subgraphs = npu.map((s) => subgraphFigures(s, target, meta.debug, opts.registry));
  const latencyMs = total(subgraphs, (s) => s.latencyMs);
  return {
    name,
    meta,
    target: cm.target,
    latencyMs,
    fps: latencyMs ? 1000 / latencyMs : undefined,
    ddrMB: total(subgraphs, (s) => s.ddrMB),
    loadedBytes: total(subgraphs, (s) => s.loadedBytes),
    storedBytes: total(subgraphs, (s) => s.storedBytes),
    subgraphs,
    graph: structureGraph(group),
    notes,
  };
}
