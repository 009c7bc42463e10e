/**
 * What a part's compiler options ask of the target: the knobs that change estimates
 * (`ddr_bw_limit`, slice/tile modes) and the batch request (`static_batch_sizes`, or
 * `max_dynamic_batch_size` for the target's doubling rule), and the batch sizes planned
 * from it.
 *
 * @module
 */
import type { CompilerOptions } from "../config/build_config.ts";
import type {
  BatchConfig,
  CompilerKnobs,
  NpuMode,
  Target,
  TargetSubgraph,
} from "../../targets/target.ts";
import { ConfigError } from "../errors/mod.ts";

/**
 * The options that change the target's estimates.
 *
 * @param o a part's effective compiler options
 * @returns the knobs (`ddr_bw_limit` 0 becomes "no limit")
 */
export function compilerKnobs(o: CompilerOptions): CompilerKnobs {
  return {
    ddrBwLimitGBps: o.ddr_bw_limit || undefined,
    sliceMode: o.enable_slice_mode,
    tileMode: o.enable_tile_mode,
  };
}

/**
 * The batch request of a part: dynamic when `max_dynamic_batch_size` is set, else the
 * static sizes (`[1]` when none are given).
 *
 * @param o a part's effective compiler options
 * @param mode the core mode compiled for
 * @returns the request the target plans batches from
 */
export function batchConfig(o: CompilerOptions, mode: NpuMode): BatchConfig {
  const compiler = compilerKnobs(o);
  if (o.max_dynamic_batch_size > 0) {
    return { kind: "dynamic", max: o.max_dynamic_batch_size, cores: mode.cores, compiler };
  }
  const sizes = o.static_batch_sizes.length ? o.static_batch_sizes : [1];
  return { kind: "static", sizes, cores: mode.cores, compiler };
}

/**
 * The batch sizes to compile: the target's `planBatches` hook, or, without one, the
 * static sizes deduplicated and ascending.
 *
 * @param target the compilation target
 * @param ts the part as the target sees it
 * @param cfg the part's batch request
 * @returns ascending batch sizes
 * @throws {ConfigError} naming `compiler.max_dynamic_batch_size` when a dynamic request
 * meets a target without `planBatches`
 */
export function planBatches(target: Target, ts: TargetSubgraph, cfg: BatchConfig): number[] {
  const planned = target.planBatches?.(ts, cfg);
  if (planned) return [...planned];
  if (cfg.kind === "static") return [...new Set(cfg.sizes)].sort((a, b) => a - b);
  throw new ConfigError(
    `compiler.max_dynamic_batch_size needs a cost model, and target ${target.name} has no planBatches hook`,
    { field: "compiler.max_dynamic_batch_size" },
  );
}

/**
 * The batch a part's I/O is declared at: the dynamic maximum, else the largest planned size.
 *
 * @param cfg the part's batch request
 * @param batches the planned sizes
 * @returns the I/O batch
 */
export function ioBatch(cfg: BatchConfig, batches: readonly number[]): number {
  return cfg.kind === "dynamic" ? cfg.max : Math.max(...batches);
}
