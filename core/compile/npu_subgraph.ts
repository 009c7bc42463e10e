/**
 * One NPU part in one input-shape group: its plan (compiled on first use, in group 0,
 * and shared by later groups), the target's tiling and cost at the group's shapes, the
 * `max_cycle` log lines, the `compiler.npu_perf` files (group 0) and the compiled
 * subgraph with its table rows.
 *
 * @module
 */
import { opsetOf } from "../ir/opset.ts";
import type { TargetSubgraph } from "../../targets/target.ts";
import type { CompiledSubgraph } from "./types.ts";
import type { GroupContext, GroupShapes } from "./group_context.ts";
import type { PartWithOptions } from "./partition_parts.ts";
import type { GroupNaming } from "./shape_groups.ts";
import { batchConfig, compilerKnobs } from "./npu_batches.ts";
import { type NpuPlan, planNpuPart } from "./npu_plan.ts";
import { estimateNpuPart } from "./npu_estimate.ts";
import { writeNpuPerf } from "./npu_perf.ts";
import { maxCycleLine, npuRows } from "./subgraph_table.ts";
import { batchAxisOf } from "./prepare_deployable.ts";

/** A compiled subgraph and its rows of the group's table. */
export interface CompiledPart {
  /** The subgraph as the container holds it. */
  readonly subgraph: CompiledSubgraph;
  /** Its rows of the "Compiled subgraphs" table. */
  readonly rows: string[][];
}

/** The part's plan: compiled now when no earlier group compiled it. */
function planOf(p: PartWithOptions, ts: TargetSubgraph, ctx: GroupContext): NpuPlan {
  const known = ctx.plans.get(p.part.name);
  if (known) return known;
  const plan = planNpuPart(p.part, ts, {
    target: ctx.target,
    deploy: ctx.deployable.quant,
    types: ctx.deployable.inferred.types,
    batchConfig: batchConfig(p.options, ctx.mode),
    irFix: !p.options.disable_ir_fix && ctx.config.const_processors.length === 0,
    multiBatchBefore: [...ctx.plans.values()].some((q) => q.ioBatch > 1),
    log: ctx.log,
  });
  ctx.plans.set(p.part.name, plan);
  return plan;
}

/**
 * Compile NPU part `index` of a group.
 *
 * @param p the part and its options
 * @param index the part's position in the partition (for the log)
 * @param shapes the group's number and value types
 * @param naming the group's value naming
 * @param ctx what every group shares
 * @returns the subgraph and its table rows
 */
export async function compileNpuPart(
  p: PartWithOptions,
  index: number,
  shapes: GroupShapes,
  naming: GroupNaming,
  ctx: GroupContext,
): Promise<CompiledPart> {
  const { log, mode, target } = ctx;
  const { part, options } = p;
  const ts: TargetSubgraph = {
    graph: ctx.deployable.quant.model.graph,
    nodes: part.nodes,
    types: shapes.types,
    opset: opsetOf(ctx.deployable.quant.model, ""),
  };
  const plan = planOf(p, ts, ctx);
  const knobs = compilerKnobs(options);
  const { tiling, cost } = estimateNpuPart(target, ts, { batches: plan.batches, mode, knobs });
  plan.batches.forEach((b, i) => log.info(maxCycleLine(part.name, shapes.index, b, cost?.[i])));
  if (options.npu_perf && shapes.index === 0) {
    await writeNpuPerf(ts, {
      target,
      name: part.name,
      batches: plan.batches,
      mode,
      knobs,
      tiling,
      work: ctx.work,
      log,
      print: ctx.print,
    });
  }
  log.info(`assemble model [${index}] [${part.name}] b${plan.batches.join(",b")}`);
  const axes = part.outputs.map((name) => batchAxisOf(ctx.deployable, name));
  return {
    subgraph: {
      kind: "npu",
      name: part.name,
      inputs: part.inputs.map(naming.info),
      outputs: part.outputs.map(naming.info),
      target: target.name,
      npuMode: mode.name,
      batches: plan.batches,
      ...(axes.some((a) => a !== 0) ? { outputBatchAxes: axes } : {}),
      program: plan.program,
      tiling: tiling ?? null,
      cost,
    },
    rows: npuRows(part.name, part.nodes.length, plan.batches, cost),
  };
}
