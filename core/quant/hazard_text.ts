/**
 * How a hazard reads in the build's table and warnings, and its fix as a full
 * `quant.layer_configs` entry.
 *
 * @module
 */
import type { LayerConfig } from "../config/build_config.ts";
import { defaultLayerConfig } from "../config/build_defaults.ts";
import type { Hazard, HazardFix, RangedTensor } from "./hazards.ts";

/** A number with three significant digits, without exponent for everyday magnitudes. */
function num(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

const range = (t: RangedTensor) => `${num(t.min)}–${num(t.max)}`;

/** What was measured, in one line (`inputs 0–640 (box) vs 0.47–0.53 (score): …`). */
export function describeHazard(h: Hazard): string {
  switch (h.kind) {
    case "mixed_range":
    case "bounded_merge":
      return `inputs ${range(h.wide)} (${h.wide.tensor}) vs ${range(h.narrow)} ` +
        `(${h.narrow.tensor}), ratio ${num(h.ratio)}: "${h.narrow.tensor}" keeps ` +
        `${num(h.codes)} ${h.precision} codes`;
    case "sensitive_u8":
      return `runs in ${h.precision}; input ${range(h.input)} (${h.input.tensor})`;
    case "depthwise_outliers":
      return `${h.kernel.join("×")} depthwise, ${h.outliers} of ${h.channels} channels wider ` +
        `than 8× the median: input span ${num(h.tensorSpan)}, median channel ` +
        `${num(h.medianSpan)} keeps ${num(h.codes)} ${h.precision} codes`;
  }
}

/** The kind of a hazard in words. */
export function hazardTitle(h: Hazard): string {
  switch (h.kind) {
    case "mixed_range":
      return "mixed-range inputs";
    case "bounded_merge":
      return "probabilities merged with an unbounded tensor";
    case "sensitive_u8":
      return `${h.opType} in 8 bits`;
    case "depthwise_outliers":
      return "depthwise with outlier channels";
  }
}

/** The fix as users write it in a config (`{"layer_name": "Concat_9", "data_type": "FP32"}`). */
export function fixText(fix: HazardFix): string {
  return JSON.stringify(fix).replaceAll('":', '": ').replaceAll(',"', ', "');
}

/** The fix as a complete `quant.layer_configs` entry. */
export function fixLayerConfig(fix: HazardFix): LayerConfig {
  const base = defaultLayerConfig();
  const selector = "layer_name" in fix
    ? { layer_name: fix.layer_name }
    : { layer_names: [...fix.layer_names] };
  return { ...base, ...selector, data_type: fix.data_type, output_data_type: fix.data_type };
}
