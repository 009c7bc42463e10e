/**
 * `axb build`: pulsar2 build's flags and config files; runs the build pipeline.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { createLogger } from "../util/log.ts";
import { ProgressDisplay } from "../util/progress.ts";
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
      const progress = new ProgressDisplay({ quiet });
      // log lines clear a progress bar's line before they are written, so they never tear it
      const log = createLogger({ quiet, sink: progress.lineWriter(io.stderr) });
      for (const p of parsed.plugins) log.info(`loaded target plugin [${p.spec}]: ${p.target}`);
      const config = await effectiveConfigFromFlags(values, log, {
        requireIo: true,
        targets: parsed.targets,
      });
      const target = values.get("target");
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
