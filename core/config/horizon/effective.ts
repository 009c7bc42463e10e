/**
 * The effective Horizon config as plain JSON: what `axb config` prints for a Horizon YAML
 * and what the `.bin`/`.hbm` container records (`hb_model_info` shows it). The four YAML
 * groups keep the vendor's names with every default of the march filled in, `;` lists as
 * arrays; `node_info` (wherever the YAML wrote it) and the loaded `quant_config` JSON are
 * shown as the conversion reads them.
 *
 * @module
 */
import type { JsonValue } from "../json_value.ts";
import type { HorizonConfig } from "./types.ts";

/** Plain JSON of a typed value (drops undefined fields). */
function json(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v ?? null));
}

/** The YAML groups of `h` (`custom_op` only when present), defaults filled. */
export function horizonYamlGroups(h: HorizonConfig): Record<string, JsonValue> {
  return {
    model_parameters: json(h.model_parameters),
    input_parameters: json(h.input_parameters),
    calibration_parameters: json(h.calibration_parameters),
    compiler_parameters: json(h.compiler_parameters),
    ...(h.custom_op ? { custom_op: json(h.custom_op) } : {}),
  };
}

/**
 * The whole effective config: tool and march, the YAML groups, and the precision settings
 * (`node_info` entries, `quant_config`) when the YAML has any.
 */
export function horizonEffectiveConfig(h: HorizonConfig): Record<string, JsonValue> {
  return {
    tool: h.tool,
    march: h.march,
    ...horizonYamlGroups(h),
    ...(h.node_info.length > 0 ? { node_info: json(h.node_info) } : {}),
    ...(h.quant_config ? { quant_config: json(h.quant_config) } : {}),
  };
}
