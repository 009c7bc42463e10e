/**
 * The compiled model from its groups: every group's graph I/O declared at the model's
 * I/O batch (the largest I/O batch of any NPU part, at least 1) on its batch axis, and
 * the float initializers the CPU subgraphs read.
 *
 * @module
 */
import type { Graph, ValueInfo } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import type { BuildConfig } from "../config/build_config.ts";
import { withPortablePaths } from "../config/portable_paths.ts";
import type { CompiledGroup, CompiledModel } from "./types.ts";
import type { NpuPlan } from "./npu_plan.ts";
import { VERSION } from "../version.ts";

/** What {@linkcode assembleCompiledModel} records besides the groups. */
export interface AssembleOptions {
  /** The deployable model's graph (the CPU subgraphs' initializers). */
  readonly graph: Graph;
  /** Every NPU part's plan (their I/O batches). */
  readonly plans: Iterable<NpuPlan>;
  /** The effective build configuration, stored in the container. */
  readonly config: BuildConfig;
  /** The batch axis of each group output, in output order (0 unless `dst_perm` moved it). */
  readonly outputBatchAxes: readonly number[];
  /** Canonical target name. */
  readonly target: string;
}

/** `v` with dim `axis` (the batch axis) set to `batch`. */
function atBatch(v: ValueInfo, batch: number, axis = 0): ValueInfo {
  const t = v.type;
  if (!t || "kind" in t || !t.shape || t.shape.length <= axis) return v;
  const shape = t.shape.map((d, i) => (i === axis ? batch : d));
  return { ...v, type: { dtype: t.dtype, shape } satisfies TensorType };
}

/**
 * Assemble the compiled model.
 *
 * @param groups the compiled groups, I/O at the group shapes
 * @param opts graph, plans, configuration and target
 * @returns the model `compiled.axmodel` holds
 */
export function assembleCompiledModel(
  groups: readonly CompiledGroup[],
  opts: AssembleOptions,
): CompiledModel {
  const batch = Math.max(1, ...[...opts.plans].map((p) => p.ioBatch));
  const g = opts.graph;
  const cpuInitializers = new Map(
    groups[0].subgraphs.flatMap((sg) => sg.kind === "cpu" ? sg.nodes.flatMap((n) => n.inputs) : [])
      .filter((n) => g.initializers.has(n))
      .map((n) => [n, g.initializers.get(n)!] as const),
  );
  return {
    groups: groups.map((gr) => ({
      ...gr,
      inputs: gr.inputs.map((v) => atBatch(v, batch)),
      outputs: gr.outputs.map((v, i) => atBatch(v, batch, opts.outputBatchAxes[i])),
    })),
    cpuInitializers,
    // paths relative to the output directory: the container must not depend on where it was built
    config: withPortablePaths(opts.config, opts.config.output_dir),
    version: VERSION,
    target: opts.target,
  };
}
