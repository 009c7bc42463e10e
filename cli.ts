/**
 * The `axb` command: parses the subcommand name and dispatches. Each subcommand parses
 * its own flags. Exit status: 0 ok, 1 a check failed, 2 bad input (usage, config,
 * model, data). Errors print as one line, `axb NAME: error: …` (a message that already
 * starts with `axb NAME:` is not prefixed twice); `--debug` adds the stack trace. A file-system
 * permission denial is bad input too (exit 2, the path and the Deno flag named); anything else
 * that is not an {@linkcode AxbError} is a bug in axb and prints as an internal error (exit 1).
 * Help fits the terminal width (80 columns when stdout is not a terminal).
 *
 * `AXB_MAX_TENSOR_MB` (when the environment may be read) sets the largest tensor axb
 * allocates, in MiB (default 1024). `AXB_KERNELS` picks the compute kernels' path
 * (`relaxed-simd`, the default where the engine has it; `simd`, the exact bits of the
 * TypeScript reference on every machine, for builds that must match across machines;
 * `scalar`).
 *
 * @module
 */
import type { Command, CommandIO } from "./core/cli/command.ts";
import { type FlagSpec, formatFlagHelp } from "./core/cli/flags.ts";
import { AxbError, oneLine, UsageError } from "./core/errors/mod.ts";
import { isPermissionDenial } from "./core/errors/fs.ts";
import { setMaxTensorBytes } from "./core/ir/dtype.ts";
import { supportedIsas, useKernelIsa } from "./core/wasm/kernels.ts";
import { nearest } from "./core/util/nearest.ts";
import { terminalWidth } from "./core/util/terminal.ts";
import { wrapText } from "./core/report/table.ts";
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

/**
 * `prefix` then `text` wrapped to `width`, continuation lines indented as deep as the
 * prefix; each line of a multi-line `text` starts a new paragraph at that indent.
 */
function hanging(prefix: string, text: string, width: number): string[] {
  const pad = " ".repeat(prefix.length);
  return text.split("\n").flatMap((paragraph, i) =>
    wrapText(paragraph.trim(), Math.max(20, width - prefix.length))
      .map((line, k) => `${i === 0 && k === 0 ? prefix : pad}${line}`)
  );
}

function mainHelp(commands: readonly Command[], width: number): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  const row = (name: string, summary: string) => hanging(`  ${name.padEnd(w)}  `, summary, width);
  return [
    `axb ${VERSION} — open model compiler for edge NPUs (pulsar2 / hb_mapper compatible)`,
    "",
    "usage: axb <command> [flags]      axb <command> --help",
    "",
    "commands:",
    ...commands.flatMap((c) => row(c.name, c.summary)),
    ...row("version", "print the version"),
  ].join("\n");
}

/** `axb NAME --help`: usage, summary and flags, fitted to `width`. */
function commandHelp(cmd: Command, flags: readonly FlagSpec[], width: number): string {
  return [
    ...hanging("usage: ", cmd.usage, width),
    "",
    ...hanging("", cmd.summary, width),
    "",
    "flags:",
    formatFlagHelp(flags, width),
  ].join("\n");
}

/**
 * The message of an error a command threw, without a leading `axb NAME:` (the
 * dispatcher prints that prefix itself).
 */
function errorText(e: Error, name: string): string {
  const own = `axb ${name}:`;
  return e.message.startsWith(own) ? e.message.slice(own.length).trimStart() : e.message;
}

/** Run the CLI with `args`; returns the exit status. */
export async function main(
  args: readonly string[],
  io: CommandIO,
  opts: MainOptions = {},
): Promise<number> {
  const commands = allCommands(opts.targets ?? new TargetRegistry(builtinTargets()));
  const [name, ...rest] = args;
  const width = terminalWidth();
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp(commands, width));
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
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      const flags = cmd.helpFlags ? await cmd.helpFlags(rest) : cmd.flags;
      io.stdout(commandHelp(cmd, flags, width));
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof AxbError) {
      io.stderr(`axb ${cmd.name}: error: ${errorText(e, cmd.name)}`);
      if (io.debug && e.stack) io.stderr(e.stack);
      return e.exitCode;
    }
    if (isPermissionDenial(e)) {
      // Deno's own text names the path and, for a missing flag, the flag to add.
      io.stderr(`axb ${cmd.name}: error: permission denied: ${oneLine(e.message)}`);
      if (io.debug && e.stack) io.stderr(e.stack);
      return 2;
    }
    io.stderr(
      `axb ${cmd.name}: internal error: ${e instanceof Error ? errorText(e, cmd.name) : String(e)}${
        io.debug ? "" : " (run with --debug for the stack trace)"
      }`,
    );
    if (io.debug && e instanceof Error && e.stack) io.stderr(e.stack);
    return 1;
  }
}

/** The variable's value when set and readable without a permission prompt. */
function environment(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return;
  return Deno.env.get(name);
}

/**
 * Apply `AXB_MAX_TENSOR_MB` and `AXB_KERNELS` when set and readable without a permission
 * prompt.
 *
 * @throws {UsageError} when `AXB_MAX_TENSOR_MB` is not a positive number, or
 *   `AXB_KERNELS` names a path this engine cannot run
 */
export function applyEnvironment(): void {
  const limit = environment("AXB_MAX_TENSOR_MB");
  if (limit !== undefined) {
    const mb = Number(limit);
    if (!(mb > 0)) {
      throw new UsageError(`AXB_MAX_TENSOR_MB is "${limit}", expected a positive number of MiB`);
    }
    setMaxTensorBytes(mb * 2 ** 20);
  }
  const isa = environment("AXB_KERNELS");
  if (isa !== undefined) {
    const chosen = supportedIsas().find((path) => path === isa);
    if (!chosen) {
      throw new UsageError(
        `AXB_KERNELS is "${isa}", expected one of ${supportedIsas().join(", ")} ` +
          `(the kernel paths this engine runs)`,
      );
    }
    useKernelIsa(chosen);
  }
}

if (import.meta.main) {
  try {
    applyEnvironment();
  } catch (e) {
    console.error(`axb: error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
  const io: CommandIO = {
    stdout: (t) => console.log(t),
    stderr: (t) => console.error(t),
    debug: Deno.args.includes("--debug"),
  };
  Deno.exit(await main(Deno.args, io));
}
