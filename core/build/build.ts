/**
 * `axb build` end to end: load the model → model summary → input_shapes, const/op
 * patches → frontend graph optimisation (`frontend/optimized.onnx`, with the per-rewrite
 * transformation check) → `onnx_opt.model_check` → calibration and quantization
 * (`quant/…`) → compilation for the target (`compiled.axmodel`) → `compiler.check` → the
 * effective config (`build_context.json`). A quantized (QDQ) input skips the patches,
 * optimisation and calibration and keeps its own scales. Config fields axb has no
 * behaviour for are named once, up front, in a warning each (`field_effects.ts`).
 *
 * @module
 */
import { join } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import { loadModel } from "../onnx/load.ts";
import { saveModel } from "../onnx/save.ts";
import { formatSummary, summarizeModel } from "../report/model_summary.ts";
import { applyInputShapes } from "../preprocess/input_shapes.ts";
import { applyConstProcessors, applyOpProcessors } from "../preprocess/patch.ts";
import { cloneModel } from "../ir/clone.ts";
import type { CalibrationSet } from "../dataset/load_calibration.ts";
import { fromQdqModel, isQdqModel } from "../quant/qdq_import.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { quantJson } from "../quant/quant_json.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { writeEffectiveConfig } from "../config/effective_config.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ConfigError, ModelFormatError } from "../errors/mod.ts";
import { loadQuantCalibration, runQuantStage } from "./quant_stage.ts";
import { runFrontendStage } from "./frontend_stage.ts";
import { checkOptimizedModel } from "./float_equivalence.ts";
import { noEffectWarnings } from "../config/field_effects.ts";
import { runCompileStage } from "../compile/compile_stage.ts";
import { checkCompiled, type CheckRecord } from "./compile_check.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** What {@linkcode runBuild} needs besides the config. */
export interface BuildOptions {
  /** Operators used to run the model (frontend passes, calibration, checks). */
  registry: OpRegistry;
  /** Targets by name (built-in ones plus loaded plugins). */
  targets: TargetRegistry;
  /** Compile for this registered target instead of `config.target_hardware`. */
  targetName?: string;
  /** Receives the build's progress, warning and success messages. */
  log: Logger;
  /** Where tables go (stdout); undefined prints none. */
  print?: (text: string) => void;
  /** Hide the calibration progress bar. */
  quiet?: boolean;
}

/** Files a build wrote. */
export interface BuildResult {
  /** Path of `frontend/optimized.onnx`; absent when the input was already quantized. */
  optimizedModel?: string;
  /** Path of the quantized model in QDQ ONNX form (`quant/quant_axmodel.onnx`). */
  quantModel: string;
  /** Path of the effective config written to the output dir (`build_context.json`). */
  effectiveConfig: string;
  /** Path of the compiled model (`output_dir/output_name`). */
  compiledModel: string;
  /** The quantized model the compiled model was built from. */
  quant: QuantModel;
  /** `compiler.check` comparisons (empty when check is 0). */
  checks: CheckRecord[];
}

/** Calibration samples `onnx_opt.model_check` compares on (the first ones of the set). */
const MODEL_CHECK_SAMPLES = 4;

/** Run the build described by an effective config. */
export async function runBuild(config: BuildConfig, opts: BuildOptions): Promise<BuildResult> {
  const { log } = opts;
  const work = config.work_dir || config.output_dir;
  opts.targets.get(opts.targetName ?? config.target_hardware); // unknown targets fail first
  for (const w of noEffectWarnings(config)) log.warn(w.message);
  await checkInputsExist(config);
  const model = await loadModel(config.input);
  opts.print?.(formatSummary(summarizeModel(model, config.input)));
  if (config.model_type === "ONNX") {
    return await floatBuild(model, config, opts, work);
  }
  if (!isQdqModel(model)) {
    throw new ModelFormatError(
      `"${config.input}" is model_type ${config.model_type} but holds no QuantizeLinear/DequantizeLinear nodes; axb reads quantized models in QDQ ONNX form`,
    );
  }
  const quant = fromQdqModel(model, `"${config.input}"`);
  log.info(`import quantized model [${config.input}] (${config.model_type}) with its own scales`);
  const quantModel = join(work, "quant", "quant_axmodel.onnx");
  await writeQuant(quant, quantModel);
  return await finish(config, opts, { quantModel, quant });
}

/** Refuse missing input files before anything is written. */
async function checkInputsExist(config: BuildConfig): Promise<void> {
  const need: [string, string][] = [["input", config.input]];
  if (config.model_type === "ONNX") {
    config.quant.input_configs.forEach((c, i) =>
      need.push([`quant.input_configs[${i}].calibration_dataset`, c.calibration_dataset])
    );
  }
  for (const [field, path] of need) {
    try {
      await Deno.stat(path);
    } catch {
      throw new ConfigError(`${field}: "${path}" does not exist`, { field });
    }
  }
}

async function floatBuild(
  model: Model,
  config: BuildConfig,
  opts: BuildOptions,
  work: string,
): Promise<BuildResult> {
  const { log, registry } = opts;
  if (config.input_shapes) applyInputShapes(model, config.input_shapes, log, { registry });
  if (config.const_processors.length) {
    applyConstProcessors(model, config.const_processors, log);
  }
  if (config.op_processors.length) applyOpProcessors(model, config.op_processors, log);
  const original = config.onnx_opt.model_check ? cloneModel(model) : undefined;
  runFrontendStage(model, config.onnx_opt, { registry, log });
  const optimizedModel = join(work, "frontend", "optimized.onnx");
  await saveModel(model, optimizedModel);
  log.info(`save optimized onnx to [${optimizedModel}]`);
  if (config.quant.input_configs.length === 0) {
    throw new ConfigError(
      "quant.input_configs is empty: a float ONNX model needs a calibration dataset (tensor_name, calibration_dataset)",
      { field: "quant.input_configs" },
    );
  }
  let calibration: CalibrationSet | undefined;
  if (original) {
    calibration = await loadQuantCalibration(model, config, log);
    const samples = calibration.samples.slice(0, MODEL_CHECK_SAMPLES);
    checkOptimizedModel(original, model, samples, { registry, log });
  }
  const stage = await runQuantStage(model, {
    config,
    registry,
    log,
    print: opts.print,
    quiet: opts.quiet,
    calibration,
  });
  return await finish(config, opts, {
    optimizedModel,
    quantModel: stage.quantModelPath,
    quant: stage.quant,
  });
}

async function writeQuant(quant: QuantModel, path: string): Promise<void> {
  await saveModel(toQdqModel(quant), path);
  await writeFileAtomic(
    path.replace(/\.onnx$/, ".json"),
    JSON.stringify(quantJson(quant), null, 2) + "\n",
  );
}

async function finish(
  config: BuildConfig,
  opts: BuildOptions,
  done: { optimizedModel?: string; quantModel: string; quant: QuantModel },
): Promise<BuildResult> {
  const target = opts.targets.get(opts.targetName ?? config.target_hardware);
  const stage = await runCompileStage(done.quant, {
    config,
    registry: opts.registry,
    target,
    log: opts.log,
    print: opts.print,
  });
  const optionsOf = (name: string) => stage.subgraphOptions.get(name) ?? config.compiler;
  const checks = [...stage.subgraphOptions.values()].some((o) => o.check > 0)
    ? await checkCompiled(stage.compiled, config.compiler, optionsOf, opts.registry, opts.log)
    : [];
  const effectiveConfig = await writeEffectiveConfig(config, config.output_dir);
  opts.log.info(`save effective config to [${effectiveConfig}]`);
  opts.log.success(`build finished: ${stage.compiledPath}`);
  return { ...done, effectiveConfig, compiledModel: stage.compiledPath, checks };
}
