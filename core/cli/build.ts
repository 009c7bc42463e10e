/**
 * `axb build`: pulsar2 build's flags and config files; runs the build pipeline. A Horizon
 * YAML (`--config x.yaml` with the four Horizon groups) converts for the YAML's march, as
 * `axb hb_mapper makertbin` / `axb hb_compile` would; `--target` names a registered target
 * (a Horizon march too, with `--npu_mode 1|2` as its core count).
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { createLogger } from "../util/log.ts";
import { ProgressDisplay } from "../util/progress.ts";
import { buildFlags } from "./build_flags.ts";
import { parseBuildArgs, withTargetPlugins } from "./build_targets.ts";
import { effectiveConfigFromFlags, isHorizonConfig } from "./config.ts";
import type { FlagValue } from "./flags.ts";
import { convertHorizon } from "./horizon_convert.ts";
import { UsageError } from "../errors/mod.ts";
import { loadConfigFile } from "../config/load.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../config/horizon/mod.ts";
import type { HorizonConfig } from "../config/horizon/types.ts";
import { runBuild } from "../build/build.ts";
import { defaultRegistry } from "../ops/mod.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** The parsed Horizon config when `--config` names a Horizon YAML, else undefined. */
async function horizonYaml(
  values: ReadonlyMap<string, FlagValue>,
  targets: TargetRegistry,
): Promise<HorizonConfig | undefined> {
  const file = values.get("config");
  if (typeof file !== "string" || !/\.ya?ml$/i.test(file)) return undefined;
  const loaded = await loadConfigFile(file);
  if (!isHorizonConfig(loaded.raw)) return undefined;
  return parseHorizonConfig(file, { targets, strict: values.get("strict") === true });
}

/** The `build` subcommand for the targets of `targets` (plus any `--target_plugin`). */
export function buildCommand(targets: TargetRegistry): Command {
  return {
    name: "build",
    summary: "optimize, quantize and compile a model for an NPU target (pulsar2 build)",
    usage: "axb build --input MODEL --output_dir DIR --config CONFIG [flags]",
    flags: buildFlags(targets),
    async helpFlags(argv: readonly string[]) {
      const args = argv.filter((a) => a !== "--help" && a !== "-h");
      return buildFlags((await withTargetPlugins(args, targets, { baseDir: Deno.cwd() })).targets);
    },
    async run(argv: readonly string[], io: CommandIO): Promise<number> {
      const parsed = await parseBuildArgs(argv, targets, { baseDir: Deno.cwd() });
      const { values, positionals } = parsed;
      if (positionals.length) {
        io.stderr(`axb build: ignoring unexpected argument(s): ${positionals.join(" ")}`);
      }
      const horizon = await horizonYaml(values, parsed.targets);
      if (horizon) {
        // A Horizon YAML converts for its own march, as hb_mapper/hb_compile would.
        const clash = ["target", "target_hardware", "npu_mode", "input", "output_dir"].find((f) =>
          values.has(f)
        );
        if (clash) {
          throw new UsageError(
            `Flag --${clash} cannot be combined with a Horizon YAML: the YAML's march (${horizon.march}) is the target; set compiler_parameters.core_num for cores`,
          );
        }
        const tool = horizon.tool;
        io.stderr(
          `axb build: ${
            values.get("config")
          } is a Horizon YAML for ${horizon.march}; converting as axb ${
            tool === "hb_mapper" ? "hb_mapper makertbin" : "hb_compile"
          } would`,
        );
        await convertHorizon(horizonToBuildConfig(horizon, parsed.targets), io, {
          targets: parsed.targets,
          logFile: tool === "hb_mapper" ? "hb_mapper_makertbin.log" : "hb_compile.log",
          command: "build",
          warnings: horizon.warnings,
        });
        return 0;
      }
      const quiet = values.get("quiet") === true;
      const progress = new ProgressDisplay({ quiet });
      // log lines clear a progress bar's line before they are written, so they never tear it
      const log = createLogger({ quiet, sink: progress.lineWriter(io.stderr) });
      for (const p of parsed.plugins) log.info(`loaded target plugin [${p.spec}]: ${p.target}`);
      const target = values.get("target");
      const chosen = typeof target === "string" ? parsed.targets.get(target) : undefined;
      // A non-pulsar2 target (Horizon) names its core modes itself: keep `--npu_mode` out
      // of the pulsar2 config rules and give it to the target (checked before calibration).
      const ownModes = chosen !== undefined && chosen.family !== "axera";
      const configValues = new Map(values);
      if (ownModes) configValues.delete("npu_mode");
      const config = await effectiveConfigFromFlags(configValues, log, {
        requireIo: true,
        targets: parsed.targets,
      });
      if (ownModes) {
        const mode = values.get("npu_mode");
        config.npu_mode = typeof mode === "string" ? mode : chosen.npuModes[0].name;
      }
      const result = await runBuild(config, {
        registry: defaultRegistry(),
        targets: parsed.targets,
        targetName: typeof target === "string" ? target : undefined,
        log,
        print: values.get("json") === true ? undefined : io.stdout,
        quiet,
        progress,
      });
      if (values.get("json") === true) {
        io.stdout(JSON.stringify(
          {
            optimized_model: result.optimizedModel ?? null,
            ...(result.convertedModel ? { converted_model: result.convertedModel } : {}),
            quant_model: result.quantModel,
            effective_config: result.effectiveConfig,
            compiled_model: result.compiledModel,
            checks: result.checks,
          },
          null,
          2,
        ));
      }
      return 0;
    },
  };
}
