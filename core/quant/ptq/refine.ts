/**
 * The PTQ refinements that run after calibration and quantization, in their fixed order:
 * EasyQuant (scales) → AdaRound (rounding under those scales) → bias correction (the
 * mean error that remains). Each is off unless asked for; with none asked for the
 * quantized model is returned as it came.
 *
 * They run in this thread on at most {@linkcode PTQ_SAMPLES} calibration samples and
 * keep the float inputs and outputs of the weighted layers of those samples in memory;
 * the searching ones stop between layers after {@linkcode PTQ_BUDGET_MS}, with a warning.
 *
 * @module
 */
import type { Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { Logger } from "../../util/log.ts";
import type { QuantModel } from "../quant_model.ts";
import { easyQuant } from "./easy_quant.ts";
import { adaRound } from "./adaround.ts";
import { correctBias } from "./bias_correction.ts";

/** Calibration samples the refinements use at most (the first ones). */
export const PTQ_SAMPLES = 32;
/** Wall-clock budget of each searching refinement (EasyQuant, AdaRound), in milliseconds. */
export const PTQ_BUDGET_MS = 10 * 60 * 1000;

/** Which refinements to run. */
export interface RefineOptions {
  /** `quant.enable_easy_quant`. */
  readonly easyQuant?: boolean;
  /** `quant.enable_adaround`, with `quant.finetune_epochs` as the sweep limit. */
  readonly adaRound?: { readonly maxSweeps: number };
  /** Horizon's `optimization: bias_correction`. */
  readonly biasCorrection?: boolean;
  /** Budget per searching refinement (default {@linkcode PTQ_BUDGET_MS}). */
  readonly budgetMs?: number;
}

/** True when `opts` asks for any refinement. */
export function refinesAnything(opts: RefineOptions): boolean {
  return !!(opts.easyQuant || opts.adaRound || opts.biasCorrection);
}

/** Run the refinements `opts` asks for on `q`, logging what each did and how long it took. */
export function refineQuantization(
  q: QuantModel,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
  opts: RefineOptions,
  log: Logger,
): QuantModel {
  if (!refinesAnything(opts)) return q;
  const used = samples.slice(0, PTQ_SAMPLES);
  const budgetMs = opts.budgetMs ?? PTQ_BUDGET_MS;
  const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);
  let cur = q;
  if (opts.easyQuant) {
    const t0 = Date.now();
    log.info(`AX EasyQuant Pass Running ... (${used.length} sample(s))`);
    const r = easyQuant(cur, used, registry, { budgetMs });
    cur = r.quant;
    const { report: e } = r;
    log.info(
      `EasyQuant: ${e.layers} layer(s), ${e.inputScales} input scale(s) changed, mean layer ` +
        `cosine ${e.cosineBefore.toFixed(5)} -> ${e.cosineAfter.toFixed(5)} in ${seconds(t0)} s`,
    );
    if (e.timedOut) {
      log.warn(
        `EasyQuant stopped after ${e.layers} layer(s): its ${budgetMs / 1000} s budget ran out`,
      );
    }
  }
  if (opts.adaRound) {
    const t0 = Date.now();
    log.info(`AX Adaround Reconstruction Running ... (${used.length} sample(s))`);
    const r = adaRound(cur, used, registry, { maxSweeps: opts.adaRound.maxSweeps, budgetMs });
    cur = r.quant;
    const layers = r.report.layers;
    for (const [i, l] of layers.entries()) {
      log.debug(
        `# Block [${i + 1} / ${layers.length}]: ${l.node} (${l.before.toExponential(3)} -> ` +
          `${l.after.toExponential(3)}) [Layer Loss], ${l.flipped} code(s) rounded the other way`,
      );
    }
    const sum = (k: "before" | "after") => layers.reduce((s, l) => s + l[k], 0);
    log.info(
      `AdaRound: ${layers.length} layer(s), output error ${sum("before").toExponential(3)} -> ` +
        `${sum("after").toExponential(3)} in ${seconds(t0)} s`,
    );
    if (r.report.timedOut) {
      log.warn(
        `AdaRound stopped after ${layers.length} layer(s): its ${budgetMs / 1000} s budget ran out`,
      );
    }
  }
  if (opts.biasCorrection) {
    const t0 = Date.now();
    const r = correctBias(cur, used, registry);
    cur = r.quant;
    log.info(
      `bias correction: ${r.report.layers} layer(s), largest mean shift removed ` +
        `${r.report.largestShift.toExponential(3)} in ${seconds(t0)} s`,
    );
  }
  return cur;
}
