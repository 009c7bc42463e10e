/**
 * The targets `axb build` and `axb config` work with: the registry the command was given
 * plus the `--target_plugin`s of the command line. Plugins are loaded before the flags that
 * name targets are checked, so `--target_hardware` and `--npu_mode` accept a plugin's names
 * exactly as they accept a built-in's.
 *
 * @module
 */
import { type FlagSpec, type FlagValue, parseFlags } from "./flags.ts";
import { buildFlags } from "./build_flags.ts";
import { TargetRegistry } from "../../targets/registry.ts";
import { loadTargetPlugin } from "../../plugins/load_plugin.ts";

/** Build flags parsed against the registry extended by their `--target_plugin`s. */
export interface ParsedBuildArgs {
  /** Flag values by name. */
  readonly values: Map<string, FlagValue>;
  /** Arguments that are not flags. */
  readonly positionals: string[];
  /** The command's registry plus the loaded plugins (a copy; the given one is untouched). */
  readonly targets: TargetRegistry;
  /** Each `--target_plugin` specifier with the name of the target it registered. */
  readonly plugins: readonly { readonly spec: string; readonly target: string }[];
}

/** The flags with every enum taken as a plain string: a first pass that only reads plugins. */
function lenient(flags: readonly FlagSpec[]): FlagSpec[] {
  return flags.map((f) =>
    f.type === "enum" ? { ...f, type: "string", values: undefined, extraValues: undefined } : f
  );
}

/**
 * Load the `--target_plugin`s of `argv` (paths relative to `baseDir`) into a copy of `base`,
 * then parse `argv` against the build flags of that registry.
 *
 * @throws {UsageError} on a malformed or unknown flag or value
 * @throws {ConfigError} when a plugin cannot be loaded or clashes with a registered name
 */
export async function parseBuildArgs(
  argv: readonly string[],
  base: TargetRegistry,
  opts: { readonly baseDir: string },
): Promise<ParsedBuildArgs> {
  const { targets, plugins } = await withTargetPlugins(argv, base, opts);
  const { values, positionals } = parseFlags(argv, buildFlags(targets));
  return { values, positionals, targets, plugins };
}

/**
 * A copy of `base` extended by the `--target_plugin`s of `argv` (other flags are not checked
 * here), with each plugin's specifier and target name.
 *
 * @throws {ConfigError} when a plugin cannot be loaded or clashes with a registered name
 */
export async function withTargetPlugins(
  argv: readonly string[],
  base: TargetRegistry,
  opts: { readonly baseDir: string },
): Promise<Pick<ParsedBuildArgs, "targets" | "plugins">> {
  const first = parseFlags(argv, lenient(buildFlags(base)));
  const targets = new TargetRegistry(base.list());
  const specs = first.values.get("target_plugin");
  const plugins: { spec: string; target: string }[] = [];
  for (const spec of Array.isArray(specs) ? specs.map(String) : []) {
    const t = await loadTargetPlugin(spec, targets, { baseDir: opts.baseDir });
    plugins.push({ spec, target: t.name });
  }
  return { targets, plugins };
}
