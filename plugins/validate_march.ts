/**
 * Runtime check of a Horizon plugin's `marchDialect` (the YAML dialect of its march, shape
 * {@linkcode MarchDialect}), so a malformed dialect is refused when the plugin loads rather
 * than failing inside the YAML validators.
 *
 * @module
 */
import { type MarchDialect, OMITTABLE_GROUPS } from "../core/config/horizon/march.ts";
import {
  CALIBRATION_TYPES,
  COMPILE_MODES,
  HORIZON_TOOLS,
  OPTIMIZE_LEVELS,
} from "../core/config/horizon/types.ts";

/** Reports a malformed field (`marchDialect.tool`) and what it should be; never returns. */
export type Bad = (field: string, expected: string, found: unknown) => never;

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

const GROUPS = [
  "model_parameters",
  "input_parameters",
  "calibration_parameters",
  "compiler_parameters",
] as const;

/** `x` as a list of `allowed` values (one at least), or a `bad` report naming `field`. */
function subset<T extends string>(
  x: unknown,
  allowed: readonly T[],
  field: string,
  bad: Bad,
): T[] {
  const ok = (s: unknown): s is T => allowed.some((a) => a === s);
  if (!Array.isArray(x) || x.length === 0 || !x.every(ok)) {
    return bad(field, `a non-empty list of ${allowed.join(", ")}`, x);
  }
  return x.filter(ok);
}

function strings(x: unknown, field: string, bad: Bad): string[] {
  if (!Array.isArray(x) || !x.every((s) => typeof s === "string")) {
    return bad(field, "a list of strings", x);
  }
  return x.filter((s) => typeof s === "string");
}

function count(x: unknown, field: string, bad: Bad, min: number): number {
  return typeof x === "number" && Number.isInteger(x) && x >= min
    ? x
    : bad(field, `an integer >= ${min}`, x);
}

/**
 * Check `value` is a {@linkcode MarchDialect} and return it typed.
 *
 * @param value the plugin's `marchDialect`
 * @param bad reports the first malformed field (prefixed `marchDialect.`)
 */
export function validateMarchDialect(value: unknown, bad: Bad): MarchDialect {
  const at = (f: string) => `marchDialect.${f}`;
  if (!isObj(value)) return bad("marchDialect", "an object (the march's YAML dialect)", value);
  const v = value;
  const tool = HORIZON_TOOLS.find((t) => t === v.tool) ??
    bad(at("tool"), HORIZON_TOOLS.join(" or "), v.tool);
  if (typeof v.chip !== "string" || v.chip === "") return bad(at("chip"), "a label", v.chip);
  const flag = (f: string): boolean => {
    const x = v[f];
    return typeof x === "boolean" ? x : bad(at(f), "true or false", x);
  };
  const range = (): [number, number] => {
    const r = v.percentileRange;
    return Array.isArray(r) && r.length === 2 && typeof r[0] === "number" &&
        typeof r[1] === "number" && r[0] <= r[1]
      ? [r[0], r[1]]
      : bad(at("percentileRange"), "[low, high] numbers with low <= high", r);
  };
  const unit = (): "ms" | "µs" =>
    v.maxTimePerFcUnit === "ms" || v.maxTimePerFcUnit === "µs"
      ? v.maxTimePerFcUnit
      : bad(at("maxTimePerFcUnit"), `"ms" or "µs"`, v.maxTimePerFcUnit);
  const keys = (): MarchDialect["keys"] => {
    const k = v.keys;
    if (!isObj(k)) return bad(at("keys"), `an object with ${GROUPS.join(", ")}`, k);
    const group = (g: typeof GROUPS[number]) => strings(k[g], at(`keys.${g}`), bad);
    return {
      model_parameters: group("model_parameters"),
      input_parameters: group("input_parameters"),
      calibration_parameters: group("calibration_parameters"),
      compiler_parameters: group("compiler_parameters"),
    };
  };
  // Each field is read as the object is built: the first malformed one in this order is reported.
  return {
    tool,
    chip: v.chip,
    defaultMarch: flag("defaultMarch"),
    marchRequired: flag("marchRequired"),
    prefixRequired: flag("prefixRequired"),
    normTypeRequired: flag("normTypeRequired"),
    layoutTrainRequired: flag("layoutTrainRequired"),
    calibrationTypeRequired: flag("calibrationTypeRequired"),
    optimizeLevelRequired: flag("optimizeLevelRequired"),
    customOp: flag("customOp"),
    fullOptimization: flag("fullOptimization"),
    spaceRangeStrict: flag("spaceRangeStrict"),
    calibrationTypes: subset(v.calibrationTypes, CALIBRATION_TYPES, at("calibrationTypes"), bad),
    percentileRange: range(),
    inputBatchMax: count(v.inputBatchMax, at("inputBatchMax"), bad, 1),
    compileModes: subset(v.compileModes, COMPILE_MODES, at("compileModes"), bad),
    optimizeLevels: subset(v.optimizeLevels, OPTIMIZE_LEVELS, at("optimizeLevels"), bad),
    maxTimePerFcMin: count(v.maxTimePerFcMin, at("maxTimePerFcMin"), bad, 0),
    maxTimePerFcUnit: unit(),
    keys: keys(),
    removeNodeTypes: strings(v.removeNodeTypes, at("removeNodeTypes"), bad),
    ...(v.omittableGroups === undefined ? {} : {
      omittableGroups: subset(v.omittableGroups, OMITTABLE_GROUPS, at("omittableGroups"), bad),
    }),
  };
}
