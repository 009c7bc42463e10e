/**
 * First step of the compile stage: the configured `npu_mode` resolved against the
 * target's core modes, refused before anything is written when the target lacks it.
 *
 * @module
 */
import type { NpuMode, Target } from "../../targets/target.ts";
import { ConfigError } from "../errors/mod.ts";

/**
 * The target's core mode named `npuMode`.
 *
 * @param target the compilation target
 * @param npuMode the configured `npu_mode` (`NPU1`)
 * @returns the mode with its core count
 * @throws {ConfigError} naming `npu_mode` and the modes the target offers
 */
export function selectNpuMode(target: Target, npuMode: string): NpuMode {
  const mode = target.npuModes.find((m) => m.name === npuMode);
  if (mode) return mode;
  throw new ConfigError(
    `npu_mode ${npuMode} is not available on ${target.name}; expected one of ${
      target.npuModes.map((m) => m.name).join(", ")
    }`,
    { field: "npu_mode" },
  );
}
