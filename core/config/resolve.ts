/**
 * The one entry point from "what the user wrote" to the effective {@linkcode BuildConfig}:
 * built-in defaults ← config file ← command-line flags (highest), as `pulsar2 build` does.
 *
 * Unknown fields are accepted with a warning that names the path and the nearest known
 * field; `strict` turns every warning into a {@linkcode ConfigError}. Every error names the
 * file (or the command line), the field path, the bad value and what is allowed.
 *
 * @module
 */
import * as v from "valibot";
import { ConfigError } from "../errors/mod.ts";
import type { BuildConfig } from "./build_config.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { type BuildConfigInput, buildConfigInputSchema } from "./schema.ts";
import { type ConfigWarning, formatPath, type PathSegment, showValue } from "./diagnostics.ts";
import { buildConfigTree, pruneUnknownFields } from "./fields.ts";
import { loadConfigFile } from "./load.ts";
import { layerInputs, toEffective } from "./merge.ts";
import { checkRules } from "./rules.ts";
import { findPulsar2Target, targetFieldLeaves } from "./targets.ts";

/** What to resolve. */
export interface ResolveInput {
  /** Config file path; read unless `raw` is given (then it only names the source). */
  readonly file?: string;
  /** Already-parsed file content (plain data). */
  readonly raw?: unknown;
  /**
   * Command-line overrides: dotted field path (`quant.precision_analysis`) → value, applied
   * over the file and blamed on the command line in messages.
   */
  readonly overrides?: ReadonlyMap<string, unknown>;
}

/** Options of {@linkcode resolveBuildConfig}. */
export interface ResolveOptions {
  /**
   * The targets `target_hardware` may name (its AXera-family ones), with their aliases, NPU
   * modes and model types: built-ins plus any loaded plugins.
   */
  readonly targets: TargetRegistry;
  /** Make every warning an error. */
  readonly strict?: boolean;
  /** Require `input` and `output_dir` (what `build` needs; `axb config` does not). */
  readonly requireIo?: boolean;
}

/** The effective config and what the user should be told about it. */
export interface ResolvedConfig {
  /** The effective build config. */
  readonly config: BuildConfig;
  /** Notes and warnings to show the user about the config. */
  readonly warnings: ConfigWarning[];
}

const COMMAND_LINE = "command line";

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Map a `target_hardware` alias (or other spelling) to the target's name, with a note. */
function applyAliases(
  raw: Record<string, unknown>,
  file: string,
  targets: TargetRegistry,
  warnings: ConfigWarning[],
): void {
  const t = raw.target_hardware;
  const to = typeof t === "string" ? findPulsar2Target(targets, t)?.name : undefined;
  if (to !== undefined && to !== t) {
    raw.target_hardware = to;
    warnings.push({
      severity: "note",
      field: "target_hardware",
      file,
      message: `target_hardware ${t} is treated as ${to} (same NPU family)`,
    });
  }
}

/** Validate written config data (file or flags) against the schema. */
function parseWritten(
  raw: unknown,
  file: string,
  targets: TargetRegistry,
  warnings: ConfigWarning[],
): BuildConfigInput {
  if (!isObject(raw)) {
    throw new ConfigError(
      `Config ${file} holds ${
        showValue(raw)
      }; expected an object of BuildConfig fields (input, quant, compiler, …)`,
      { file },
    );
  }
  const copy: Record<string, unknown> = { ...raw };
  applyAliases(copy, file, targets, warnings);
  const pruned = pruneUnknownFields(copy, buildConfigTree(), { file }, warnings);
  const r = v.safeParse(buildConfigInputSchema(targetFieldLeaves(targets)), pruned);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path: PathSegment[] = (issue.path ?? []).map((p) =>
    typeof p.key === "number" ? p.key : String(p.key)
  );
  const field = formatPath(path);
  const more = r.issues.length > 1 ? ` (and ${r.issues.length - 1} more problem(s))` : "";
  const where = file === COMMAND_LINE ? `--${field}` : `${field} in ${file}`;
  throw new ConfigError(
    `Invalid value ${showValue(issue.input)} for ${where}: ${issue.message}${more}`,
    { file, field },
  );
}

/** Turn dotted-path overrides (`quant.precision_analysis` → 1) into nested written-config data. */
function overridesToRaw(overrides: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of overrides) {
    const keys = name.split(".");
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (isObject(next)) node = next;
      else {
        const fresh: Record<string, unknown> = {};
        node[k] = fresh;
        node = fresh;
      }
    }
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

/**
 * Resolve defaults ← file ← flags into the effective config.
 *
 * @throws {ConfigError} unreadable/invalid file, a bad value or a broken cross-field rule,
 *   and under `strict` any warning
 */
export async function resolveBuildConfig(
  input: ResolveInput,
  opts: ResolveOptions,
): Promise<ResolvedConfig> {
  const { targets } = opts;
  const warnings: ConfigWarning[] = [];
  const file = input.file ?? "config";
  let raw = input.raw;
  if (raw === undefined && input.file !== undefined) {
    const loaded = await loadConfigFile(input.file);
    warnings.push(...loaded.warnings);
    raw = loaded.raw;
  }
  const fromFile: BuildConfigInput = raw === undefined
    ? {}
    : parseWritten(raw, file, targets, warnings);
  const flagRaw = overridesToRaw(input.overrides ?? new Map());
  const fromFlags = parseWritten(flagRaw, COMMAND_LINE, targets, warnings);
  const flagged = new Set([...(input.overrides?.keys() ?? [])]);
  const config = toEffective(layerInputs(fromFile, fromFlags), { warnings, file, targets });
  checkRules(config, layerInputs(fromFile, fromFlags), {
    targets,
    blame: (field) => flagged.has(field) ? COMMAND_LINE : file,
    warn: (w) => warnings.push(w),
    requireIo: opts.requireIo,
  });
  if (opts.strict) {
    const w = warnings.find((x) => x.severity === "warning");
    if (w) {
      throw new ConfigError(`${w.message} (--strict turns warnings into errors)`, {
        file: w.file,
        field: w.field,
      });
    }
  }
  return { config, warnings };
}
