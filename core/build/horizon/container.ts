/**
 * `<prefix>.bin` (hb_mapper) / `<prefix>.hbm` (hb_compile): the quantized model compiled
 * for the march by the common compile stage and written as an axb container with the
 * `axb.horizon` record (`core/container/horizon_meta.ts`).
 *
 * The container takes the runtime data of `input_type_rt` (§6.2): its input processors
 * turn it into the intermediate type the quantized model starts from —
 * uint8 image (`input_layout_rt`) → `− 128` → training layout; NV12 → YUV444 (chroma
 * upsampling, an identity colour matrix) → `− 128`; featuremap passes through. With
 * `separate_batch` the batch arrives as separate inputs (`separate_batch.ts`).
 *
 * @module
 */
import { join } from "node:path";
import type { OpRegistry } from "../../ops/op.ts";
import type { Logger } from "../../util/log.ts";
import type { HorizonMapping } from "../../config/horizon/mod.ts";
import {
  type BuildConfig,
  type ColorSpace,
  defaultInputProcessor,
  type InputProcessor,
} from "../../config/build_config.ts";
import type { QuantModel } from "../../quant/quant_model.ts";
import type { NpuMode, Target } from "../../../targets/target.ts";
import { runCompileStage } from "../../compile/compile_stage.ts";
import { writeCompiledModel } from "../../container/encode.ts";
import { withCompiledHorizonMeta } from "../../container/horizon_meta.ts";
import { horizonYamlGroups } from "../../config/horizon/effective.ts";
import { VERSION } from "../../version.ts";
import type { HorizonInputPlan } from "./input_plan.ts";
import type { RemovedNode } from "./graph_edits.ts";
import type { PlacementOf } from "./similarity.ts";
import { separateInputName, withSeparateBatch } from "./separate_batch.ts";

/** What {@linkcode compileContainer} needs. */
export interface ContainerOptions {
  readonly mapping: HorizonMapping;
  readonly plans: readonly HorizonInputPlan[];
  readonly target: Target;
  readonly mode: NpuMode;
  readonly removed: readonly RemovedNode[];
  readonly registry: OpRegistry;
  readonly log: Logger;
}

/** Identity YUV → "colour" matrix (3×4, bias column 0): NV12 is only upsampled to YUV444. */
const IDENTITY_CSC = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

const FORMAT: Record<string, ColorSpace> = { rgb: "RGB", bgr: "BGR", gray: "GRAY" };

/** The input processor from the runtime type to the intermediate type, if one is needed. */
export function runtimeProcessor(p: HorizonInputPlan): InputProcessor | undefined {
  if (!p.image) return undefined;
  const rt = p.config.typeRt;
  const minus128 = {
    mean: new Array<number>(p.channels).fill(128),
    std: new Array<number>(p.channels).fill(1),
  };
  const base = {
    ...defaultInputProcessor(),
    tensor_name: p.name,
    tensor_layout: p.layoutTrain,
    src_dtype: "U8" as const,
    ...minus128,
  };
  if (rt === "nv12") {
    // The CSC step of the processors converts to a colour; with the identity matrix the
    // "RGB" it produces is the YUV444 image itself, which is the intermediate colour here.
    return {
      ...base,
      src_format: "YUV420SP",
      src_layout: "NHWC",
      tensor_format: "RGB",
      csc_mode: "Matrix",
      csc_mat: IDENTITY_CSC,
    };
  }
  const fmt = FORMAT[rt] ?? "AutoColorSpace";
  return {
    ...base,
    src_format: fmt,
    tensor_format: fmt,
    src_layout: p.config.layoutRt ?? p.layoutTrain,
  };
}

/** Compile `quant` and write the container; returns its path and where each node runs. */
export async function compileContainer(
  quant: QuantModel,
  opts: ContainerOptions,
): Promise<{ path: string; placementOf: PlacementOf }> {
  const h = opts.mapping.horizon;
  const mp = h.model_parameters;
  const dir = mp.working_dir;
  const ext = h.tool === "hb_compile" ? ".hbm" : ".bin";
  const config: BuildConfig = {
    ...opts.mapping.build,
    npu_mode: opts.mode.name,
    output_dir: dir,
    work_dir: join(dir, ".axb"),
    output_name: `${mp.output_model_file_prefix}${ext}`,
    input_processors: opts.plans.flatMap((p) => runtimeProcessor(p) ?? []),
    output_processors: [],
  };
  const cpu = new Set(opts.mapping.placement.cpu);
  const npu = new Set(opts.mapping.placement.bpu);
  const present = new Set(quant.model.graph.nodes.map((n) => n.name));
  for (const n of [...cpu, ...npu]) {
    if (!present.has(n)) {
      opts.log.warn(
        `node ${n} was merged away by graph optimisation; its placement is not applied`,
      );
      cpu.delete(n);
      npu.delete(n);
    }
  }
  const stage = await runCompileStage(quant, {
    config,
    registry: opts.registry,
    target: opts.target,
    log: opts.log,
    force: { cpu, npu },
    processorsOnCpu: true,
  });
  const ip = h.input_parameters;
  const batch = ip.input_batch ?? 1;
  let program = stage.compiled;
  if (ip.separate_batch && batch > 1 && opts.plans.length === 1) {
    program = withSeparateBatch(program, opts.plans[0].name, batch);
    opts.log.info(
      `separate_batch: ${batch} separate inputs ${separateInputName(opts.plans[0].name, 0)} … ${
        separateInputName(opts.plans[0].name, batch - 1)
      }`,
    );
  } else if (ip.separate_batch) {
    opts.log.info("separate_batch: input_batch is 1, so the input is already one sample");
  }
  const compiled = withCompiledHorizonMeta(program, {
    tool: h.tool,
    march: h.march,
    yaml: horizonYamlGroups(h),
    environment: {
      axb_version: VERSION,
      model_type: opts.mapping.modelType,
      input_model: (mp.onnx_model ?? mp.caffe_model ?? "").split("/").pop() ?? "",
    },
    inputs: opts.plans.map((p) => ({
      name: p.name,
      type_rt: p.config.typeRt,
      layout_rt: p.config.typeRt === "nv12" ? "NHWC" : p.config.layoutRt ?? p.layoutTrain,
      shape: p.shape,
      norm_type: p.config.normType,
      mean_value: p.mean,
      scale_value: p.scale,
    })),
    removed_nodes: opts.removed,
    debug: h.compiler_parameters.debug,
  });
  await writeCompiledModel(compiled, stage.compiledPath);
  const where = new Map(
    stage.partition.placements.map((p) => [p.node.name, { on: p.on, subgraph: p.subgraph }]),
  );
  return { path: stage.compiledPath, placementOf: (n) => where.get(n) };
}
