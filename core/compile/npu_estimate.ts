/**
 * The target's plans for one NPU part at one group's shapes: tiling (`tile` hook) and
 * one cost estimate per compiled batch (`cost` hook). A target without a `cost` hook
 * gives no estimate: the cost is `undefined`, never zeros.
 *
 * @module
 */
import type {
  CompilerKnobs,
  NpuMode,
  Target,
  TargetSubgraph,
  TilePlan,
} from "../../targets/target.ts";
import type { BatchCost } from "./types.ts";

/** Tiling and cost of one NPU part. */
export interface NpuEstimate {
  /** The target's tiling plan; `undefined` without a `tile` hook. */
  readonly tiling: TilePlan | undefined;
  /** One estimate per batch, ascending; `undefined` without a `cost` hook. */
  readonly cost: BatchCost[] | undefined;
}

/** The plan {@linkcode estimateNpuPart} evaluates. */
export interface EstimateOptions {
  /** Compiled batch sizes, ascending. */
  readonly batches: readonly number[];
  /** Core mode compiled for. */
  readonly mode: NpuMode;
  /** Compiler options that change the estimate. */
  readonly knobs: CompilerKnobs;
}

/**
 * Ask the target for the part's tiling and per-batch cost.
 *
 * @param target the compilation target
 * @param ts the part at one group's shapes
 * @param opts batches, core mode and compiler knobs
 * @returns the tiling and cost, each `undefined` when the target has no hook for it
 */
export function estimateNpuPart(
  target: Target,
  ts: TargetSubgraph,
  opts: EstimateOptions,
): NpuEstimate {
  const { batches, knobs, mode } = opts;
  const tiling = target.tile?.(ts, { npuMode: mode });
  if (!target.cost) return { tiling, cost: undefined };
  const cost: BatchCost[] = [];
  for (const batch of batches) {
    const e = target.cost(ts, { batch, cores: mode.cores, tiling, compiler: knobs });
    cost.push({
      batch,
      cycles: e.cycles,
      ddrBytes: e.ddrBytes,
      latencyMs: e.latencySeconds * 1000,
    });
  }
  return { tiling, cost };
}
