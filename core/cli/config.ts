/**
 * `axb config [--config FILE] [build flags]`: validate a `pulsar2 build` configuration
 * (json/yaml/toml/prototxt), apply defaults and command-line overrides, and print the
 * effective `BuildConfig` as JSON on stdout. A Horizon `hb_mapper`/`hb_compile` YAML prints
 * the effective Horizon config instead (tool, march, the YAML groups with the march's
 * defaults filled): that is what `axb build`/`hb_mapper`/`hb_compile` convert from, not a
 * BuildConfig. Warnings go to stderr. No model or dataset is read.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import type { FlagValue } from "./flags.ts";
import { createLogger, type Logger } from "../util/log.ts";
import { ConfigError, UsageError } from "../errors/mod.ts";
import type { BuildConfig } from "../config/build_config.ts";
import { buildFlags, configOverrides } from "./build_flags.ts";
import { parseBuildArgs } from "./build_targets.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import type { ConfigWarning } from "../config/diagnostics.ts";
import { loadConfigFile } from "../config/load.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { noEffectWarnings } from "../config/field_effects.ts";
import { horizonEffectiveConfig, parseHorizonConfig } from "../config/horizon/mod.ts";
import type { HorizonConfig } from "../config/horizon/types.ts";

/** Top-level groups that mark a Horizon YAML. */
const HORIZON_GROUPS = [
  "model_parameters",
  "input_parameters",
  "calibration_parameters",
  "compiler_parameters",
];

/** Is this parsed YAML a Horizon `hb_mapper`/`hb_compile` config rather than a pulsar2 one? */
export function isHorizonConfig(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) &&
    HORIZON_GROUPS.some((g) => g in raw);
}

function report(log: Logger, warnings: readonly ConfigWarning[]): void {
  for (const w of warnings) (w.severity === "warning" ? log.warn : log.info)(w.message);
}

function stringFlag(values: ReadonlyMap<string, FlagValue>, name: string): string | undefined {
  const x = values.get(name);
  return typeof x === "string" && x !== "" ? x : undefined;
}

/**
 * The Horizon config named by `--config`, when it is a Horizon YAML. pulsar2 build flags
 * have no place in it (the vendor tools take no overrides), so they are refused by name.
 */
async function horizonConfigOf(
  values: ReadonlyMap<string, FlagValue>,
  targets: TargetRegistry,
): Promise<HorizonConfig | undefined> {
  const file = stringFlag(values, "config");
  if (file === undefined) return undefined;
  const loaded = await loadConfigFile(file);
  if (loaded.format !== "yaml" || !isHorizonConfig(loaded.raw)) return undefined;
  const h = parseHorizonConfig(file, { targets, strict: values.get("strict") === true });
  const flag = [...configOverrides(values).keys(), ...(values.has("target") ? ["target"] : [])][0];
  if (flag !== undefined) {
    throw new UsageError(
      `Flag --${flag} does not apply to the Horizon YAML ${file} (march ${h.march}); set the value in the YAML's groups instead`,
    );
  }
  return h;
}

/**
 * Resolve the effective config for `axb config`/`axb build` from parsed build flags:
 * a pulsar2 config file (any syntax), then the flags over it. Under `--strict` a field
 * without effect in axb is refused too (the build names it otherwise). A Horizon YAML is
 * refused with the command that converts it (its callers route it there first).
 *
 * @param opts `targets`: the registry the config may name targets of (built-ins plus
 *   plugins); `requireIo`: refuse a config without input/output_dir
 * @throws {ConfigError} on any invalid value (and, with `--strict`, on any warning), and
 *   for a Horizon YAML
 */
export async function effectiveConfigFromFlags(
  values: ReadonlyMap<string, FlagValue>,
  log: Logger,
  opts: { readonly targets: TargetRegistry; readonly requireIo?: boolean },
): Promise<BuildConfig> {
  const { targets } = opts;
  const strict = values.get("strict") === true;
  const file = stringFlag(values, "config");
  let raw: unknown;
  if (file !== undefined) {
    const loaded = await loadConfigFile(file);
    report(log, loaded.warnings);
    raw = loaded.raw;
    if (loaded.format === "yaml" && isHorizonConfig(raw)) {
      // A Horizon YAML has no BuildConfig: its march is not a pulsar2 target.
      const h = parseHorizonConfig(file, { targets, strict });
      throw new ConfigError(
        `${file} is a Horizon YAML for ${h.march}; convert it with axb ${
          h.tool === "hb_mapper" ? "hb_mapper makertbin --config" : "hb_compile --config"
        } ${file} (or axb build --config ${file})`,
        { file },
      );
    }
  }
  const { config, warnings } = await resolveBuildConfig(
    { file, raw, overrides: configOverrides(values) },
    { targets, strict, requireIo: opts.requireIo },
  );
  report(log, warnings);
  const inert = noEffectWarnings(config)[0];
  if (strict && inert) {
    throw new ConfigError(`${inert.message} (--strict turns warnings into errors)`, {
      file,
      field: inert.field,
    });
  }
  return config;
}

/** `axb config` for the targets of `targets` (plus any `--target_plugin`). */
export function configCommand(targets: TargetRegistry): Command {
  return {
    name: "config",
    summary: "validate a pulsar2 (or Horizon) build config and print the effective config as JSON",
    usage: "axb config [--config FILE] [pulsar2 build flags]",
    flags: buildFlags(targets),
    async run(argv: readonly string[], io: CommandIO): Promise<number> {
      const parsed = await parseBuildArgs(argv, targets, { baseDir: Deno.cwd() });
      const { values, positionals } = parsed;
      if (positionals.length > 0) {
        throw new UsageError(
          `Unexpected argument "${positionals[0]}"; give the config file as --config ${
            positionals[0]
          }`,
        );
      }
      const log = createLogger({
        quiet: values.get("quiet") === true,
        verbose: values.get("debug") === true,
        sink: io.stderr,
      });
      for (const p of parsed.plugins) log.info(`loaded target plugin [${p.spec}]: ${p.target}`);
      const horizon = await horizonConfigOf(values, parsed.targets);
      if (horizon) {
        for (const w of horizon.warnings) log.warn(w);
        io.stdout(JSON.stringify(horizonEffectiveConfig(horizon), null, 2));
        return 0;
      }
      const config = await effectiveConfigFromFlags(values, log, { targets: parsed.targets });
      for (const w of noEffectWarnings(config)) log.warn(w.message);
      io.stdout(JSON.stringify(config, null, 2));
      const overridden = [...configOverrides(values).keys()];
      if (overridden.length > 0) {
        log.info(`command-line overrides: ${overridden.map((k) => `--${k}`).join(", ")}`);
      }
      return 0;
    },
  };
}
