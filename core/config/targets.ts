/**
 * The pulsar2 config layer's view of a {@linkcode TargetRegistry}: which targets
 * `target_hardware` may name (family `axera`, the pulsar2 front end), their aliases and
 * numbers, their NPU modes and documented model types. Every list is derived from the
 * registry passed in, so a plugin target is validated exactly like a built-in one.
 *
 * @module
 */
import type { Target } from "../../targets/target.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { ConfigError } from "../errors/mod.ts";
import { NPU_MODE } from "./enums.ts";
import { choiceOf, type Leaf } from "./leaf.ts";
import type { TargetFieldLeaves } from "./schema.ts";

/** Targets the pulsar2 front end accepts, in registration order. */
export function pulsar2Targets(targets: TargetRegistry): Target[] {
  return targets.list().filter((t) => t.family === "axera");
}

/**
 * pulsar2's default `target_hardware`: the first registered AXera-family target.
 *
 * @throws {ConfigError} when the registry holds none
 */
export function defaultPulsar2Target(targets: TargetRegistry): Target {
  const t = pulsar2Targets(targets)[0];
  if (t) return t;
  throw new ConfigError(
    `No target for target_hardware: the registry holds no AXera-family target (found ${
      targets.names().join(", ") || "none"
    })`,
    { field: "target_hardware" },
  );
}

/** The pulsar2 target called `name` (its name or an alias, any case), if any. */
export function findPulsar2Target(targets: TargetRegistry, name: string): Target | undefined {
  const t = targets.find(name);
  return t?.family === "axera" ? t : undefined;
}

/** `target_hardware` as written: a target's name (exact case) or its `hardwareType` number. */
export function targetHardwareLeaf(targets: TargetRegistry): Leaf<string> {
  const list = pulsar2Targets(targets);
  const byName = new Map(list.map((t) => [t.name, t]));
  return choiceOf(
    list.map((t) => t.name),
    (name) => byName.get(name)?.hardwareType,
    (name) => targets.find(name) !== undefined,
  );
}

/** Every NPU mode name of the pulsar2 targets, first appearance first. */
export function pulsar2ModeNames(targets: TargetRegistry): string[] {
  return [...new Set(pulsar2Targets(targets).flatMap((t) => t.npuModes.map((m) => m.name)))];
}

/**
 * `npu_mode` as written: a mode name of any pulsar2 target, or a `common.NPUMode` number.
 * Whether the chosen target has that mode is a cross-field rule (`rules.ts`).
 */
export function npuModeLeaf(targets: TargetRegistry): Leaf<string> {
  return choiceOf(pulsar2ModeNames(targets), (name) => NPU_MODE[name]);
}

/** The name of `target`'s mode with `cores` cores, else its default (first) mode. */
export function npuModeWithCores(target: Target, cores: number): string {
  return (target.npuModes.find((m) => m.cores === cores) ?? target.npuModes[0]).name;
}

/** The `target_hardware` and `npu_mode` leaves of the config schema for `targets`. */
export function targetFieldLeaves(targets: TargetRegistry): TargetFieldLeaves {
  return { target_hardware: targetHardwareLeaf(targets), npu_mode: npuModeLeaf(targets) };
}
