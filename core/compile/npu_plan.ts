/**
 * One NPU part compiled once for every input-shape group: its batch plan and its QDQ
 * program, with the multi-batch IR fix applied when the model is multi-batch.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import type { Logger } from "../util/log.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type { BatchConfig, Target, TargetSubgraph } from "../../targets/target.ts";
import type { SubgraphPart } from "./types.ts";
import { ioBatch, planBatches } from "./npu_batches.ts";
import { applyReshapeBatchFix, npuProgram, partQuantModel } from "./npu_program.ts";

/** A compiled NPU part: shared by every input-shape group. */
export interface NpuPlan {
  /** Compiled batch sizes, ascending. */
  readonly batches: readonly number[];
  /** Batch the part's I/O is declared at (the dynamic maximum, else the largest size). */
  readonly ioBatch: number;
  /** The part's QDQ program. */
  readonly program: Model;
}

/** What {@linkcode planNpuPart} reads. */
export interface NpuPlanOptions {
  /** The target whose `planBatches` hook plans the sizes. */
  readonly target: Target;
  /** The deployable model the part is cut from. */
  readonly deploy: QuantModel;
  /** Value types at the original input shapes. */
  readonly types: ReadonlyMap<string, TensorType>;
  /** The part's batch request. */
  readonly batchConfig: BatchConfig;
  /** The IR fix is allowed (`disable_ir_fix` unset and no `const_processors`). */
  readonly irFix: boolean;
  /**
   * A part compiled before this one has an I/O batch above 1. The fix follows the model
   * seen so far, so a single-batch part after a multi-batch one is fixed too.
   */
  readonly multiBatchBefore: boolean;
  /** Receives the compile messages. */
  readonly log: Logger;
}

/**
 * Plan the batches of `part` and build its program.
 *
 * @param part the NPU part
 * @param ts the part as the target sees it (original input shapes)
 * @param opts target, model, batch request and IR-fix switches
 * @returns the batch plan and program
 * @throws {ConfigError} when a dynamic batch request meets a target without `planBatches`
 */
export function planNpuPart(part: SubgraphPart, ts: TargetSubgraph, opts: NpuPlanOptions): NpuPlan {
  const { batchConfig, log } = opts;
  log.info(`compile npu subgraph [${part.name}]`);
  const batches = planBatches(opts.target, ts, batchConfig);
  if (batchConfig.kind === "dynamic") {
    log.warn(`graph [${part.name}] batchs [${batches.join(", ")}]`);
  }
  const io = ioBatch(batchConfig, batches);
  const pq = partQuantModel(opts.deploy, part, opts.types);
  if (opts.irFix && (opts.multiBatchBefore || io > 1)) {
    const fixed = applyReshapeBatchFix(pq);
    if (fixed) log.info(`ir fix: dim 0 of ${fixed} Reshape shape(s) set to -1 for multi-batch`);
  }
  return { batches, ioBatch: io, program: npuProgram(pq) };
}
