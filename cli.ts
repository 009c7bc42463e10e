/**
 * The `axb` command: parses the subcommand name and dispatches. Each subcommand parses
 * its own flags. Exit status: 0 ok, 1 a check failed, 2 bad input (usage, config,
 * model, data). Errors print as one line; `--debug` adds the stack trace.
 *
 * @module
 */
import type { Command, CommandIO } from "./core/cli/command.ts";
import { formatFlagHelp } from "./core/cli/flags.ts";
import { AxbError } from "./core/errors/mod.ts";
import { nearest } from "./core/util/nearest.ts";
import { runCommand } from "./core/cli/run.ts";
import { inspectCommand } from "./core/cli/inspect.ts";
import { configCommand } from "./core/cli/config.ts";
import { buildCommand } from "./core/cli/build.ts";
import { hbMapperCommand } from "./core/cli/hb_mapper.ts";
import { hbCompileCommand } from "./core/cli/hb_compile.ts";
import { hbPerfCommand } from "./core/cli/hb_perf.ts";
import { hbModelInfoCommand } from "./core/cli/hb_model_info.ts";
import { hbModelModifierCommand } from "./core/cli/hb_model_modifier.ts";
import { hbPackCommand } from "./core/cli/hb_pack.ts";
import { VERSION } from "./core/version.ts";
import { builtinTargets, TargetRegistry } from "./targets/registry.ts";

/** Every subcommand, in help order, over the targets of `targets`. */
export function allCommands(targets: TargetRegistry): Command[] {
  return [
    buildCommand(targets),
    runCommand(targets),
    inspectCommand,
    configCommand(targets),
    hbMapperCommand(targets),
    hbCompileCommand(targets),
    hbPerfCommand(targets),
    hbModelInfoCommand,
    hbModelModifierCommand,
    hbPackCommand,
  ];
}

/** Options of {@linkcode main}. */
export interface MainOptions {
  /** The targets the commands know; default: the built-in ones. */
  readonly targets?: TargetRegistry;
}

function mainHelp(commands: readonly Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `axb ${VERSION} — open model compiler for edge NPUs (pulsar2 / hb_mapper compatible)`,
    "",
    "usage: axb <command> [flags]      axb <command> --help",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    `  ${"version".padEnd(w)}  print the version`,
  ].join("\n");
}

/** Run the CLI with `args`; returns the exit status. */
export async function main(
  args: readonly string[],
  io: CommandIO,
  opts: MainOptions = {},
): Promise<number> {
  const commands = allCommands(opts.targets ?? new TargetRegistry(builtinTargets()));
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === "version" || name === "--version") {
    io.stdout(`version: ${VERSION}`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const guess = nearest(name, commands.map((c) => c.name));
    io.stderr(
      `axb: unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}; run axb --help`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`usage: ${cmd.usage}\n\n${cmd.summary}\n\nflags:\n${formatFlagHelp(cmd.flags)}`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof AxbError) {
      io.stderr(`axb ${cmd.name}: error: ${e.message}`);
      if (io.debug && e.stack) io.stderr(e.stack);
      return e.exitCode;
    }
    io.stderr(
      `axb ${cmd.name}: internal error: ${e instanceof Error ? e.message : String(e)}${
        io.debug ? "" : " (run with --debug for the stack trace)"
      }`,
    );
    if (io.debug && e instanceof Error && e.stack) io.stderr(e.stack);
    return 1;
  }
}

if (import.meta.main) {
  const io: CommandIO = {
    stdout: (t) => console.log(t),
    stderr: (t) => console.error(t),
    debug: Deno.args.includes("--debug"),
  };
  Deno.exit(await main(Deno.args, io));
}
