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
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import { Executor } from "../exec/executor.ts";
import { type CalibrationSet, loadCalibrationSet } from "../dataset/load_calibration.ts";
import { progressBar } from "../dataset/progress.ts";
import { calibrateParallel } from "../quant/calibrate_parallel.ts";
import { resolvePrecision, weightStorage } from "../quant/precision.ts";
import { quantizeModel } from "../quant/quantize.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type { NumericModel } from "../quant/numeric_model.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { quantJson } from "../quant/quant_json.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { analyzePrecision, type PrecisionRow } from "../quant/precision_analysis.ts";
import { formatPrecisionTable, precisionMermaid } from "../report/precision_report.ts";
import { formatTable } from "../report/table.ts";
import { saveModel } from "../onnx/save.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { encodeNpy } from "../io/npy.ts";
import { tensorFileStem } from "../io/raw.ts";
import { readSampleDir } from "./sample_dir.ts";

/** What the stage needs besides the model. */
export interface QuantStageOptions {
  config: BuildConfig;
  registry: OpRegistry;
  /** The target's activation scheme (default: U8/U16 asymmetric). */
  numeric?: NumericModel;
  log: Logger;
  /** Console output (tables); `undefined` prints nothing. */
  print?: (text: string) => void;
  quiet?: boolean;
  /** Where `quant/` is written (default: `work_dir`, else `output_dir`). */
  work?: string;
  /** How a path under `work` is shown in tables (its final place when `work` is staged). */
  shownPath?: (path: string) => string;
  /** The calibration set when the caller has read it already ({@linkcode loadQuantCalibration}). */
  calibration?: CalibrationSet;
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

/** Calibrate and quantize a frontend-optimized float `model`. */
export async function runQuantStage(
  model: Model,
  opts: QuantStageOptions,
): Promise<QuantStageResult> {
  const { config, log, registry } = opts;
  const q = config.quant;
  const work = opts.work ?? (config.work_dir || config.output_dir);
  const quantDir = join(work, "quant");
  const calib = opts.calibration ?? await loadQuantCalibration(model, config, log, work);
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
  const exec = new Executor(model, registry);
  const passes = q.calibration_method === "MinMax" ? 1 : 2;
  const bar = progressBar(
    `Calibration Progress(Phase 1)`,
    calib.samples.length * passes,
    { quiet: opts.quiet },
  );
  // Calibration runs on worker threads (calibrate_parallel.ts); same result as calibrate().
  const stats = await calibrateParallel(model, calib.samples, {
    method: q.calibration_method,
    onProgress: (pass, done, total) => bar.update((pass - 1) * total + done),
    onFallback: (reason) => log.warn(`${reason}; calibrating on one thread`),
  });
  bar.finish();
  const plan = resolvePrecision(model.graph, q.layer_configs);
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
  for (const i of plan.unmatched) {
    log.warn(
      `quant.layer_configs[${i}] matches no operator of the optimized model (names refer to frontend/optimized.onnx)`,
    );
  }
  const quant = quantizeModel(model, stats, {
    method: q.calibration_method,
    precision: plan,
    biasDataType: q.conv_bias_data_type === "FP32" ? "FP32" : "S32",
    refineWeightThreshold: q.refine_weight_threshold,
    numeric: opts.numeric,
  });
  logSnapshot(quant, model, log);
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
  const emu = new QuantEmulator(quant, registry);
  await exportIoData(exec, emu, calib.samples[0], join(quantDir, "debug/io"), log);
  let precision: PrecisionRow[] | undefined;
  if (q.precision_analysis) {
    const samples = q.input_sample_dir
      ? await readSampleDir(q.input_sample_dir, model.graph.runtimeInputs)
      : calib.samples;
    if (q.precision_analysis_mode === "NPUBackend") {
      log.warn("precision_analysis_mode NPUBackend is not available in axb; using Reference");
    }
    const method = q.precision_analysis_method;
    precision = analyzePrecision(exec, emu, samples, method);
    opts.print?.(formatPrecisionTable(precision, method, "Reference"));
    const tablePath = join(quantDir, "debug/precision_analysis_table.txt");
    // the file keeps one line per row for scripts; the console copy fits the terminal
    const table = formatPrecisionTable(precision, method, "Reference", { maxWidth: Infinity });
    await writeFileAtomic(tablePath, table + "\n");
    log.info(`save precision analysis table to [${tablePath}]`);
    const mmdPath = join(quantDir, "debug/precision_analysis.mmd");
    await writeFileAtomic(mmdPath, precisionMermaid(model.graph, precision, method, "Reference"));
    log.info(`save precision analysis graph to [${mmdPath}]`);
  }
  return { quant, samples: calib.samples, quantModelPath, precision };
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

/** Float and quantized model inputs/outputs of the first sample as .npy (pulsar2's debug/io). */
async function exportIoData(
  exec: Executor,
  emu: QuantEmulator,
  sample: Map<string, Tensor> | undefined,
  dir: string,
  log: Logger,
): Promise<void> {
  if (!sample) return;
  const g = exec.model.graph;
  const floatOut = exec.run(sample);
  const quantOut = emu.run(sample);
  for (const [kind, outs] of [["float", floatOut], ["quant", quantOut]] as const) {
    for (
      const [name, t] of [
        ...sample,
        ...[...outs].filter(([n]) => g.outputs.some((o) => o.name === n)),
      ]
    ) {
      await writeFileAtomic(join(dir, kind, `${tensorFileStem(name)}.npy`), encodeNpy(t));
    }
  }
  log.info(`===>export io data to folder: ${dir}`);
}
