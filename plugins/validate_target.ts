/**
 * Runtime check of a plugin's exported object against the {@linkcode Target} contract
 * (hand-written: the contract holds functions, which schema libraries describe poorly).
 * Each problem is a {@linkcode ConfigError} naming the plugin and the field or hook. The
 * facts the config layer reads (NPU modes, aliases, `hardwareType`, `modelTypes`,
 * `marchDialect`) are checked for shape only: any mode names a plugin declares are valid.
 *
 * @module
 */
import { ConfigError } from "../core/errors/mod.ts";
import type {
  HardwareFact,
  HardwareFacts,
  NpuMode,
  Target,
  TargetFamily,
} from "../targets/target.ts";
import { TARGET_HOOKS } from "../targets/target.ts";
import { MODEL_TYPE, type ModelType } from "../core/config/enums.ts";
import type { MarchDialect } from "../core/config/horizon/march.ts";
import { type Bad, validateMarchDialect } from "./validate_march.ts";

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

const FAMILIES: readonly TargetFamily[] = ["axera", "horizon"];
const FACTS = [
  "onChipMemoryBytes",
  "ddrBandwidthBytesPerSecond",
  "clockHz",
  "cores",
  "vectorElementsPerCycle",
] as const;

/**
 * Check `value` is a Target and return it typed.
 *
 * @param value the plugin's export
 * @param plugin the specifier, for messages
 * @throws {ConfigError} naming the plugin and the first missing or malformed field or hook
 */
export function validateTarget(value: unknown, plugin: string): Target {
  const bad = (field: string, expected: string, found: unknown): never => {
    const shown = typeof found === "function"
      ? "a function"
      : JSON.stringify(found) ?? String(found);
    throw new ConfigError(
      `Target plugin "${plugin}" field ${field} is ${shown}, expected ${expected}`,
      {
        field,
        file: plugin,
      },
    );
  };
  if (!isObj(value)) return bad("(export)", "a Target object", value);
  const v = value;
  for (const hook of TARGET_HOOKS.required) {
    if (typeof v[hook] !== "function") {
      throw new ConfigError(
        `Target plugin "${plugin}" does not provide hook ${hook}: expected a function (node, ctx) => { action: "npu" } | { action: "cpu", reason }`,
        { field: hook, file: plugin },
      );
    }
  }
  for (const hook of TARGET_HOOKS.optional) {
    if (v[hook] !== undefined && typeof v[hook] !== "function") {
      bad(hook, "a function or absent", v[hook]);
    }
  }
  const name = v.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    return bad("name", "a name of letters, digits, '-', '_' or '.'", name);
  }
  const aliases = v.aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === "string" && a.length > 0)) {
    return bad("aliases", "an array of non-empty strings", aliases);
  }
  const family = FAMILIES.find((f) => f === v.family);
  if (!family) return bad("family", `one of ${FAMILIES.join(", ")}`, v.family);
  const npuModes = checkModes(v.npuModes, bad);
  const hardwareType = v.hardwareType === undefined
    ? undefined
    : checkHardwareType(v.hardwareType, bad);
  const modelTypes = v.modelTypes === undefined ? undefined : checkModelTypes(v.modelTypes, bad);
  const marchDialect = checkDialect(v.marchDialect, family, bad);
  const hardware = checkHardware(v.hardware, bad);
  const legality = v.legality;
  if (typeof legality !== "function") return bad("legality", "a function", legality);
  const target: Target = {
    name,
    aliases,
    family,
    npuModes,
    ...(hardwareType === undefined ? {} : { hardwareType }),
    ...(modelTypes === undefined ? {} : { modelTypes }),
    ...(marchDialect === undefined ? {} : { marchDialect }),
    hardware,
    legality: (node, ctx) => legality.call(v, node, ctx),
  };
  for (const hook of TARGET_HOOKS.optional) {
    const fn = v[hook];
    if (typeof fn === "function") {
      Object.assign(target, { [hook]: (...args: unknown[]) => fn.apply(v, args) });
    }
  }
  return target;
}

/** Non-empty, unique names, positive integer core counts; any names. */
function checkModes(modes: unknown, bad: Bad): NpuMode[] {
  if (!Array.isArray(modes) || modes.length === 0) {
    return bad("npuModes", "a non-empty array of { name, cores }", modes);
  }
  const seen = new Set<string>();
  return modes.map((m, i) => {
    if (
      !isObj(m) || typeof m.name !== "string" || m.name === "" || typeof m.cores !== "number" ||
      !Number.isInteger(m.cores) || m.cores <= 0
    ) {
      return bad(`npuModes[${i}]`, "{ name: non-empty string, cores: positive integer }", m);
    }
    if (seen.has(m.name)) return bad(`npuModes[${i}].name`, "a name no other mode has", m.name);
    seen.add(m.name);
    return { name: m.name, cores: m.cores };
  });
}

function checkHardwareType(x: unknown, bad: Bad): number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0
    ? x
    : bad("hardwareType", "an integer >= 0 (pulsar2's target_hardware number) or absent", x);
}

const MODEL_TYPES = Object.keys(MODEL_TYPE);

function checkModelTypes(x: unknown, bad: Bad): ModelType[] {
  const ok = (s: unknown): s is ModelType => MODEL_TYPES.some((t) => t === s);
  if (!Array.isArray(x) || x.length === 0 || !x.every(ok)) {
    return bad("modelTypes", `a non-empty list of ${MODEL_TYPES.join(", ")}, or absent`, x);
  }
  return x.filter(ok);
}

function checkDialect(x: unknown, family: TargetFamily, bad: Bad): MarchDialect | undefined {
  if (x === undefined) return undefined;
  if (family !== "horizon") {
    return bad("marchDialect", 'absent: only family "horizon" targets have a YAML dialect', x);
  }
  return validateMarchDialect(x, bad);
}

function checkHardware(h: unknown, bad: Bad): HardwareFacts {
  if (!isObj(h)) return bad("hardware", "an object of hardware facts", h);
  const fact = (x: unknown, field: string): HardwareFact => {
    if (!isObj(x) || typeof x.value !== "number" || !(x.value > 0) || typeof x.unit !== "string") {
      return bad(
        field,
        "{ value: positive number, unit, source } or { value, unit, assumed: true, why }",
        x,
      );
    }
    if (typeof x.source === "string") return { value: x.value, unit: x.unit, source: x.source };
    if (x.assumed === true && typeof x.why === "string") {
      return { value: x.value, unit: x.unit, assumed: true, why: x.why };
    }
    return bad(field, "a source string or assumed: true with a why", x);
  };
  const mac = h.macArray;
  if (!isObj(mac)) return bad("hardware.macArray", "{ rows, cols }", mac);
  const facts = Object.fromEntries(FACTS.map((k) => [k, fact(h[k], `hardware.${k}`)]));
  return {
    macArray: {
      rows: fact(mac.rows, "hardware.macArray.rows"),
      cols: fact(mac.cols, "hardware.macArray.cols"),
    },
    onChipMemoryBytes: facts.onChipMemoryBytes,
    ddrBandwidthBytesPerSecond: facts.ddrBandwidthBytesPerSecond,
    clockHz: facts.clockHz,
    cores: facts.cores,
    vectorElementsPerCycle: facts.vectorElementsPerCycle,
  };
}
