/**
 * `axb build` end to end: load the model → model summary → input_shapes, const/op
 * patches → frontend graph optimisation (`frontend/optimized.onnx`) → calibration and
 * quantization (`quant/…`) → compilation for the target (`compiled.axmodel`) →
 * `compiler.check` → the effective config (`build_context.json`). A quantized (QDQ)
 * input skips the patches, optimisation and calibration and keeps its own scales.
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
import { optimizeFrontend } from "../passes/frontend.ts";
import { upgradeOpset } from "../passes/upgrade_opset.ts";
import { runPasses } from "../passes/pass_manager.ts";
import { fromQdqModel, isQdqModel } from "../quant/qdq_import.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { quantJson } from "../quant/quant_json.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { writeEffectiveConfig } from "../config/effective_config.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ConfigError, ModelFormatError } from "../errors/mod.ts";
import { runQuantStage } from "./quant_stage.ts";
import { runCompileStage } from "../compile/compile_stage.ts";
import { selectNpuMode } from "../compile/npu_mode.ts";
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

/** Run the build described by an effective config. */
export async function runBuild(config: BuildConfig, opts: BuildOptions): Promise<BuildResult> {
  const { log } = opts;
  const work = config.work_dir || config.output_dir;
  // Unknown targets and core modes fail before anything is read or calibrated.
  const target = opts.targets.get(opts.targetName ?? config.target_hardware);
  selectNpuMode(target, config.npu_mode);
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
  if (config.onnx_opt.disable_onnx_optimization) {
    log.warn(
      "onnx_opt.disable_onnx_optimization: skipping graph optimisation except the opset upgrade QDQ export needs",
    );
    runPasses(model, [upgradeOpset], { registry, log });
  } else {
    const report = optimizeFrontend(model, { registry, log });
    for (const p of report.passes) {
      if (p.count) log.info(`${p.name}: ${p.count} rewrite(s) in ${p.ms.toFixed(1)} ms`);
    }
  }
  const optimizedModel = join(work, "frontend", "optimized.onnx");
  await saveModel(model, optimizedModel);
  log.info(`save optimized onnx to [${optimizedModel}]`);
  if (config.quant.input_configs.length === 0) {
    throw new ConfigError(
      "quant.input_configs is empty: a float ONNX model needs a calibration dataset (tensor_name, calibration_dataset)",
      { field: "quant.input_configs" },
    );
  }
  const stage = await runQuantStage(model, {
    config,
    registry,
    numeric: opts.targets.get(opts.targetName ?? config.target_hardware).numeric,
    log,
    print: opts.print,
    quiet: opts.quiet,
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
