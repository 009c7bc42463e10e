/**
 * The frontend stage of `axb build`: the model read into the IR ({@linkcode loadFrontendModel}:
 * an ONNX file, or a Caffe `.prototxt` + `weights` pair converted by `core/caffe/`), then float
 * graph optimisation as `onnx_opt` asks, with the transformation check after every rewrite
 * unless `onnx_opt.disable_transformation_check`.
 *
 * - default: the frontend pipeline (fold, fuse, eliminate, opset upgrade) to a fixed point.
 *   onnx-simplifier's rewrites are part of it, so `enable_onnxsim` adds nothing (said once);
 * - `disable_onnx_optimization`: only the opset upgrade that QDQ export needs, preceded by
 *   the simplifier's rewrites when `enable_onnxsim` is set too (pulsar2 runs onnxsim before,
 *   and independently of, its own optimiser).
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig, OnnxOptConfig } from "../config/build_config.ts";
import { parseInputShapes } from "../config/input_shapes.ts";
import { isCaffeInput } from "../config/caffe_input.ts";
import { loadCaffeModel } from "../caffe/mod.ts";
import { loadModel } from "../onnx/load.ts";
import type { Logger } from "../util/log.ts";
import { optimizeFrontend, simplifyPipeline } from "../passes/frontend.ts";
import { upgradeOpset } from "../passes/upgrade_opset.ts";
import { type PassRunReport, runPasses } from "../passes/pass_manager.ts";
import { transformationCheck } from "./float_equivalence.ts";

/** What the frontend stage needs besides the model. */
export interface FrontendStageOptions {
  /** Operators (folding, shape inference, the check's float runs). */
  readonly registry: OpRegistry;
  /** Receives the stage's progress and warnings. */
  readonly log: Logger;
}

/** The model a build starts from. */
export interface FrontendModel {
  /** The model as read (a Caffe net converted to standard ONNX operators). */
  readonly model: Model;
  /** Whether `model` was converted from a Caffe net. */
  readonly fromCaffe: boolean;
}

/**
 * Read `config.input` into the IR. A Caffe `.prototxt` is converted with the blobs of
 * `config.weights`, its inputs shaped by `input_shapes` already (Caffe's Reshape and
 * Flatten are converted for the shapes they see); nothing is written.
 *
 * @throws {ModelFormatError} a file that cannot be read or decoded; for Caffe one line
 *   naming the file and line and column or the layer (syntax error, truncated caffemodel,
 *   a layer without weights, an unknown layer type)
 * @throws {UnsupportedOpError} a Caffe layer variant axb cannot convert
 */
export async function loadFrontendModel(
  config: BuildConfig,
  registry: OpRegistry,
): Promise<FrontendModel> {
  if (!isCaffeInput(config.input)) {
    return { model: await loadModel(config.input), fromCaffe: false };
  }
  // A malformed string cannot reach here: the config schema refuses it.
  const shapes = parseInputShapes(config.input_shapes);
  const inputShapes = Object.fromEntries(
    (shapes.ok ? shapes.value : []).map((s) => [s.name, [...s.shape]]),
  );
  const model = await loadCaffeModel(config.input, config.weights ?? "", {
    inputShapes,
    registry,
  });
  return { model, fromCaffe: true };
}

/** Optimise the float `model` in place as `opt` asks; returns what the passes did. */
export function runFrontendStage(
  model: Model,
  opt: OnnxOptConfig,
  opts: FrontendStageOptions,
): PassRunReport {
  const { log, registry } = opts;
  const afterChange = opt.disable_transformation_check
    ? undefined
    : transformationCheck(model, { registry, log });
  if (!opt.disable_onnx_optimization) {
    if (opt.enable_onnxsim) {
      log.info(
        "onnx_opt.enable_onnxsim: onnx-simplifier's rewrites (constant folding, identity and dead-node removal) are part of the frontend optimisation",
      );
    }
    const report = optimizeFrontend(model, { registry, log }, { afterChange });
    for (const p of report.passes) {
      if (p.count) log.info(`${p.name}: ${p.count} rewrite(s) in ${p.ms.toFixed(1)} ms`);
    }
    return report;
  }
  if (!opt.enable_onnxsim) {
    log.warn(
      "onnx_opt.disable_onnx_optimization: skipping graph optimisation except the opset upgrade QDQ export needs",
    );
    return runPasses(model, [upgradeOpset], { registry, log }, { afterChange });
  }
  log.warn(
    "onnx_opt.disable_onnx_optimization with onnx_opt.enable_onnxsim: running only the simplifier's rewrites (constant folding, identity and dead-node removal) and the opset upgrade QDQ export needs",
  );
  const report = runPasses(model, [...simplifyPipeline(), upgradeOpset], { registry, log }, {
    fixedPoint: true,
    verify: true,
    afterChange,
  });
  for (const p of report.passes) if (p.count) log.info(`${p.name}: ${p.count} rewrite(s)`);
  return report;
}
