/**
 * M57 (M57H) and AX637: the manual describes no hardware and states no `npu_mode` values
 * for them (spec `ops-axera.md` lines 17–18); their op list is AX650's plus `Bevpool`.
 *
 * NPU modes (our choice): NPU1–NPU3 like AX650, since the shared op list suggests AX650's
 * NPU generation. The core count and every other number are therefore assumed, equal to
 * AX650's.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed } from "./facts.ts";
import { axeraTarget, npuModes, WITHOUT_QUANT_ONNX } from "./axera/axera_target.ts";
import { M57_OPS } from "./axera/ops_m57.ts";
import { AX650_HARDWARE } from "./ax650.ts";

/** M57/AX637 hardware facts: AX650's, with the core count assumed (not stated for these chips). */
export const M57_HARDWARE: HardwareFacts = {
  ...AX650_HARDWARE,
  cores: assumed(
    3,
    "cores",
    "not stated (ops-axera.md lines 17-18); NPU1-NPU3 are accepted like AX650, so 3 cores",
  ),
  clockHz: assumed(625e6, "Hz", "AX650's derived clock reused; no calibration point for M57/AX637"),
};

/** The M57 target (also M57H). */
export const m57: Target = axeraTarget({
  name: "M57",
  aliases: ["M57H"],
  npuModes: npuModes(3),
  hardwareType: 5, // spec `pulsar2-build.md` §4.1
  modelTypes: WITHOUT_QUANT_ONNX,
  hardware: M57_HARDWARE,
  ops: M57_OPS,
});

/** The AX637 target: its own name, M57's list (spec §5.1: "the same document apart from the chip name"). */
export const ax637: Target = axeraTarget({
  name: "AX637",
  aliases: [],
  npuModes: npuModes(3),
  hardwareType: 7, // not in the published enum (spec §4.1 ⚠); our number
  modelTypes: WITHOUT_QUANT_ONNX,
  hardware: M57_HARDWARE,
  ops: M57_OPS,
});
