/**
 * The Horizon YAML dialect of a march (spec `horizon.md` §5): which keys, values and
 * ranges a march's config may hold. This file holds the *shape* and the lookup; the values
 * live with each Horizon target in `targets/` (its `marchDialect`), so adding a march is a
 * target file, and validators ask the row, never compare march names.
 *
 * @module
 */
import type { Target } from "../../../targets/target.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import type { CalibrationType, CompileMode, HorizonTool, OptimizeLevel } from "./types.ts";

/** What a Horizon target's YAML allows, as the target states it. */
export interface MarchDialect {
  /** The vendor tool that reads this march's YAML. */
  readonly tool: HorizonTool;
  /** Generation label for messages (`X3/J3`). */
  readonly chip: string;
  /** Read when `model_parameters.march` is omitted (and the default of `--march`). */
  readonly defaultMarch: boolean;
  /** `model_parameters.march` must be written. */
  readonly marchRequired: boolean;
  /** `output_model_file_prefix` must be written. */
  readonly prefixRequired: boolean;
  /** `norm_type` must be written. */
  readonly normTypeRequired: boolean;
  /** `input_layout_train` must be written. */
  readonly layoutTrainRequired: boolean;
  /** `calibration_type` must be written. */
  readonly calibrationTypeRequired: boolean;
  /** Allowed `calibration_type` values. */
  readonly calibrationTypes: readonly CalibrationType[];
  /** Closed interval of `max_percentile`. */
  readonly percentileRange: readonly [number, number];
  /** Largest `input_batch`. */
  readonly inputBatchMax: number;
  /** Allowed `compile_mode` values. */
  readonly compileModes: readonly CompileMode[];
  /** Allowed `optimize_level` values. */
  readonly optimizeLevels: readonly OptimizeLevel[];
  /** `optimize_level` must be written, or defaults to O0. */
  readonly optimizeLevelRequired: boolean;
  /** `max_time_per_fc`: lowest non-zero value allowed. */
  readonly maxTimePerFcMin: number;
  /** Unit of `max_time_per_fc`, for messages. */
  readonly maxTimePerFcUnit: "ms" | "µs";
  /** Keys of each group that this march knows (others: warning/strict error). */
  readonly keys: {
    readonly model_parameters: readonly string[];
    readonly input_parameters: readonly string[];
    readonly calibration_parameters: readonly string[];
    readonly compiler_parameters: readonly string[];
  };
  /** `custom_op` group allowed. */
  readonly customOp: boolean;
  /** Accepts `optimization` values other than `set_model_output_int8`. */
  readonly fullOptimization: boolean;
  /** `input_space_and_range` with a non-nv12 input is an error, or ignored with a warning. */
  readonly spaceRangeStrict: boolean;
  /** Allowed `remove_node_type` values. */
  readonly removeNodeTypes: readonly string[];
  /**
   * Parameter groups the tool fills with defaults when the YAML omits them (every
   * parameter in them is optional); absent = all four groups must be present.
   */
  readonly omittableGroups?: readonly OmittableGroup[];
}

/** The parameter groups a march may let the YAML omit (`model_parameters` names the march). */
export const OMITTABLE_GROUPS = [
  "input_parameters",
  "calibration_parameters",
  "compiler_parameters",
] as const;

/** A parameter group a march may let the YAML omit. */
export type OmittableGroup = typeof OMITTABLE_GROUPS[number];

/** A march's dialect with its identity and `core_num` values, taken from its target. */
export interface MarchRules extends MarchDialect {
  /** The march as written in `model_parameters.march` (the target's name). */
  readonly march: string;
  /** `core_num` values: the cores of the target's NPU modes. */
  readonly coreNums: readonly number[];
}

/** The march rules of `target`, or undefined when it is not a Horizon target with a dialect. */
export function marchRulesOf(target: Target): MarchRules | undefined {
  if (target.family !== "horizon" || target.marchDialect === undefined) return undefined;
  return {
    ...target.marchDialect,
    march: target.name,
    coreNums: target.npuModes.map((m) => m.cores),
  };
}

/** Every march the registry knows, in registration order. */
export function horizonMarches(targets: TargetRegistry): MarchRules[] {
  return targets.list().flatMap((t) => marchRulesOf(t) ?? []);
}

/** The march read when the YAML names none: the first registered one marked `defaultMarch`. */
export function defaultMarch(marches: readonly MarchRules[]): MarchRules | undefined {
  return marches.find((m) => m.defaultMarch);
}

/** Every key any march knows, per group (to tell "known elsewhere" from "unknown"). */
export function allKnownKeys(
  group: keyof MarchRules["keys"],
  marches: readonly MarchRules[],
): string[] {
  const set = new Set<string>();
  for (const r of marches) for (const k of r.keys[group]) set.add(k);
  return [...set];
}
