/**
 * The compile stage of `axb build`, as a composition of typed steps, each in its own
 * module: the core mode ({@linkcode selectNpuMode}) → the deployable model with its
 * types ({@linkcode prepareDeployable}) → NPU/CPU parts with their options
 * ({@linkcode partitionDeployable}) and the placement report → every input-shape group
 * ({@linkcode compileGroups}: per NPU part program, batches, tiling and cost; CPU parts
 * as float nodes) → the compiled model ({@linkcode assembleCompiledModel}) written as
 * `compiled.axmodel`.
 *
 * @module
 */
import { join } from "node:path";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig, CompilerOptions } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type { Target } from "../../targets/target.ts";
import type { CompiledModel, PartitionResult } from "./types.ts";
import type { NpuPlan } from "./npu_plan.ts";
import { writeCompiledModel } from "../container/encode.ts";
import { selectNpuMode } from "./npu_mode.ts";
import { prepareDeployable } from "./prepare_deployable.ts";
import { partitionDeployable } from "./partition_parts.ts";
import { reportPlacement } from "./placement_report.ts";
import { compileGroups } from "./compile_groups.ts";
import { assembleCompiledModel } from "./assemble.ts";
import { extraShapeGroups } from "./shape_groups.ts";

/** What the stage needs. */
export interface CompileStageOptions {
  /** The effective build configuration. */
  config: BuildConfig;
  /** Operators, for shape inference. */
  registry: OpRegistry;
  /** The compilation target. */
  target: Target;
  /** Receives progress, warnings and file messages. */
  log: Logger;
  /** Where tables go (stdout); undefined prints none. */
  print?: (text: string) => void;
  /** Where `compiler/` is written (default: `work_dir`, else `output_dir`). */
  work?: string;
  /** Where the compiled model is written (default: `output_dir`). */
  outputDir?: string;
  /** Node names forced to the CPU / the NPU (Horizon `run_on_cpu` / `run_on_bpu`). */
  force?: { readonly cpu: ReadonlySet<string>; readonly npu: ReadonlySet<string> };
  /**
   * Keep the nodes the input/output processors insert on the CPU (Horizon: the runtime
   * data conversion happens before the BPU program, never inside it).
   */
  processorsOnCpu?: boolean;
}

/** What the stage produced. */
export interface CompileStageResult {
  /** The compiled model, as written. */
  compiled: CompiledModel;
  /** Where `compiled.axmodel` was written (`output_name` in the output directory). */
  compiledPath: string;
  /** The NPU/CPU partition of the deployable model. */
  partition: PartitionResult;
  /** The deployable quantized model the subgraphs were cut from. */
  deploy: QuantModel;
  /** Effective compiler options of each subgraph (a sub_configs entry or the parent). */
  subgraphOptions: Map<string, CompilerOptions>;
}

/**
 * Compile a quantized model for the configured target and write `compiled.axmodel`.
 *
 * @param quant the quantized model (left unchanged)
 * @param opts configuration, operators, target and outputs
 * @returns the compiled model, its path, the partition and each subgraph's options
 * @throws {ConfigError} for an `npu_mode` the target lacks, bad `sub_configs` ranges or
 * `src_extra_shapes`, or a dynamic batch request the target cannot plan
 */
export async function runCompileStage(
  quant: QuantModel,
  opts: CompileStageOptions,
): Promise<CompileStageResult> {
  const { config, log, print, registry, target } = opts;
  const work = opts.work ?? (config.work_dir || config.output_dir);
  const mode = selectNpuMode(target, config.npu_mode);
  const extraShapes = extraShapeGroups(config, quant.model.graph.runtimeInputs);
  log.info("group 0 compiler transformation");
  const deployable = prepareDeployable(quant, { config, registry, log });
  const parted = partitionDeployable(deployable, {
    target,
    compiler: config.compiler,
    registry,
    force: opts.processorsOnCpu
      ? withProcessorsOnCpu(quant, deployable.quant, opts.force)
      : opts.force,
  });
  await reportPlacement(parted.partition, { work, log, print });
  const plans = new Map<string, NpuPlan>();
  const groups = await compileGroups({
    config,
    registry,
    target,
    mode,
    deployable,
    parted,
    extraShapes,
    plans,
    work,
    log,
    print,
  });
  const compiled = assembleCompiledModel(groups, {
    graph: deployable.quant.model.graph,
    plans: plans.values(),
    config,
    target: target.name,
    outputBatchAxes: deployable.outputBatchAxes,
  });
  const compiledPath = join(opts.outputDir ?? config.output_dir, config.output_name);
  await writeCompiledModel(compiled, compiledPath);
  log.info(`fuse ${groups.reduce((a, gr) => a + gr.subgraphs.length, 0)} subgraph(s)`);
  return {
    compiled,
    compiledPath,
    partition: parted.partition,
    deploy: deployable.quant,
    subgraphOptions: new Map(parted.parts.map((p) => [p.part.name, p.options])),
  };
}

/** `force` plus every node of `deploy` that `quant` lacks (the processors' nodes) on the CPU. */
function withProcessorsOnCpu(
  quant: QuantModel,
  deploy: QuantModel,
  force: CompileStageOptions["force"],
): NonNullable<CompileStageOptions["force"]> {
  const own = new Set(quant.model.graph.nodes.map((n) => n.name));
  const cpu = new Set(force?.cpu ?? []);
  for (const n of deploy.model.graph.nodes) if (!own.has(n.name)) cpu.add(n.name);
  return { cpu, npu: force?.npu ?? new Set() };
}
