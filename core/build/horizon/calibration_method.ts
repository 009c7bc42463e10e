/**
 * Horizon `calibration_type` (spec `horizon.md` §5.4) as range methods:
 *
 * - `max` → MinMax, or Percentile with `max_percentile` when it is below 1;
 * - `kl` → KL;
 * - `default` / `mix` → an automatic search: every candidate of {@linkcode SEARCH} is
 *   quantized from the same statistics and scored by the mean cosine similarity between the
 *   float and the emulated quantized model outputs on up to {@linkcode SEARCH_SAMPLES}
 *   calibration samples; the best candidate wins (ties keep the earlier one). `mix` runs
 *   the same model-level search, then the per-node int16 search of `mix_precision.ts`;
 * - `skip` → MinMax on generated data (performance checks only);
 * - `load` → MinMax (QAT scales are not read), said in the log.
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { Logger } from "../../util/log.ts";
import type { CalibrationParameters } from "../../config/horizon/types.ts";
import type { CalibrationMethod } from "../../quant/range_methods.ts";
import type { QuantModel } from "../../quant/quant_model.ts";
import { Executor } from "../../exec/executor.ts";
import { QuantEmulator } from "../../quant/emulator.ts";
import { cosineSimilarity } from "./similarity.ts";

/** One calibration setting: a range method and, for Percentile, the kept fraction. */
export interface CalibrationChoice {
  readonly label: string;
  readonly method: CalibrationMethod;
  readonly percentile?: number;
}

/**
 * The candidates of the `default` search. The vendor's list is not published; these are
 * `max`, `kl` and three of the `max_percentile` values the seed suggests trying (§5.4 and
 * §8 list 0.99999, 0.99995, 0.9999, 0.9995, 0.999; each candidate costs one emulation of
 * the scoring samples, so the list is kept short).
 */
export const SEARCH: readonly CalibrationChoice[] = [
  { label: "max", method: "MinMax" },
  { label: "max_percentile 0.99995", method: "Percentile", percentile: 0.99995 },
  { label: "max_percentile 0.9999", method: "Percentile", percentile: 0.9999 },
  { label: "max_percentile 0.999", method: "Percentile", percentile: 0.999 },
  { label: "kl", method: "KL" },
];

/** Calibration samples the search scores on. */
export const SEARCH_SAMPLES = 4;

/** The fixed choice of a non-searching `calibration_type`, or undefined for a search. */
export function fixedChoice(cp: CalibrationParameters, log: Logger): CalibrationChoice | undefined {
  switch (cp.calibration_type) {
    case "kl":
      return { label: "kl", method: "KL" };
    case "max":
      return cp.max_percentile < 1
        ? {
          label: `max_percentile ${cp.max_percentile}`,
          method: "Percentile",
          percentile: cp.max_percentile,
        }
        : { label: "max", method: "MinMax" };
    case "skip":
      return { label: "max (random data)", method: "MinMax" };
    case "load":
      log.warn("calibration_type 'load': QAT scales are not read by axb; calibrating with max");
      return { label: "max", method: "MinMax" };
    case "mix":
      log.info(
        "calibration_type 'mix': model-level calibration search, then a per-node int16 search",
      );
      return undefined;
    case "default":
      return undefined;
  }
}

/** The range method the statistics must support (histograms for anything but MinMax). */
export function statsMethod(choice: CalibrationChoice | undefined): CalibrationMethod {
  return choice?.method ?? "KL";
}

/**
 * Quantize with every search candidate and keep the best by output cosine.
 *
 * @param quantize quantizes the model with one choice
 */
export function searchCalibration(
  model: Model,
  samples: readonly Map<string, Tensor>[],
  quantize: (c: CalibrationChoice) => QuantModel,
  registry: OpRegistry,
  log: Logger,
): { choice: CalibrationChoice; quant: QuantModel } {
  const few = samples.slice(0, SEARCH_SAMPLES);
  const exec = new Executor(model, registry);
  const outs = model.graph.outputs.map((o) => o.name);
  const reference = few.map((s) => exec.run(s));
  let best: { choice: CalibrationChoice; quant: QuantModel; score: number } | undefined;
  for (const choice of SEARCH) {
    const quant = quantize(choice);
    const emu = new QuantEmulator(quant, registry);
    let sum = 0;
    few.forEach((s, k) => {
      const got = emu.run(s);
      for (const o of outs) {
        const a = reference[k].get(o)?.data ?? [];
        const b = got.get(o)?.data ?? [];
        sum += cosineSimilarity(a as ArrayLike<number>, b as ArrayLike<number>);
      }
    });
    const score = sum / Math.max(1, few.length * outs.length);
    log.info(`calibration search: ${choice.label} scores cosine ${score.toFixed(6)}`);
    if (!best || score > best.score) best = { choice, quant, score };
  }
  log.info(`calibration search: chose ${best!.choice.label}`);
  return { choice: best!.choice, quant: best!.quant };
}
