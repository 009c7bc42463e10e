/**
 * Builds an AXera {@linkcode Target} from its declarative parts: names, NPU modes, hardware
 * facts and an operator table. Chip files (`../ax650.ts`, …) only supply data.
 *
 * @module
 */
import type { HardwareFacts, NpuMode, Target } from "../target.ts";
import type { ModelType } from "../../core/config/enums.ts";
import type { OpTable } from "../rules/rule.ts";
import { evaluateLegality } from "../rules/evaluate.ts";
import { axeraCostHooks } from "./cost/hooks.ts";

/** Everything an AXera chip file states. */
export interface AxeraTargetSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly npuModes: readonly NpuMode[];
  /** pulsar2's `target_hardware` number (spec `pulsar2-build.md` §4.1), when it has one. */
  readonly hardwareType?: number;
  /** Documented `model_type`s; absent: every one, QuantONNX included. */
  readonly modelTypes?: readonly ModelType[];
  readonly hardware: HardwareFacts;
  readonly ops: OpTable;
}

/**
 * `model_type`s of a chip whose QuantONNX import the manual does not document: spec
 * `pulsar2-build.md` §5.14 names AX650 and M76H only.
 */
export const WITHOUT_QUANT_ONNX: readonly ModelType[] = [
  "ONNX",
  "QuantAxModel",
  "OptimizedQuantAxModel",
];

/** pulsar2's `npu_mode` values: `NPU<n>` = n cores (spec `pulsar2-build.md` §5.10). */
export function npuModes(maxCores: number): NpuMode[] {
  return Array.from({ length: maxCores }, (_, i) => ({ name: `NPU${i + 1}`, cores: i + 1 }));
}

/**
 * Make an AXera target whose legality is the table evaluator and whose `tile`,
 * `planBatches` and `cost` hooks are the analytic model of `cost/` over its hardware facts.
 *
 * @param spec names, modes, hardware facts and op table of the chip
 * @returns the target object
 */
export function axeraTarget(spec: AxeraTargetSpec): Target {
  const { name, ops } = spec;
  return {
    name,
    aliases: spec.aliases,
    family: "axera",
    npuModes: spec.npuModes,
    hardwareType: spec.hardwareType,
    modelTypes: spec.modelTypes,
    hardware: spec.hardware,
    legality: (node, ctx) => evaluateLegality(ops, name, node, ctx),
    ...axeraCostHooks(spec.hardware),
  };
}
