/**
 * `axb build`: pulsar2 build's flags and config files; runs the build pipeline.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { createLogger } from "../util/log.ts";
import { buildFlags } from "./build_flags.ts";
import { parseBuildArgs } from "./build_targets.ts";
import { effectiveConfigFromFlags } from "./config.ts";
import { runBuild } from "../build/build.ts";
import { defaultRegistry } from "../ops/mod.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** The `build` subcommand for the targets of `targets` (plus any `--target_plugin`). */
export function buildCommand(targets: TargetRegistry): Command {
  return {
    name: "build",
    summary: "optimize, quantize and compile a model for an NPU target (pulsar2 build)",
    usage: "axb build --input MODEL --output_dir DIR --config CONFIG [flags]",
    flags: buildFlags(targets),
    async run(argv: readonly string[], io: CommandIO): Promise<number> {
      const parsed = await parseBuildArgs(argv, targets, { baseDir: Deno.cwd() });
      const { values, positionals } = parsed;
      if (positionals.length) {
        io.stderr(`axb build: ignoring unexpected argument(s): ${positionals.join(" ")}`);
      }
      const quiet = values.get("quiet") === true;
      const log = createLogger({ quiet, sink: io.stderr });
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
      });
      if (values.get("json") === true) {
        io.stdout(JSON.stringify(
          {
            optimized_model: result.optimizedModel ?? null,
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
