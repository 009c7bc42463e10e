/**
 * Horizon Robotics configuration front-end: read an `hb_mapper makertbin` / `hb_compile`
 * YAML, validate it per march, and map it to the effective pulsar2 `BuildConfig`.
 *
 * ```ts
 * import { parseHorizonConfig, horizonToBuildConfig } from "./core/config/horizon/mod.ts";
 * import { builtinTargets, TargetRegistry } from "./targets/registry.ts";
 * const targets = new TargetRegistry(builtinTargets());
 * const h = parseHorizonConfig("mobilenet_config.yaml", { targets, tool: "hb_mapper" });
 * const { build, target, notes } = horizonToBuildConfig(h, targets);
 * ```
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { ConfigError } from "../../errors/mod.ts";
import { parseHorizonYaml } from "./parse.ts";
import { type HorizonValidateOptions, validateHorizonConfig } from "./schema.ts";
import type { HorizonConfig } from "./types.ts";
import { readConfigTextSync } from "../bounded.ts";

export * from "./schema.ts";
export { type HorizonMapping, horizonToBuildConfig, normalisation } from "./to_build_config.ts";
export { horizonEffectiveConfig, horizonYamlGroups } from "./effective.ts";
export { parseHorizonYaml } from "./parse.ts";
export { precisionOf } from "./quant_config.ts";

/** In-memory YAML text, optionally with the file name used in messages and for relative paths. */
export interface HorizonSource {
  /** YAML text of the config. */
  readonly text: string;
  /** File the text came from, when any. */
  readonly file?: string;
}

/**
 * Read, parse and validate a Horizon YAML config.
 *
 * @param source A file path, YAML text (any string containing a newline is taken as text),
 *   or `{ text, file }`.
 * @param options The target registry (its Horizon targets are the marches), tool,
 *   `--model-type`, `strict`.
 * @returns The validated config; `warnings` lists unknown keys and ignored parameters.
 * @throws {ConfigError} naming the file and field on the first problem.
 */
export function parseHorizonConfig(
  source: string | HorizonSource,
  options: Omit<HorizonValidateOptions, "file">,
): HorizonConfig {
  let text: string;
  let file: string | undefined;
  if (typeof source !== "string") {
    text = source.text;
    file = source.file;
  } else if (source.includes("\n")) {
    text = source;
  } else {
    file = source;
    text = readConfigTextSync(source, "; expected a Horizon YAML (.yaml)");
  }
  const parsed = parseHorizonYaml(text, file);
  const base = file ? dirname(file) : ".";
  const config = validateHorizonConfig(parsed.value, {
    resolve: (p) => (isAbsolute(p) ? p : join(base, p)),
    ...options,
    file,
  });
  if (parsed.warnings.length > 0 && options.strict) {
    throw new ConfigError(
      `${file ?? "<yaml>"}: ${parsed.warnings[0]} (refused because of the strict option)`,
      { file },
    );
  }
  return { ...config, warnings: [...parsed.warnings, ...config.warnings] };
}
