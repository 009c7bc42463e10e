/**
 * The compile stage of `axb build`: deployable model (pre/post-processing inserted) →
 * NPU/CPU partition for the target → per NPU subgraph: program, batch variants, tiling
 * and cost from the target's hooks → `compiled.axmodel`, plus the placement table and,
 * with `compiler.npu_perf`, per-op estimates and Chrome traces.
 *
 * @module
 */
import { join } from "node:path";
import { defaultOpset, type Model, type ValueInfo } from "../ir/graph.ts";
import type { TensorType } from "../ir/types.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig, CompilerOptions } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type {
  BatchCost,
  CompiledGroup,
  CompiledModel,
  CompiledSubgraph,
  PartitionResult,
  SubgraphPart,
} from "./types.ts";
import type { BatchConfig, CompilerKnobs, Target, TargetSubgraph } from "../../targets/target.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { partitionModel } from "../partition/partition.ts";
import { formatPlacementTable, placementJson } from "../partition/placement_table.ts";
import { writeCompiledModel } from "../container/encode.ts";
import { npuTrace } from "../report/npu_trace.ts";
import { formatTable } from "../report/table.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { VERSION } from "../version.ts";
import { ConfigError } from "../errors/mod.ts";
import { extraShapeGroups, groupTypes, renamedNodes } from "./shape_groups.ts";
import { deployableModel } from "./deploy_model.ts";
import { applyOpProcessors } from "../preprocess/patch.ts";
import { resolveCuts } from "../partition/cuts.ts";
import { applyReshapeBatchFix, npuProgram, partQuantModel } from "./npu_program.ts";

/** What the stage needs. */
export interface CompileStageOptions {
  config: BuildConfig;
  registry: OpRegistry;
  target: Target;
  log: Logger;
  print?: (text: string) => void;
}

/** What the stage produced. */
export interface CompileStageResult {
  compiled: CompiledModel;
  compiledPath: string;
  partition: PartitionResult;
  /** The deployable quantized model the subgraphs were cut from. */
  deploy: QuantModel;
  /** Effective compiler options of each NPU subgraph (a sub_configs entry or the parent). */
  subgraphOptions: Map<string, CompilerOptions>;
}

/** Compile a quantized model for the configured target. */
export async function runCompileStage(
  quant: QuantModel,
  opts: CompileStageOptions,
): Promise<CompileStageResult> {
  const { config, log, registry, target } = opts;
  const c = config.compiler;
  const mode = target.npuModes.find((m) => m.name === config.npu_mode);
  if (!mode) {
    throw new ConfigError(
      `npu_mode ${config.npu_mode} is not available on ${target.name}; expected one of ${
        target.npuModes.map((m) => m.name).join(", ")
      }`,
      { field: "npu_mode" },
    );
  }
  const work = config.work_dir || config.output_dir;
  log.info("group 0 compiler transformation");
  const deploy = deployableModel(quant, config, log);
  if (config.quant_op_processors.length) {
    applyOpProcessors(deploy.model, config.quant_op_processors, log, "quant_op_processors");
  }
  const inferred = inferShapes(deploy.model, registry);
  const types = inferred.types;
  const cuts = c.sub_configs.map((s) => ({ start: s.start_tensor_names, end: s.end_tensor_names }));
  const partition = partitionModel(deploy.model, target, { registry, cuts, inferred });
  const table = formatPlacementTable(partition);
  await writeFileAtomic(join(work, "compiler", "placement.txt"), table + "\n");
  await writeFileAtomic(
    join(work, "compiler", "placement.json"),
    JSON.stringify(placementJson(partition), null, 2) + "\n",
  );
  const cpuNodes = partition.placements.filter((p) => p.on === "CPU");
  if (cpuNodes.length) {
    opts.print?.(table);
    for (const p of cpuNodes) log.warn(`${p.reason ?? p.node.name} — runs on the CPU`);
  }
  // Options per part: a part inside a compiler.sub_configs range uses that (inherited) entry.
  const cutNodes = resolveCuts(deploy.model.graph, cuts);
  const optionsOf = (part: SubgraphPart): CompilerOptions => {
    const i = cutNodes.findIndex((set) => part.nodes.some((n) => set.has(n)));
    return i >= 0 ? c.sub_configs[i] : c;
  };
  const knobsOf = (o: CompilerOptions): CompilerKnobs => ({
    ddrBwLimitGBps: o.ddr_bw_limit || undefined,
    sliceMode: o.enable_slice_mode,
    tileMode: o.enable_tile_mode,
  });
  const batchCfgOf = (o: CompilerOptions): BatchConfig =>
    o.max_dynamic_batch_size > 0
      ? { kind: "dynamic", max: o.max_dynamic_batch_size, cores: mode.cores, compiler: knobsOf(o) }
      : {
        kind: "static",
        sizes: o.static_batch_sizes.length ? o.static_batch_sizes : [1],
        cores: mode.cores,
        compiler: knobsOf(o),
      };
  const g = deploy.model.graph;
  const extra = extraShapeGroups(config, g.runtimeInputs.map((v) => v.name));
  const groups: CompiledGroup[] = [];
  const subgraphOptions = new Map<string, CompilerOptions>();
  const programs = new Map<string, { batches: number[]; program: Model }>();
  let maxBatch = 1;
  for (let k = 0; k <= extra.length; k++) {
    const gTypes = k === 0 ? types : groupTypes(deploy.model, extra[k - 1], registry);
    if (k > 0) {
      const shapes = [...extra[k - 1]].map(([n, d]) => `'${n}': (${d.join(", ")})`).join(", ");
      log.info(`extra input shape, index: ${k}, shape: {${shapes}}`);
      log.info(`group ${k} compiler transformation`);
    }
    const rename = (n: string) => (k === 0 || g.initializers.has(n) ? n : `${n}_${k}`);
    const info = (name: string): ValueInfo => ({ name: rename(name), type: gTypes.get(name) });
    const subgraphs: CompiledSubgraph[] = [];
    const summary: string[][] = [];
    for (const part of partition.parts) {
      if (k === 0) subgraphOptions.set(part.name, optionsOf(part));
    }
    for (const [i, part] of partition.parts.entries()) {
      log.info(`subgraph [${i}], group: ${k}, type: GraphType.${part.kind.toUpperCase()}`);
      if (part.kind === "cpu") {
        subgraphs.push({
          kind: "cpu",
          name: part.name,
          inputs: part.inputs.map(info),
          outputs: part.outputs.map(info),
          nodes: k === 0 ? part.nodes : renamedNodes(part.nodes, rename, `_g${k}`),
        });
        summary.push([part.name, "CPU", String(part.nodes.length), "-", "-", "-"]);
        continue;
      }
      const ts: TargetSubgraph = {
        graph: g,
        nodes: part.nodes,
        types: gTypes,
        opset: defaultOpset(deploy.model),
      };
      const o = optionsOf(part);
      const knobs = knobsOf(o);
      const batchCfg = batchCfgOf(o);
      const irFix = !o.disable_ir_fix && config.const_processors.length === 0;
      let compiled = programs.get(part.name);
      if (!compiled) {
        log.info(`compile npu subgraph [${part.name}]`);
        const batches = [...(target.planBatches?.(ts, batchCfg) ?? staticSizes(batchCfg, target))];
        if (batchCfg.kind === "dynamic") {
          log.warn(`graph [${part.name}] batchs [${batches.join(", ")}]`);
        }
        maxBatch = Math.max(
          maxBatch,
          batchCfg.kind === "dynamic" ? batchCfg.max : Math.max(...batches),
        );
        const pq = partQuantModel(deploy, part, types);
        if (irFix && maxBatch > 1) {
          const fixed = applyReshapeBatchFix(pq);
          if (fixed) {
            log.info(`ir fix: dim 0 of ${fixed} Reshape shape(s) set to -1 for multi-batch`);
          }
        }
        compiled = { batches, program: npuProgram(pq) };
        programs.set(part.name, compiled);
      }
      const batches = compiled.batches;
      const tiling = target.tile?.(ts, { npuMode: mode });
      const cost: BatchCost[] = batches.map((b) => {
        const e = target.cost?.(ts, { batch: b, cores: mode.cores, tiling, compiler: knobs });
        return {
          batch: b,
          cycles: e?.cycles ?? 0,
          ddrBytes: e?.ddrBytes ?? 0,
          latencyMs: (e?.latencySeconds ?? 0) * 1000,
        };
      });
      for (const e of cost) {
        log.info(
          `${part.name} group ${k} b${e.batch}: max_cycle = ${
            Math.round(e.cycles).toLocaleString("en-US")
          }`,
        );
        summary.push([
          `${part.name}_b${e.batch}`,
          "NPU",
          String(part.nodes.length),
          Math.round(e.cycles).toLocaleString("en-US"),
          (e.ddrBytes / 1e6).toFixed(2),
          `${e.latencyMs.toFixed(3)} (${(e.latencyMs / e.batch).toFixed(3)}/sample)`,
        ]);
      }
      if (o.npu_perf && k === 0) {
        await writeNpuPerf(
          target,
          ts,
          batches,
          mode.cores,
          knobs,
          tiling,
          work,
          part.name,
          log,
          opts.print,
        );
      }
      subgraphs.push({
        kind: "npu",
        name: part.name,
        inputs: part.inputs.map(info),
        outputs: part.outputs.map(info),
        target: target.name,
        npuMode: mode.name,
        batches,
        program: compiled.program,
        tiling: tiling ?? null,
        cost,
      });
      log.info(`assemble model [${i}] [${part.name}] b${batches.join(",b")}`);
    }
    opts.print?.(formatTable(summary, {
      title:
        `Compiled subgraphs, group ${k} (${target.name} ${mode.name}; estimates from the documented, partly assumed cost model)`,
      header: ["Subgraph", "Engine", "Ops", "Cycles", "DDR MB", "Latency ms"],
    }));
    const withBatch = (v: ValueInfo): ValueInfo => {
      const t = v.type;
      if (!t || "kind" in t || !t.shape?.length) return v;
      return {
        ...v,
        type: { dtype: t.dtype, shape: [maxBatch, ...t.shape.slice(1)] } satisfies TensorType,
      };
    };
    groups.push({
      index: k,
      inputs: g.runtimeInputs.map((v) => withBatch(info(v.name))),
      outputs: g.outputs.map((v) => withBatch(info(v.name))),
      subgraphs,
    });
  }
  const cpuInitializers = new Map(
    groups[0].subgraphs.flatMap((sg) => sg.kind === "cpu" ? sg.nodes.flatMap((n) => n.inputs) : [])
      .filter((n) => g.initializers.has(n))
      .map((n) => [n, g.initializers.get(n)!] as const),
  );
  const compiled: CompiledModel = {
    groups,
    cpuInitializers,
    config,
    version: VERSION,
    target: target.name,
  };
  const compiledPath = join(config.output_dir, config.output_name);
  await writeCompiledModel(compiled, compiledPath);
  log.info(`fuse ${groups.reduce((a, gr) => a + gr.subgraphs.length, 0)} subgraph(s)`);
  return { compiled, compiledPath, partition, deploy, subgraphOptions };
}

function staticSizes(cfg: BatchConfig, target: Target): number[] {
  if (cfg.kind === "static") return [...new Set(cfg.sizes)].sort((a, b) => a - b);
  throw new ConfigError(
    `compiler.max_dynamic_batch_size needs a cost model, and target ${target.name} has no planBatches hook`,
    { field: "compiler.max_dynamic_batch_size" },
  );
}

async function writeNpuPerf(
  target: Target,
  ts: TargetSubgraph,
  batches: number[],
  cores: number,
  knobs: CompilerKnobs,
  tiling: ReturnType<NonNullable<Target["tile"]>> | undefined,
  work: string,
  name: string,
  log: Logger,
  print?: (text: string) => void,
): Promise<void> {
  if (!target.profile) {
    log.warn(`compiler.npu_perf: target ${target.name} provides no per-op profile`);
    return;
  }
  for (const b of batches) {
    const p = target.profile(ts, { batch: b, cores, tiling, compiler: knobs });
    const trace = npuTrace(
      p.ops.map((o) => ({
        name: o.name,
        opType: o.opType,
        unit: o.unit,
        startCycles: o.startCycles,
        cycles: o.cycles,
        ddr: o.ddr,
      })),
      { clockHz: p.clockHz, ddrBytesPerCycle: p.ddrBytesPerCycle },
    );
    const dir = join(work, "compiler", "debug", name, `b${b}`);
    await writeFileAtomic(join(dir, "trace.json"), JSON.stringify(trace) + "\n");
    const rows = p.ops.map((o) => [
      o.name,
      o.opType,
      o.macs.toLocaleString("en-US"),
      Math.round(o.cycles).toLocaleString("en-US"),
      o.ddrBytes.toLocaleString("en-US"),
      ((o.cycles / p.clockHz) * 1000).toFixed(4),
    ]);
    const text = formatTable(rows, {
      title: `NPU perf ${name} b${b}`,
      header: ["Op", "Type", "MACs", "Cycles", "DDR bytes", "ms"],
    });
    await writeFileAtomic(join(dir, "npu_perf.txt"), text + "\n");
    log.info(`save npu perf trace to [${join(dir, "trace.json")}]`);
    if (b === batches[0]) print?.(text);
  }
}
