/**
 * Validation of a Horizon `hb_mapper` / `hb_compile` YAML document (spec `horizon.md` §5)
 * into a typed {@linkcode HorizonConfig}. Hand-written validation (not valibot) so that
 * every message can name the file, the field path (`input_parameters.mean_value`), the
 * value found and what the march allows, and so that the vendor's loose value conventions
 * are read the way the vendor reads them (see `_values.ts`).
 *
 * Unknown keys are warnings with a did-you-mean; parameters that belong to another march
 * are warnings too; both become errors with `strict`. Per-march rules come from the Horizon
 * targets of the registry passed in (`march.ts`).
 *
 * Which parameter groups must be present (decision; the seeds say "all four", the vendors'
 * own recipes omit some):
 * - `model_parameters` always: it names the march, which decides the rest.
 * - hb_mapper marches (bernoulli2, bayes, bayes-e): all four, as seed 003 requires; every
 *   group holds a required parameter there (`calibration_type`/`cal_data_dir`,
 *   `optimize_level`, `input_type_*`, `norm_type`).
 * - hb_compile marches (nash-*): `input_parameters` (its `input_type_*` and
 *   `input_layout_train` are required); `calibration_parameters` and `compiler_parameters`
 *   may be omitted and take their defaults, as every parameter in them is optional in seed
 *   004 and the `--fast-perf` recipes leave them out (an omitted calibration group means
 *   `calibration_type: 'default'`, which still needs `cal_data_dir`).
 * The march's target states this as `marchDialect.omittableGroups`. A required group that
 * is missing gives the vendor's wording, `Missing keys: 'calibration_parameters'`.
 *
 * @module
 */
import { nearest } from "../../util/nearest.ts";
import { readCalibrationParameters } from "./calibration_params.ts";
import { readCompilerParameters } from "./compiler_params.ts";
import { readInputParameters } from "./input_params.ts";
import { allKnownKeys, defaultMarch, horizonMarches, type MarchRules } from "./march.ts";
import { type HorizonModelType, readCustomOp, readModelParameters } from "./model_params.ts";
import { parseNodeInfo, parseSetNodeDataType } from "./node_info.ts";
import { checkKeys, Ctx, isBlank, isMap, readEnum, show, type YamlMap } from "./_values.ts";
import type { HorizonConfig, HorizonInput, HorizonTool, NodeInfoEntry } from "./types.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import { readTextCappedSync } from "../bounded.ts";

export type * from "./types.ts";
export type { HorizonModelType } from "./model_params.ts";
export { horizonMarches, type MarchDialect, type MarchRules } from "./march.ts";

/** Options of {@linkcode validateHorizonConfig}. */
export interface HorizonValidateOptions {
  /** The registry whose Horizon targets are the marches the YAML may name. */
  readonly targets: TargetRegistry;
  /** File name for messages. */
  readonly file?: string;
  /** Unknown keys and ignored parameters become errors. */
  readonly strict?: boolean;
  /** The tool reading the config: refuses marches of the other tool. */
  readonly tool?: HorizonTool;
  /** `--model-type` of `hb_mapper makertbin`. */
  readonly modelType?: HorizonModelType;
  /** Resolve a path written in the YAML (e.g. `quant_config`); default: unchanged. */
  readonly resolve?: (path: string) => string;
  /** Read a text file (for `quant_config`); default `Deno.readTextFileSync`. */
  readonly readText?: (path: string) => string;
}

const GROUPS = [
  "model_parameters",
  "input_parameters",
  "calibration_parameters",
  "compiler_parameters",
] as const;

function decideMarch(
  ctx: Ctx,
  m: YamlMap,
  tool: HorizonTool | undefined,
  marches: readonly MarchRules[],
): MarchRules {
  const field = "model_parameters.march";
  const allowed = tool === undefined ? marches : marches.filter((x) => x.tool === tool);
  const names = allowed.map((x) => `'${x.march}'`).join(", ");
  if (isBlank(m.march)) {
    const fallback = defaultMarch(allowed);
    if (fallback) return fallback;
    return ctx.failPlain(
      field,
      `Key 'model_parameters' error: Missing keys: 'march' (${
        tool ?? "the config"
      } needs one of ${names})`,
    );
  }
  const raw = typeof m.march === "string" ? m.march.trim() : m.march;
  const other = typeof raw === "string"
    ? marches.find((x) => x.march.toLowerCase() === raw.toLowerCase() && !allowed.includes(x))
    : undefined;
  if (other !== undefined) {
    const hint = other.tool === "hb_compile"
      ? "axb hb_compile --config"
      : "axb hb_mapper makertbin --config";
    ctx.fail(
      field,
      `is '${other.march}', a ${other.tool} march; ${tool} accepts ${names} (use ${hint})`,
    );
  }
  const march = readEnum(ctx, field, raw, allowed.map((x) => x.march));
  const rules = allowed.find((x) => x.march === march);
  if (rules === undefined) {
    return ctx.fail(field, `is missing, expected one of ${names}`);
  }
  return rules;
}

/** Refuse missing groups in the vendor's words, saying which groups the tool needs. */
function missingGroups(ctx: Ctx, absent: readonly string[], rules?: MarchRules): never {
  const keys = absent.map((k) => `'${k}'`).join(", ");
  if (!rules) {
    return ctx.failPlain(
      absent[0],
      `Missing keys: ${keys} (model_parameters names the march, which decides the other groups)`,
    );
  }
  const omittable: readonly string[] = rules.omittableGroups ?? [];
  const needed = GROUPS.filter((g) => !omittable.includes(g));
  const optional = omittable.length > 0 ? `; ${omittable.join(", ")} may be omitted` : "";
  return ctx.failPlain(
    absent[0],
    `Missing keys: ${keys} (${rules.tool} (march ${rules.march}) needs ${
      needed.join(", ")
    }${optional})`,
  );
}

function group(ctx: Ctx, raw: YamlMap, name: string): YamlMap {
  const v = raw[name];
  if (v === null || v === undefined) return {};
  if (!isMap(v)) return ctx.fail(name, `is ${show(v)}, expected a mapping of parameters`);
  return v;
}

/** Validate a parsed YAML document. Throws `ConfigError` on the first error. */
export function validateHorizonConfig(
  raw: unknown,
  options: HorizonValidateOptions,
): HorizonConfig {
  const ctx = new Ctx(options.file, options.strict ?? false);
  if (!isMap(raw)) {
    return ctx.failPlain(
      "",
      `A Horizon config must be a YAML mapping with ${GROUPS.join(", ")}; found ${show(raw)}`,
    );
  }
  if (!("model_parameters" in raw)) missingGroups(ctx, GROUPS.filter((g) => !(g in raw)));
  for (const k of Object.keys(raw)) {
    if (!(GROUPS as readonly string[]).includes(k) && k !== "custom_op") {
      const guess = nearest(k, [...GROUPS, "custom_op"]);
      ctx.warn(
        k,
        `is not a known parameter group; ignored${guess ? ` (did you mean '${guess}'?)` : ""}`,
      );
    }
  }
  const mp = group(ctx, raw, "model_parameters");
  const ip = group(ctx, raw, "input_parameters");
  const cp = group(ctx, raw, "calibration_parameters");
  const xp = group(ctx, raw, "compiler_parameters");
  const marches = horizonMarches(options.targets);
  const rules = decideMarch(ctx, mp, options.tool, marches);
  const omittable: readonly string[] = rules.omittableGroups ?? [];
  const absent = GROUPS.filter((g) => !(g in raw) && !omittable.includes(g));
  if (absent.length > 0) missingGroups(ctx, absent, rules);
  const label = `${rules.tool} (march ${rules.march}, ${rules.chip})`;
  for (
    const [name, map] of [["model_parameters", mp], ["input_parameters", ip], [
      "calibration_parameters",
      cp,
    ], [
      "compiler_parameters",
      xp,
    ]] as const
  ) {
    checkKeys(ctx, name, map, rules.keys[name], allKnownKeys(name, marches), label, nearest);
  }

  const model = readModelParameters(ctx, mp, rules, options.modelType);
  const input = readInputParameters(ctx, ip, rules);
  const names = input.params.input_name;
  const cal = readCalibrationParameters(ctx, cp, rules, {
    resolve: options.resolve ?? ((p) => p),
    readText: options.readText ?? readTextCappedSync,
    inputCount: input.count,
    inputNames: names,
  });
  const comp = readCompilerParameters(ctx, xp, rules, {
    inputNames: names,
    inputTypesRt: input.params.input_type_rt,
    layerOutDump: model.layer_out_dump,
  });
  const nodeInfo = readAllNodeInfo(ctx, mp, cp, rules);
  const customOp = readCustomOp(ctx, raw.custom_op, rules);

  const p = input.params;
  const inputs: HorizonInput[] = [];
  for (let i = 0; i < input.count; i++) {
    inputs.push({
      name: names[i] ?? "",
      typeTrain: p.input_type_train[i],
      typeRt: p.input_type_rt[i],
      layoutTrain: p.input_layout_train[i],
      layoutRt: p.input_layout_rt[i],
      shape: p.input_shape[i],
      normType: p.norm_type[i] ?? "no_preprocess",
      mean: p.mean_value[i] ?? undefined,
      scale: p.scale_value[i] ?? undefined,
      spaceAndRange: p.input_space_and_range[i] ?? "regular",
      calDataDir: cal.params.cal_data_dir[i],
      source: comp.sources[i],
    });
  }
  return {
    file: options.file,
    march: rules.march,
    tool: rules.tool,
    model_parameters: model,
    input_parameters: p,
    calibration_parameters: cal.params,
    compiler_parameters: comp.params,
    custom_op: customOp,
    node_info: nodeInfo,
    quant_config: cal.quantConfig,
    inputs,
    warnings: ctx.warnings,
  };
}

/** `node_info` may sit in model_parameters (seed 004) or calibration_parameters; not both. */
function readAllNodeInfo(ctx: Ctx, mp: YamlMap, cp: YamlMap, rules: MarchRules): NodeInfoEntry[] {
  const inModel = !isBlank(mp.node_info) && rules.keys.model_parameters.includes("node_info");
  const inCal = !isBlank(cp.node_info) && rules.keys.calibration_parameters.includes("node_info");
  if (inModel && inCal) {
    ctx.fail(
      "calibration_parameters.node_info",
      "is given but model_parameters.node_info is given too; keep node_info in one group",
    );
  }
  const entries = inModel
    ? parseNodeInfo(ctx, "model_parameters.node_info", mp.node_info)
    : inCal
    ? parseNodeInfo(ctx, "calibration_parameters.node_info", cp.node_info)
    : [];
  if (rules.keys.model_parameters.includes("set_node_data_type")) {
    entries.push(
      ...parseSetNodeDataType(ctx, "model_parameters.set_node_data_type", mp.set_node_data_type),
    );
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.node)) {
      ctx.fail("node_info", `names node ${show(e.node)} twice; expected one entry per node`);
    }
    seen.add(e.node);
  }
  return entries;
}
