/**
 * The deployable model split into NPU and CPU parts for the target, each part with its
 * effective compiler options: a part inside a `compiler.sub_configs` range uses that
 * entry (which inherits what it leaves unset), every other part the parent options.
 *
 * @module
 */
import type { OpRegistry } from "../ops/op.ts";
import type { CompilerConfig, CompilerOptions } from "../config/build_config.ts";
import type { Target } from "../../targets/target.ts";
import type { PartitionResult, SubgraphPart } from "./types.ts";
import type { Deployable } from "./prepare_deployable.ts";
import { partitionModel } from "../partition/partition.ts";
import { type CutRange, resolveCuts } from "../partition/cuts.ts";

/** A part with the compiler options it is compiled with. */
export interface PartWithOptions {
  /** The NPU or CPU part. */
  readonly part: SubgraphPart;
  /** Its effective options: a `sub_configs` entry, else the parent options. */
  readonly options: CompilerOptions;
}

/** The partition and the options each part is compiled with. */
export interface Partitioned {
  /** NPU and CPU parts in dependency order, and where every node runs. */
  readonly partition: PartitionResult;
  /** Every part of `partition.parts`, in the same order, with its options. */
  readonly parts: readonly PartWithOptions[];
}

/** What {@linkcode partitionDeployable} reads. */
export interface PartitionStageOptions {
  /** The target whose legality places the nodes. */
  readonly target: Target;
  /** The parent compiler options (their `sub_configs` cut the ranges). */
  readonly compiler: CompilerConfig;
  /** Operators, for the legality checks' shape facts. */
  readonly registry: OpRegistry;
  /** Node names forced to the CPU / the NPU (Horizon `run_on_cpu` / `run_on_bpu`). */
  readonly force?: { readonly cpu: ReadonlySet<string>; readonly npu: ReadonlySet<string> };
}

/**
 * Partition the deployable model and resolve each part's options.
 *
 * @param d the deployable model and its inferred types
 * @param opts target, compiler options and operators
 * @returns the parts and their options
 * @throws {ConfigError} when a `sub_configs` range names unknown tensors or ranges overlap
 */
export function partitionDeployable(d: Deployable, opts: PartitionStageOptions): Partitioned {
  const { compiler, registry, target } = opts;
  const cuts: CutRange[] = compiler.sub_configs.map((s) => ({
    start: s.start_tensor_names,
    end: s.end_tensor_names,
  }));
  const partition = partitionModel(d.quant.model, target, {
    registry,
    cuts,
    inferred: d.inferred,
    forceCpu: opts.force?.cpu,
    forceNpu: opts.force?.npu,
  });
  const cutNodes = resolveCuts(d.quant.model.graph, cuts);
  const parts = partition.parts.map((part): PartWithOptions => {
    const i = cutNodes.findIndex((set) => part.nodes.some((n) => set.has(n)));
    return { part, options: i >= 0 ? compiler.sub_configs[i] : compiler };
  });
  return { partition, parts };
}
