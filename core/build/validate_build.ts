/**
 * What a build can refuse before it reads the model or writes anything: the target and
 * its core mode, the calibration list of a float model, and the input files (with a Caffe
 * input's weights).
 *
 * @module
 */
import type { BuildConfig } from "../config/build_config.ts";
import type { NpuMode, Target } from "../../targets/target.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { selectNpuMode } from "../compile/npu_mode.ts";
import { ConfigError } from "../errors/mod.ts";
import { fsFailure } from "../errors/fs.ts";
import { caffeInputProblem } from "../config/caffe_input.ts";

/** The target and core mode a valid build compiles for. */
export interface ValidBuild {
  /** The compilation target. */
  readonly target: Target;
  /** Its core mode named by `npu_mode`. */
  readonly mode: NpuMode;
}

/**
 * Validate the parts of `config` that need no model.
 *
 * @param config the effective configuration
 * @param targets the registered targets
 * @param targetName a target that replaces `target_hardware` (`axb build --target`)
 * @returns the target and mode
 * @throws {ConfigError} for an unknown target, an `npu_mode` the target lacks, a float
 *   model without `quant.input_configs`, a Caffe input without `weights` (or other
 *   `caffe_input.ts` mismatch), or a missing input file
 */
export async function validateBuild(
  config: BuildConfig,
  targets: TargetRegistry,
  targetName?: string,
): Promise<ValidBuild> {
  const target = targets.get(targetName ?? config.target_hardware);
  const mode = selectNpuMode(target, config.npu_mode);
  if (config.model_type === "ONNX" && config.quant.input_configs.length === 0) {
    throw new ConfigError(
      "quant.input_configs is empty: a float ONNX model needs a calibration dataset (tensor_name, calibration_dataset)",
      { field: "quant.input_configs" },
    );
  }
  // The config rules refuse these too; a library caller may bring a config of its own.
  const caffe = caffeInputProblem(config, true);
  if (caffe) throw new ConfigError(`${caffe.field}: ${caffe.problem}`, { field: caffe.field });
  const need: [string, string][] = [["input", config.input]];
  if (config.weights) need.push(["weights", config.weights]);
  if (config.model_type === "ONNX") {
    config.quant.input_configs.forEach((c, i) =>
      need.push([`quant.input_configs[${i}].calibration_dataset`, c.calibration_dataset])
    );
  }
  for (const [field, path] of need) {
    try {
      await Deno.stat(path);
    } catch (e) {
      throw new ConfigError(`${field}: "${path}" ${fsFailure(e, path)}`, { field });
    }
  }
  return { target, mode };
}
