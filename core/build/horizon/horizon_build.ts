/**
 * A Horizon conversion end to end (`hb_mapper makertbin`, `hb_compile`; spec `horizon.md`
 * §3, §4): validate everything the YAML names against the model and the calibration files
 * → `<prefix>_original_float_model.onnx` (pre-processing node at the inputs) →
 * `<prefix>_optimized_float_model.onnx` → calibration and quantization with the march's
 * numeric model (per-channel feature maps with `per_channel`, float16 nodes) →
 * `<prefix>_quantized_model.onnx` (hb_mapper) or
 * `<prefix>_calibrated_model.onnx` + `<prefix>_ptq_model.onnx` (hb_compile) → the similarity
 * table → `<prefix>.bin` / `<prefix>.hbm` (an axb container with the `axb.horizon` record).
 *
 * Nothing is written before every check passed.
 *
 * @module
 */
import { join } from "node:path";
import type { Model, Node } from "../../ir/graph.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { Logger } from "../../util/log.ts";
import type { HorizonMapping } from "../../config/horizon/mod.ts";
import { cloneModel } from "../../ir/clone.ts";
import { loadModel } from "../../onnx/load.ts";
import { saveModel } from "../../onnx/save.ts";
import { loadCaffeModel } from "../../caffe/mod.ts";
import { applyInputShapes } from "../../preprocess/input_shapes.ts";
import { optimizeFrontend } from "../../passes/frontend.ts";
import { calibrateParallel } from "../../quant/calibrate_parallel.ts";
import { type FixedActivation, quantizeModel } from "../../quant/quantize.ts";
import { toQdqModel } from "../../quant/qdq_export.ts";
import { refineQuantization } from "../../quant/ptq/refine.ts";
import type { QuantModel } from "../../quant/quant_model.ts";
import { withFloat16Nodes } from "../../quant/float16.ts";
import {
  channelAbsMax,
  perChannelCandidates,
  withPerChannelActivations,
} from "../../quant/per_channel_activations.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { selectNpuMode } from "../../compile/npu_mode.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import type { Target } from "../../../targets/target.ts";
import { partitionModel } from "../../partition/partition.ts";
import { planHorizonInputs } from "./input_plan.ts";
import { insertPreprocessNodes } from "./original_model.ts";
import { listCalibrationFiles } from "./calibration_data.ts";
import { calibrationSamples, dumpCalibrationData } from "./samples.ts";
import { checkNodeNames, removeHeadTailNodes, setOutputNodes } from "./graph_edits.ts";
import {
  type CalibrationChoice,
  fixedChoice,
  searchCalibration,
  statsMethod,
} from "./calibration_method.ts";
import { toHostInputs, withUnsignedWeights } from "./quantized_onnx.ts";
import { formatSimilarityTable, type SimilarityRow, similarityRows } from "./similarity.ts";
import { compileContainer } from "./container.ts";
import { horizonPrecision } from "./precision.ts";
import { withLayerOutputs } from "./layer_dump.ts";
import { mixPrecision } from "./mix_precision.ts";

/** What {@linkcode runHorizonBuild} needs besides the mapping. */
export interface HorizonBuildOptions {
  readonly registry: OpRegistry;
  readonly targets: TargetRegistry;
  readonly log: Logger;
  /** Console tables; undefined prints none. */
  readonly print?: (text: string) => void;
  /** `hb_compile --skip compile`: stop after the ONNX artifacts. */
  readonly skipCompile?: boolean;
}

/** What a conversion wrote. */
export interface HorizonBuildResult {
  /** Every file written, in order. */
  readonly artifacts: readonly string[];
  /** `<prefix>.bin` / `<prefix>.hbm`, unless compilation was skipped. */
  readonly container?: string;
  /** The host ONNX of the quantized model (`_quantized_model.onnx` / `_ptq_model.onnx`). */
  readonly quantizedOnnx: string;
  readonly similarity: readonly SimilarityRow[];
  /** The calibration setting used (the search's choice for `default`). */
  readonly calibration: string;
}

/**
 * Convert the model of `mapping` for its march.
 *
 * @throws {ConfigError} for anything the YAML names that the model or target lacks
 * @throws {InputDataError} for a calibration file of the wrong size
 */
export async function runHorizonBuild(
  mapping: HorizonMapping,
  opts: HorizonBuildOptions,
): Promise<HorizonBuildResult> {
  const { log, registry } = opts;
  const h = mapping.horizon;
  const mp = h.model_parameters;
  const cp = h.calibration_parameters;
  const target = opts.targets.get(h.march);
  const xp = h.compiler_parameters;
  const mode = selectNpuMode(target, String(xp.core_num));
  const model = await loadFloatModel(mapping);
  if (mapping.build.input_shapes) {
    applyInputShapes(model, mapping.build.input_shapes, log, { registry });
  }
  checkNodeNames(model, [
    { field: "calibration_parameters.run_on_cpu", names: cp.run_on_cpu },
    { field: "calibration_parameters.run_on_bpu", names: cp.run_on_bpu },
    { field: "model_parameters.output_nodes", names: mp.output_nodes },
    { field: "model_parameters.remove_node_name", names: mp.remove_node_name },
    { field: "node_info", names: h.node_info.map((n) => n.node) },
    { field: "quant_config node_config", names: Object.keys(h.quant_config?.node_config ?? {}) },
  ]);
  setOutputNodes(model, mp.output_nodes);
  const removed = removeHeadTailNodes(model, mp.remove_node_type, mp.remove_node_name);
  for (const r of removed) {
    log.info(`remove node ${r.name} (${r.op_type}) at the model's head/tail`);
  }
  const plans = planHorizonInputs(
    h.inputs,
    model.graph.runtimeInputs.map((v) => ({
      name: v.name,
      dims: v.type && !("kind" in v.type) ? v.type.shape ?? [] : [],
    })),
  );
  const files = cp.calibration_type === "skip" ? undefined : await listCalibrationFiles(plans, cp);
  // Every check passed: from here on files are written.
  const dir = mp.working_dir;
  const prefix = mp.output_model_file_prefix;
  const artifacts: string[] = [];
  const save = async (m: Model, suffix: string) => {
    const path = join(dir, `${prefix}${suffix}`);
    await saveModel(m, path);
    artifacts.push(path);
    log.info(`save ${path}`);
    return path;
  };
  await Deno.mkdir(dir, { recursive: true });
  insertPreprocessNodes(model, plans);
  await save(model, "_original_float_model.onnx");
  const optimized = cloneModel(model);
  optimizeFrontend(optimized, { registry, log });
  await save(optimized, "_optimized_float_model.onnx");

  const samples = await calibrationSamples(plans, files, cp.preprocess_on, log);
  if (mp.debug_mode === "dump_calibration_data") {
    artifacts.push(...await dumpCalibrationData(samples, join(dir, "calibration_data"), log));
  }
  const choice = fixedChoice(cp, log);
  log.info(`calibration: ${samples.length} sample(s), ${cp.calibration_type}`);
  const stats = await calibrateParallel(optimized, samples, { method: statsMethod(choice) });
  const cpuNodes = cpuPlacedNodes(optimized, target, registry, mapping.placement);
  const precision = horizonPrecision(
    optimized,
    h,
    mapping.build.quant.layer_configs,
    target.numeric,
    cpuNodes,
    log,
  );
  const fixed = new Map<string, FixedActivation>(
    plans.filter((p) => p.image).map((p) => [p.name, { qtype: "S8", scale: 1, zeroPoint: 0 }]),
  );
  const cpuResults = cpuOnlyTensors(optimized, cpuNodes);
  const quantize = (c: CalibrationChoice): QuantModel =>
    quantizeModel(optimized, stats, {
      method: c.method,
      percentile: c.percentile,
      precision: precision.plan,
      biasDataType: "S32",
      refineWeightThreshold: 0,
      numeric: precision.numeric,
      fixedActivations: fixed,
      floatTensors: cpuResults,
      tensorPrecision: precision.tensorPrecision,
    });
  const picked = choice
    ? { choice, quant: quantize(choice) }
    : searchCalibration(optimized, samples, quantize, registry, log);
  const mixed = cp.calibration_type === "mix"
    ? mixPrecision(optimized, samples, picked.choice, {
      quantize: (c, layerConfigs, logger) => {
        const p = horizonPrecision(optimized, h, layerConfigs, target.numeric, cpuNodes, logger);
        return quantizeModel(optimized, stats, {
          method: c.method,
          percentile: c.percentile,
          precision: p.plan,
          biasDataType: "S32",
          refineWeightThreshold: 0,
          numeric: p.numeric,
          fixedActivations: fixed,
          floatTensors: cpuResults,
          tensorPrecision: p.tensorPrecision,
        });
      },
      quant: mapping.build.quant,
      picked: picked.quant,
      target,
      opts,
    })
    : picked.quant;
  const corrected = cp.optimization.includes("bias_correction")
    ? refineQuantization(mixed, samples, registry, { biasCorrection: true }, log)
    : mixed;
  // per-channel scales and float16 nodes apply to whatever precision the search settled on
  const half = withFloat16Nodes(
    perChannel(corrected, optimized, samples, h, opts),
    precision.float16,
  );
  const quant = half.quant;
  log.info(`quantize with ${precision.numeric.name}`);
  if (half.nodes.length > 0) {
    log.info(`float16: ${half.nodes.join(", ")} read and write float16 values`);
  }

  let deployed = quant;
  if (mp.layer_out_dump) {
    const d = withLayerOutputs(quant);
    deployed = d.quant;
    log.warn(
      `layer_out_dump: ${d.added} layer output(s) added; for debugging only, the model is slower`,
    );
  }
  if (h.tool === "hb_compile") {
    await save(withUnsignedWeights(toQdqModel(deployed)), "_calibrated_model.onnx");
  }
  const quantizedOnnx = await save(
    withUnsignedWeights(toHostInputs(toQdqModel(deployed), plans)),
    h.tool === "hb_compile" ? "_ptq_model.onnx" : "_quantized_model.onnx",
  );

  log.info(
    `compile_mode ${xp.compile_mode}, optimize_level ${xp.optimize_level}, max_time_per_fc ${xp.max_time_per_fc}: ` +
      "BPU scheduling settings, recorded in the container; axb's estimates do not depend on them",
  );
  let container: string | undefined;
  let placementOf: Parameters<typeof similarityRows>[5] = () => undefined;
  if (!opts.skipCompile) {
    const compiled = await compileContainer(deployed, {
      mapping,
      plans,
      target,
      mode,
      removed,
      registry,
      log,
    });
    container = compiled.path;
    artifacts.push(container);
    placementOf = compiled.placementOf;
  } else {
    log.info("--skip compile: the .hbm model is not built");
  }
  const similarity = similarityRows(
    optimized,
    quant,
    samples.slice(0, 2),
    stats,
    registry,
    placementOf,
  );
  opts.print?.(formatSimilarityTable(similarity));
  return {
    artifacts,
    container,
    quantizedOnnx,
    similarity,
    calibration: picked.choice.label,
  };
}

/**
 * `per_channel: True` (any `calibration_type` but `default` and `mix`, which ignore it as
 * the config layer warns): symmetric feature maps between Convs get one scale per channel.
 */
function perChannel(
  quant: QuantModel,
  optimized: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  h: HorizonMapping["horizon"],
  opts: HorizonBuildOptions,
): QuantModel {
  const cp = h.calibration_parameters;
  if (!cp.per_channel || cp.calibration_type === "default" || cp.calibration_type === "mix") {
    return quant;
  }
  const names = perChannelCandidates(quant);
  const r = withPerChannelActivations(
    quant,
    channelAbsMax(optimized, samples, names, opts.registry),
  );
  opts.log.info(
    `per_channel: ${r.tensors.length} feature map(s) quantized per channel, ` +
      `${names.size - r.tensors.length} candidate(s) of one channel or none kept per tensor`,
  );
  return r.quant;
}

/** The nodes the target places on the CPU (with the YAML's forced placements). */
function cpuPlacedNodes(
  model: Model,
  target: Target,
  registry: OpRegistry,
  placement: HorizonMapping["placement"],
): Set<Node> {
  const present = new Set(model.graph.nodes.map((n) => n.name));
  const keep = (names: readonly string[]) => new Set(names.filter((n) => present.has(n)));
  const { placements } = partitionModel(model, target, {
    registry,
    forceCpu: keep(placement.cpu),
    forceNpu: keep(placement.bpu),
  });
  return new Set(placements.filter((p) => p.on === "CPU").map((p) => p.node));
}

/**
 * Results of CPU operators that no BPU operator reads: a hybrid model computes CPU
 * operators in float, so they are not requantized (e.g. a tail Softmax on bernoulli2).
 */
function cpuOnlyTensors(model: Model, cpu: ReadonlySet<Node>): Set<string> {
  const consumers = model.graph.consumers();
  const out = new Set<string>();
  for (const n of cpu) {
    for (const o of n.outputs) {
      if (o && (consumers.get(o) ?? []).every((c) => cpu.has(c))) out.add(o);
    }
  }
  return out;
}

async function loadFloatModel(mapping: HorizonMapping): Promise<Model> {
  const mp = mapping.horizon.model_parameters;
  if (mapping.modelType === "onnx") return await loadModel(mp.onnx_model ?? "");
  const shapes: Record<string, number[]> = {};
  for (const i of mapping.horizon.inputs) if (i.name && i.shape) shapes[i.name] = [...i.shape];
  return await loadCaffeModel(mp.prototxt ?? "", mp.caffe_model ?? "", { inputShapes: shapes });
}
