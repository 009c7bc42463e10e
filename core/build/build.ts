/**
 * `axb build` end to end: validate what needs no model (target, core mode, calibration
 * list, input files) → load the model (a Caffe net is converted to the IR here, so a bad
 * Caffe input fails before anything is written) → model summary → input_shapes, const/op
 * patches → frontend graph optimisation (with the per-rewrite transformation check) →
 * refused layer configs; then, written into a staging directory:
 * `frontend/caffe_converted.onnx` (a Caffe input as converted, with `input_shapes`, before
 * patches and optimisation) and `frontend/optimized.onnx` → `onnx_opt.model_check` →
 * calibration and quantization (`quant/…`) → compilation for the target
 * (`compiled.axmodel`) → `compiler.check` → the effective config (`build_context.json`);
 * last, the staged files replace the previous output (`output_staging.ts`). Any failure
 * leaves the previous output as it was. A quantized (QDQ) input skips the patches,
 * optimisation and calibration and keeps its own scales.
 *
 * Messages, tables and results name the final paths, never the staging directory. Config
 * fields axb has no behaviour for are named once, up front, in a warning each
 * (`field_effects.ts`).
 *
 * @module
 */
import { join } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import { ProgressDisplay } from "../util/progress.ts";
import { saveModel } from "../onnx/save.ts";
import { formatSummary, summarizeModel } from "../report/model_summary.ts";
import { applyInputShapes } from "../preprocess/input_shapes.ts";
import { applyConstProcessors, applyOpProcessors } from "../preprocess/patch.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { cloneModel } from "../ir/clone.ts";
import type { CalibrationSet } from "../dataset/load_calibration.ts";
import { fromQdqModel, isQdqModel } from "../quant/qdq_import.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { quantJson } from "../quant/quant_json.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { writeEffectiveConfig } from "../config/effective_config.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { loadQuantCalibration, runQuantStage } from "./quant_stage.ts";
import { loadFrontendModel, runFrontendStage } from "./frontend_stage.ts";
import { checkOptimizedModel } from "./float_equivalence.ts";
import { noEffectWarnings } from "../config/field_effects.ts";
import { refuseFp32Conv } from "./layer_config_rules.ts";
import { runCompileStage } from "../compile/compile_stage.ts";
import { type CheckCalibration, checkCompiled, type CheckRecord } from "./compile_check.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import type { Target } from "../../targets/target.ts";
import { selectNpuMode } from "../compile/npu_mode.ts";
import { validateBuild } from "./validate_build.ts";
import { OutputStaging } from "./output_staging.ts";

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
  /** Hide the progress bars (when no `progress` display is given). */
  quiet?: boolean;
  /** Where the progress bars of the long stages draw (default: stderr, hidden when `quiet`). */
  progress?: ProgressDisplay;
  /** Worker threads for calibration, io export and precision analysis (default 2 on 2 cores). */
  workers?: number;
}

/** Files a build wrote. */
export interface BuildResult {
  /** Path of `frontend/optimized.onnx`; absent when the input was already quantized. */
  optimizedModel?: string;
  /** Path of `frontend/caffe_converted.onnx`, the float ONNX of a Caffe input. */
  convertedModel?: string;
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

/** The model the staged part of the build starts from. */
type Source =
  | {
    readonly kind: "float";
    readonly model: Model;
    /** The model before optimisation, kept for `onnx_opt.model_check`. */
    readonly original?: Model;
    /** A Caffe input as converted (with `input_shapes`), before patches and optimisation. */
    readonly converted?: Model;
  }
  | { readonly kind: "quant"; readonly quant: QuantModel };

/** Run the build described by an effective config. */
export async function runBuild(config: BuildConfig, opts: BuildOptions): Promise<BuildResult> {
  const { target } = await validateBuild(config, opts.targets, opts.targetName);
  for (const w of noEffectWarnings(config)) opts.log.warn(w.message);
  const { model, fromCaffe } = await loadFrontendModel(config, opts.registry);
  opts.print?.(formatSummary(summarizeModel(model, config.input)));
  const converted = fromCaffe ? cloneModel(model) : undefined;
  const source: Source = config.model_type === "ONNX"
    ? { kind: "float", ...prepareFloat(model, config, opts), converted }
    : { kind: "quant", quant: importQuant(model, config, opts.log) };
  const staging = await OutputStaging.open(config);
  const log = shownLogger(opts.log, staging);
  let result: BuildResult;
  try {
    result = await produce(source, config, { ...opts, log }, staging, target);
    await staging.commit();
  } catch (e) {
    await staging.discard();
    throw e;
  }
  opts.log.success(`build finished: ${result.compiledModel}`);
  return result;
}

/** `log` with every staging path in its messages replaced by the final path. */
function shownLogger(log: Logger, staging: OutputStaging): Logger {
  return {
    debug: (m) => log.debug(staging.shown(m)),
    info: (m) => log.info(staging.shown(m)),
    success: (m) => log.success(staging.shown(m)),
    warn: (m) => log.warn(staging.shown(m)),
    error: (m) => log.error(staging.shown(m)),
  };
}

/**
 * Input shapes, patches and frontend optimisation of a float model, in memory; with
 * `onnx_opt.model_check`, also the model as it was before optimisation.
 */
function prepareFloat(
  model: Model,
  config: BuildConfig,
  opts: BuildOptions,
): { model: Model; original?: Model } {
  const { log, registry } = opts;
  if (config.input_shapes) applyInputShapes(model, config.input_shapes, log, { registry });
  if (config.const_processors.length) {
    applyConstProcessors(model, config.const_processors, log);
  }
  if (config.op_processors.length) applyOpProcessors(model, config.op_processors, log);
  // Shape inference refuses impossible shapes (a window larger than its input, a tensor over
  // the size limit) by node name, before any pass or kernel meets them.
  inferShapes(model, registry);
  const original = config.onnx_opt.model_check ? cloneModel(model) : undefined;
  runFrontendStage(model, config.onnx_opt, { registry, log });
  refuseFp32Conv(model.graph, config.quant.layer_configs);
  return { model, original };
}

/** Calibration samples `onnx_opt.model_check` compares on (the first ones of the set). */
const MODEL_CHECK_SAMPLES = 4;

/** The quantized model of a QuantAxModel/QuantONNX input, with its own scales. */
function importQuant(model: Model, config: BuildConfig, log: Logger): QuantModel {
  if (!isQdqModel(model)) {
    throw new ModelFormatError(
      `"${config.input}" is model_type ${config.model_type} but holds no QuantizeLinear/DequantizeLinear nodes; axb reads quantized models in QDQ ONNX form`,
    );
  }
  const quant = fromQdqModel(model, `"${config.input}"`);
  log.info(`import quantized model [${config.input}] (${config.model_type}) with its own scales`);
  return quant;
}

/** Everything the build writes, into the staging directories. */
async function produce(
  source: Source,
  config: BuildConfig,
  opts: BuildOptions,
  staging: OutputStaging,
  target: Target,
): Promise<BuildResult> {
  const { log, registry } = opts;
  const progress = opts.progress ?? new ProgressDisplay({ quiet: opts.quiet });
  const work = staging.work;
  let optimizedModel: string | undefined;
  let convertedModel: string | undefined;
  let quantModel: string;
  let quant: QuantModel;
  let calibration: CheckCalibration | undefined;
  if (source.kind === "float") {
    const model = source.model;
    if (source.converted) {
      convertedModel = join(work, "frontend", "caffe_converted.onnx");
      await saveModel(source.converted, convertedModel);
      log.info(`save converted caffe model to [${convertedModel}]`);
    }
    optimizedModel = join(work, "frontend", "optimized.onnx");
    await saveModel(model, optimizedModel);
    log.info(`save optimized onnx to [${optimizedModel}]`);
    let loaded: CalibrationSet | undefined;
    if (source.original) {
      loaded = await loadQuantCalibration(model, config, log, work);
      const samples = loaded.samples.slice(0, MODEL_CHECK_SAMPLES);
      checkOptimizedModel(source.original, model, samples, { registry, log });
    }
    const stage = await runQuantStage(model, {
      config,
      registry,
      numeric: target.numeric,
      target,
      cores: selectNpuMode(target, config.npu_mode).cores,
      log,
      print: opts.print,
      progress,
      workers: opts.workers,
      work,
      shownPath: (p) => staging.shown(p),
      calibration: loaded,
    });
    quantModel = stage.quantModelPath;
    quant = stage.quant;
    const first = stage.samples[0];
    calibration = first && {
      sample: first,
      modelInputs: model.graph.runtimeInputs,
      processors: config.input_processors,
    };
  } else {
    quant = source.quant;
    quantModel = join(work, "quant", "quant_axmodel.onnx");
    await saveModel(toQdqModel(quant), quantModel);
    await writeFileAtomic(
      quantModel.replace(/\.onnx$/, ".json"),
      JSON.stringify(quantJson(quant), null, 2) + "\n",
    );
  }
  const stage = await runCompileStage(quant, {
    config,
    registry,
    target,
    log,
    print: opts.print,
    work,
    outputDir: staging.output,
  });
  const optionsOf = (name: string) => stage.subgraphOptions.get(name) ?? config.compiler;
  const checks = [...stage.subgraphOptions.values()].some((o) => o.check > 0)
    ? await checkCompiled(stage.compiled, {
      compiler: config.compiler,
      optionsOf,
      registry,
      log,
      calibration,
      progress,
    })
    : [];
  const effectiveConfig = await writeEffectiveConfig(config, staging.output);
  log.info(`save effective config to [${effectiveConfig}]`);
  const shown = (p: string) => staging.shown(p);
  return {
    optimizedModel: optimizedModel && shown(optimizedModel),
    ...(convertedModel ? { convertedModel: shown(convertedModel) } : {}),
    quantModel: shown(quantModel),
    quant,
    effectiveConfig: shown(effectiveConfig),
    compiledModel: shown(stage.compiledPath),
    checks,
  };
}
