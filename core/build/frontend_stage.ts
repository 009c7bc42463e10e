/**
 * The frontend stage of `axb build`: float graph optimisation as `onnx_opt` asks, with the
 * transformation check after every rewrite unless `onnx_opt.disable_transformation_check`.
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
import type { OnnxOptConfig } from "../config/build_config.ts";
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
