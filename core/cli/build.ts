/**
 * `axb build`: pulsar2 build's flags and config files; runs the build pipeline.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { parseFlags } from "./flags.ts";
import { createLogger } from "../util/log.ts";
import { BUILD_FLAGS } from "./build_flags.ts";
import { effectiveConfigFromFlags } from "./config.ts";
import { runBuild } from "../build/build.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { loadTargetPlugin } from "../../plugins/load_plugin.ts";

/** The `build` subcommand. */
export const buildCommand: Command = {
  name: "build",
  summary: "optimize, quantize and compile a model for an NPU target (pulsar2 build)",
  usage: "axb build --input MODEL --output_dir DIR --config CONFIG [flags]",
  flags: BUILD_FLAGS,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags(argv, BUILD_FLAGS);
    if (positionals.length) {
      io.stderr(`axb build: ignoring unexpected argument(s): ${positionals.join(" ")}`);
    }
    const quiet = values.get("quiet") === true;
    const log = createLogger({ quiet, sink: io.stderr });
    const targets = new TargetRegistry(builtinTargets());
    const plugins = values.get("target_plugin");
    for (const spec of Array.isArray(plugins) ? plugins.map(String) : []) {
      const t = await loadTargetPlugin(spec, targets, { baseDir: Deno.cwd() });
      log.info(`loaded target plugin [${spec}]: ${t.name}`);
    }
    const config = await effectiveConfigFromFlags(values, log, { requireIo: true });
    const target = values.get("target");
    const result = await runBuild(config, {
      registry: defaultRegistry(),
      targets,
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
