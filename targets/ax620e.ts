/**
 * AX620E family (AX630C, AX631, AX620Q, AX620QP, AX620QZ; `AX620L` is not a vendor name but
 * accepted as an alias, the config layer noting the mapping): dual-core NPU, `npu_mode` NPU1/NPU2 (spec `ops-axera.md` line 15,
 * `pulsar2-build.md` line 75). Which cores are free depends on AI-ISP use.
 *
 * Only the core count is stated; every other number is assumed in {@linkcode AX620E_HARDWARE}.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed, MiB, sourced } from "./facts.ts";
import { axeraTarget, npuModes, WITHOUT_QUANT_ONNX } from "./axera/axera_target.ts";
import { AX620E_OPS } from "./axera/ops_ax620e.ts";

/** AX620E hardware facts; one place for every assumed number. */
export const AX620E_HARDWARE: HardwareFacts = {
  macArray: {
    rows: assumed(
      32,
      "lanes",
      "32x32 int8 MACs per core x 2 cores x 2 ops x 800 MHz = 3.3 TOPS, the order of AX630C's public 3.2 TOPS INT8 (not in the spec)",
    ),
    cols: assumed(32, "lanes", "chosen together with rows (same reasoning)"),
  },
  onChipMemoryBytes: assumed(
    1 * MiB,
    "bytes",
    "not stated (ops-axera.md line 21); a quarter of the AX650 assumption for a 1/4-size NPU",
  ),
  ddrBandwidthBytesPerSecond: assumed(
    8.5e9,
    "bytes/s",
    "32-bit LPDDR4-2133 (8.5 GB/s theoretical); not in the spec",
  ),
  clockHz: assumed(
    800e6,
    "Hz",
    "no clock is stated; 800 MHz is a typical NPU clock for this class, chosen so that TOPS match the public figure",
  ),
  cores: sourced(2, "cores", "ops-axera.md line 15: dual-core NPU"),
  vectorElementsPerCycle: assumed(
    32,
    "elements/cycle",
    "half the AX650 assumption; not in the spec",
  ),
};

/** The AX620E target. */
export const ax620e: Target = axeraTarget({
  name: "AX620E",
  aliases: ["AX620L", "AX630C", "AX631", "AX620Q", "AX620QP", "AX620QZ"],
  npuModes: npuModes(2),
  hardwareType: 1, // spec `pulsar2-build.md` §4.1
  modelTypes: WITHOUT_QUANT_ONNX,
  hardware: AX620E_HARDWARE,
  ops: AX620E_OPS,
});
