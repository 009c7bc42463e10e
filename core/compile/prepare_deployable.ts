/**
 * The model the compile stage partitions: the deployable quantized model (runtime pre-
 * and post-processing inserted), with `quant_op_processors` applied and every value
 * typed by shape inference.
 *
 * @module
 */
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { type InferredTypes, inferShapes } from "../passes/infer_shapes.ts";
import { applyOpProcessors } from "../preprocess/patch.ts";
import { deployableModel } from "./deploy_model.ts";

/** The deployable model and its inferred types (the original input shapes). */
export interface Deployable {
  /** The quantized model with processors inserted; subgraphs are cut from it. */
  readonly quant: QuantModel;
  /** Shape inference of `quant.model` (types and constants, by value name). */
  readonly inferred: InferredTypes;
  /** The batch axis of each graph output, in output order (0 unless `dst_perm` moved it). */
  readonly outputBatchAxes: readonly number[];
}

/**
 * The batch axis of value `name` of the deployable model: a graph output's own axis, 0
 * for every other value (only output processors move the batch).
 */
export function batchAxisOf(d: Deployable, name: string): number {
  const i = d.quant.model.graph.outputs.findIndex((o) => o.name === name);
  return i >= 0 ? d.outputBatchAxes[i] : 0;
}

/** What {@linkcode prepareDeployable} reads. */
export interface PrepareOptions {
  /** The effective build configuration (processors). */
  readonly config: BuildConfig;
  /** Operators, for shape inference. */
  readonly registry: OpRegistry;
  /** Receives the processors' messages. */
  readonly log: Logger;
}

/**
 * Build the deployable model of `quant` and infer its types.
 *
 * @param quant the quantized model (left unchanged)
 * @param opts configuration, operators and logger
 * @returns the deployable model with its inferred types
 */
export function prepareDeployable(quant: QuantModel, opts: PrepareOptions): Deployable {
  const { config, log, registry } = opts;
  const { quant: deploy, outputBatchAxes } = deployableModel(quant, config, log);
  if (config.quant_op_processors.length) {
    applyOpProcessors(deploy.model, config.quant_op_processors, log, "quant_op_processors");
  }
  return { quant: deploy, inferred: inferShapes(deploy.model, registry), outputBatchAxes };
}
