/**
 * The quantization stage of `axb build`: calibration data → statistics → quantized
 * model, written as `<work_dir>/quant/quant_axmodel.onnx` (QDQ) and
 * `quant/quant_axmodel.json`, with the console tables pulsar2 prints and, when asked,
 * the precision analysis.
 *
 * @module
 */
import { join } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig, LayerConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import { ProgressDisplay } from "../util/progress.ts";
import { type CalibrationSet, loadCalibrationSet } from "../dataset/load_calibration.ts";
import type { TensorStats } from "../quant/calibrate.ts";
import { calibrateInThread, calibrateOnPool } from "../quant/calibrate_parallel.ts";
import { SamplePool } from "../quant/sample_pool.ts";
import { resolvePrecision, weightStorage } from "../quant/precision.ts";
import { quantizeModel } from "../quant/quantize.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type { NumericModel } from "../quant/numeric_model.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { quantJson } from "../quant/quant_json.ts";
import type { PrecisionRow } from "../quant/precision_analysis.ts";
import { formatTable } from "../report/table.ts";
import { saveModel } from "../onnx/save.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { runQuantDebug, startQuantDebug } from "./quant_debug.ts";
import { HazardLint, reportHazards, withHazardFixes } from "./hazard_stage.ts";
import { runAutoPrecision } from "./auto_precision_stage.ts";
import type { Target } from "../../targets/target.ts";
import { smoothQuant } from "../quant/ptq/smooth_quant.ts";
import { PTQ_SAMPLES, refineQuantization } from "../quant/ptq/refine.ts";

/** What the stage needs besides the model. */
export interface QuantStageOptions {
  config: BuildConfig;
  registry: OpRegistry;
  /** The target's activation scheme (default: U8/U16 asymmetric). */
  numeric?: NumericModel;
  log: Logger;
  /** Console output (tables); `undefined` prints nothing. */
  print?: (text: string) => void;
  /** Hide the progress bars (when no `progress` display is given). */
  quiet?: boolean;
  /** Where progress bars draw (default: stderr, hidden when `quiet`). */
  progress?: ProgressDisplay;
  /**
   * Worker threads for calibration, the io export and the precision analysis (default:
   * two on two cores or more; 1 runs everything in this thread).
   */
  workers?: number;
  /** Where `quant/` is written (default: `work_dir`, else `output_dir`). */
  work?: string;
  /** How a path under `work` is shown in tables (its final place when `work` is staged). */
  shownPath?: (path: string) => string;
  /** The calibration set when the caller has read it already ({@linkcode loadQuantCalibration}). */
  calibration?: CalibrationSet;
  /** The target whose cost model prices automatic mixed precision (`quant.auto_precision`). */
  target?: Target;
  /** NPU cores the model is compiled for (the cost model's core count). */
  cores?: number;
}

/** What the stage produced. */
export interface QuantStageResult {
  quant: QuantModel;
  samples: Map<string, Tensor>[];
  quantModelPath: string;
  precision?: PrecisionRow[];
}

/** Read the calibration set of `config` for the inputs of `model` (extracted under `work`, default `work_dir`). */
export async function loadQuantCalibration(
  model: Model,
  config: BuildConfig,
  log: Logger,
  work: string = config.work_dir || config.output_dir,
): Promise<CalibrationSet> {
  return await loadCalibrationSet(config.quant.input_configs, model.graph.runtimeInputs, {
    processors: config.input_processors,
    workDir: work,
    log,
  });
}

/**
 * Calibrate and quantize a frontend-optimized float model (with SmoothQuant, its smoothed
 * copy: the result's `quant.model`).
 */
export async function runQuantStage(
  optimized: Model,
  opts: QuantStageOptions,
): Promise<QuantStageResult> {
  const { config, log } = opts;
  const q = config.quant;
  const work = opts.work ?? (config.work_dir || config.output_dir);
  const calib = opts.calibration ?? await loadQuantCalibration(optimized, config, log, work);
  const model = q.enable_smooth_quant ? smoothModel(optimized, calib.samples, opts) : optimized;
  opts.print?.(formatTable(
    calib.source.map((s) => [
      s.input,
      `[${s.shape.join(", ")}]`,
      opts.shownPath?.(s.datasetDirectory) ?? s.datasetDirectory,
      s.dataFormat,
      s.tensorFormat,
      `[${s.mean.join(", ")}]`,
      `[${s.std.join(", ")}]`,
    ]),
    {
      title: "Quant Config Table",
      header: [
        "Input",
        "Shape",
        "Dataset Directory",
        "Data Format",
        "Tensor Format",
        "Mean",
        "Std",
      ],
    },
  ));
  log.info(`Transformer optimize level: ${q.transformer_opt_level}`);
  log.info("Quantization calibration will be executed on cpu");
  const display = opts.progress ?? new ProgressDisplay({ quiet: opts.quiet });
  const passes = q.calibration_method === "MinMax" ? 1 : 2;
  const bar = display.bar(`Calibration Progress(Phase 1)`, calib.samples.length * passes);
  // One pool of workers serves calibration, the io export and the precision analysis.
  const pool = await SamplePool.open(model, calib.samples, {
    workers: opts.workers,
    onFallback: (reason) => log.warn(`${reason}; calibrating on one thread`),
  });
  try {
    let firstOutputs: Map<string, Tensor> | undefined;
    const calibration = {
      method: q.calibration_method,
      onProgress: (pass: number, done: number, total: number) =>
        bar.update((pass - 1) * total + done),
      onFirstOutputs: (o: Map<string, Tensor>) => (firstOutputs = o),
    };
    const stats = pool
      ? await calibrateOnPool(pool, calibration)
      : calibrateInThread(model, calib.samples, calibration);
    bar.finish();
    const quantize = (configs: readonly LayerConfig[]) => quantizeWith(model, stats, opts, configs);
    // the hazard fixes come first, then the automatic mixed precision searches on top of them
    const lint = q.hazards === "off"
      ? undefined
      : new HazardLint(model, stats, calib.samples, opts.registry);
    const found = lint && q.hazards === "fix" ? lint.run(quantize(q.layer_configs)) : [];
    const base = found.length
      ? withHazardFixes(model.graph, q.layer_configs, found, log)
      : q.layer_configs;
    const auto = runAutoPrecision(
      model,
      calib.samples,
      { ...q, layer_configs: base },
      quantize,
      { ...opts, display },
    );
    const quant = refineQuantization(
      quantizeAndReport(model, opts, quantize, [...auto, ...base]),
      calib.samples,
      opts.registry,
      {
        easyQuant: q.enable_easy_quant,
        adaRound: q.enable_adaround ? { maxSweeps: q.finetune_epochs } : undefined,
      },
      log,
    );
    if (lint) reportHazards(lint.run(quant), { ...opts, afterFix: found.length > 0 });
    // workers emulate the io export's sample and analyse while this thread writes the files
    const debug = startQuantDebug(quant, pool, calib.samples, q);
    const quantModelPath = await writeQuantModel(quant, work, config, log);
    const precision = await runQuantDebug(model, debug, {
      ...opts,
      display,
      floatOutputs: firstOutputs,
      quantDir: join(work, "quant"),
    });
    return { quant, samples: calib.samples, quantModelPath, precision };
  } finally {
    pool?.close();
  }
}

/** `model` with SmoothQuant applied (`quant.enable_smooth_quant`), logging what it smoothed. */
function smoothModel(
  model: Model,
  samples: readonly Map<string, Tensor>[],
  opts: QuantStageOptions,
): Model {
  const q = opts.config.quant;
  const t0 = Date.now();
  opts.log.info("Enable Smooth Quant, this pass is used for outlier activation.");
  const r = smoothQuant(model, samples.slice(0, PTQ_SAMPLES), opts.registry, {
    strength: q.smooth_quant_strength,
    threshold: q.smooth_quant_threshold,
  });
  for (const t of r.smoothed) {
    opts.log.debug(
      `SmoothQuant: ${t.tensor} (${t.producer} -> ${t.readers.join(", ")}), outlier ratio ` +
        `${t.outlierRatio.toFixed(1)}`,
    );
  }
  opts.log.info(
    `SmoothQuant: ${r.smoothed.length} tensor(s) smoothed (strength ${q.smooth_quant_strength}, ` +
      `threshold ${q.smooth_quant_threshold}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return r.model;
}

/** Quantize with the calibrated statistics and `configs` in place of `quant.layer_configs`. */
function quantizeWith(
  model: Model,
  stats: Map<string, TensorStats>,
  opts: QuantStageOptions,
  configs: readonly LayerConfig[],
): QuantModel {
  const q = opts.config.quant;
  return quantizeModel(model, stats, {
    method: q.calibration_method,
    precision: resolvePrecision(model.graph, configs),
    biasDataType: q.conv_bias_data_type === "FP32" ? "FP32" : "S32",
    refineWeightThreshold: q.refine_weight_threshold,
    numeric: opts.numeric,
  });
}

/**
 * Quantize with `configs` (the user's `quant.layer_configs` last, after the entries axb adds:
 * hazard fixes and automatic mixed precision, so the user's own entries win), printing the
 * layer config table and warning about user entries that match nothing.
 */
function quantizeAndReport(
  model: Model,
  opts: QuantStageOptions,
  quantize: (configs: readonly LayerConfig[]) => QuantModel,
  configs: readonly LayerConfig[],
): QuantModel {
  const { config, log } = opts;
  const q = config.quant;
  const plan = resolvePrecision(model.graph, configs);
  if (plan.table.length) {
    opts.print?.(formatTable(plan.table, {
      title: "Layer Config Table",
      header: ["Op Type / Layer name", "Precision"],
    }));
  }
  q.layer_configs.forEach((c, i) => {
    const t = c.weight_data_type;
    if (weightStorage(t) !== t) {
      log.warn(
        `quant.layer_configs[${i}].weight_data_type ${t}: axb stores weights as S8 or FP32; the selected operators keep FP32 weights`,
      );
    }
  });
  for (const i of resolvePrecision(model.graph, q.layer_configs).unmatched) {
    log.warn(
      `quant.layer_configs[${i}] matches no operator of the optimized model (names refer to frontend/optimized.onnx)`,
    );
  }
  const quant = quantize(configs);
  logSnapshot(quant, model, log);
  return quant;
}

/** `quant/quant_axmodel.onnx` (QDQ), its `.json`, and the frontend dump when asked. */
async function writeQuantModel(
  quant: QuantModel,
  work: string,
  config: BuildConfig,
  log: Logger,
): Promise<string> {
  const quantDir = join(work, "quant");
  const quantModelPath = join(quantDir, "quant_axmodel.onnx");
  await saveModel(toQdqModel(quant), quantModelPath);
  await writeFileAtomic(
    join(quantDir, "quant_axmodel.json"),
    JSON.stringify(quantJson(quant), null, 2) + "\n",
  );
  log.info(`quant.axmodel export success: ${quantModelPath}`);
  if (config.debug.dump_frontend_graph) {
    // pulsar2's name for this file, misspelling included, so scripts find it
    const dump = join(work, "frontend", "optimzied_quant_axmodel.onnx");
    await saveModel(toQdqModel(quant), dump);
    log.info(`save frontend quant graph to [${dump}]`);
  }
  return quantModelPath;
}

function logSnapshot(q: QuantModel, model: Model, log: Logger): void {
  const states = new Map<string, number>();
  for (const a of q.activations.values()) {
    const s = a.kind === "quant" ? a.state : "FP32";
    states.set(s, (states.get(s) ?? 0) + 1);
  }
  for (const c of q.constants.values()) states.set(c.state, (states.get(c.state) ?? 0) + 1);
  log.info("--------- Network Snapshot ---------");
  log.info(`Num of Op:                    [${model.graph.nodes.length}]`);
  log.info(
    `Num of Quantized Var:         [${
      [...q.activations.values()].filter((a) => a.kind === "quant").length
    }]`,
  );
  log.info("------- Quantization Snapshot ------");
  log.info(`Num of Quant Config:          [${q.activations.size + q.constants.size}]`);
  for (const [s, n] of [...states].sort()) log.info(`${s.padEnd(30)}[${n}]`);
  log.info("Network Quantization Finished.");
}
