/**
 * M76H (automotive): the same NPU description, NPU modes and operator list as AX650
 * (spec `ops-axera.md` §1 line 14), so it reuses AX650's hardware facts and assumptions.
 *
 * @module
 */
import type { Target } from "./target.ts";
import { axeraTarget, npuModes } from "./axera/axera_target.ts";
import { AX650_OPS } from "./axera/ops_ax650.ts";
import { AX650_HARDWARE } from "./ax650.ts";

/** The M76H target. */
export const m76h: Target = axeraTarget({
  name: "M76H",
  aliases: [],
  npuModes: npuModes(3),
  hardwareType: 2, // spec `pulsar2-build.md` §4.1
  // modelTypes absent: every model_type, QuantONNX included (§5.14).
  hardware: AX650_HARDWARE,
  ops: AX650_OPS,
});
