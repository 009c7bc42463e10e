/**
 * Horizon `calibration_type: mix` (spec `horizon.md` §5.4): the model-level calibration
 * search, then a per-node search for int16 nodes.
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { createLogger, type Logger } from "../../util/log.ts";
import { ProgressDisplay } from "../../util/progress.ts";
import type { LayerConfig, QuantConfig } from "../../config/build_config.ts";
import type { QuantModel } from "../../quant/quant_model.ts";
import type { Target } from "../../../targets/target.ts";
import { runAutoPrecision } from "../auto_precision_stage.ts";
import type { CalibrationChoice } from "./calibration_method.ts";
import type { HorizonBuildOptions } from "./horizon_build.ts";

/** What {@linkcode mixPrecision} needs besides the model and samples. */
export interface MixOptions {
  /** Quantize with a calibration choice and layer configs, logging the precision plan to `log`. */
  readonly quantize: (
    c: CalibrationChoice,
    configs: readonly LayerConfig[],
    log: Logger,
  ) => QuantModel;
  /** The quant config the YAML maps to (its layer_configs are the YAML's node settings). */
  readonly quant: QuantConfig;
  /** The model-level search's result, kept when nothing is promoted. */
  readonly picked: QuantModel;
  readonly target: Target;
  readonly opts: HorizonBuildOptions;
}

/**
 * `calibration_type: mix`: after the model-level calibration search, the automatic mixed
 * precision search of `axb build` (`core/build/auto_precision_stage.ts`) with int16 as the
 * promoted precision (the YAML's int16 is `U16` in layer configs) and the goal of pulsar2's
 * `highest_mix_precision` (cosine 0.99, at most a quarter of the layers). The search's own
 * quantizations log nothing; the final one logs its precision plan as usual.
 */
export function mixPrecision(
  model: Model,
  samples: readonly Map<string, Tensor>[],
  choice: CalibrationChoice,
  m: MixOptions,
): QuantModel {
  const { log } = m.opts;
  const silent = createLogger({ sink: () => {} });
  const q: QuantConfig = { ...m.quant, highest_mix_precision: true };
  const extra = runAutoPrecision(
    model,
    samples,
    q,
    (configs) => m.quantize(choice, configs, silent),
    {
      registry: m.opts.registry,
      log,
      print: m.opts.print,
      display: new ProgressDisplay({ quiet: true }),
      target: m.target,
    },
  );
  if (!extra.length) return m.picked;
  log.info(`calibration_type 'mix': ${extra.length} node(s) to int16 by the per-node search`);
  return m.quantize(choice, [...extra, ...m.quant.layer_configs], log);
}
