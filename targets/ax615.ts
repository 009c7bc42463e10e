/**
 * AX615: dual-core NPU (Tongyuan 6.0), `npu_mode` NPU1/NPU2 (spec `ops-axera.md` line 16,
 * `pulsar2-build.md` line 75). Smallest list (71 ops) with "SMALL SIZES ONLY" rows.
 *
 * Only the core count is stated; every other number is assumed in {@linkcode AX615_HARDWARE}.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed, KiB, sourced } from "./facts.ts";
import { axeraTarget, npuModes, WITHOUT_QUANT_ONNX } from "./axera/axera_target.ts";
import { AX615_OPS } from "./axera/ops_ax615.ts";

/** AX615 hardware facts; one place for every assumed number. */
export const AX615_HARDWARE: HardwareFacts = {
  macArray: {
    rows: assumed(
      32,
      "lanes",
      "half of AX620E's assumed array (32x16); the smaller op list and 'small sizes only' suggest a smaller NPU",
    ),
    cols: assumed(16, "lanes", "chosen together with rows (same reasoning)"),
  },
  onChipMemoryBytes: assumed(
    512 * KiB,
    "bytes",
    "not stated; half the AX620E assumption, and 8x the assumed 64 Ki-element 'small sizes' limit",
  ),
  ddrBandwidthBytesPerSecond: assumed(
    6.4e9,
    "bytes/s",
    "16-bit LPDDR4x-3200 (6.4 GB/s theoretical); not in the spec",
  ),
  clockHz: assumed(800e6, "Hz", "same assumption as AX620E; not in the spec"),
  cores: sourced(2, "cores", "ops-axera.md line 16: dual-core NPU"),
  vectorElementsPerCycle: assumed(
    16,
    "elements/cycle",
    "half the AX620E assumption; not in the spec",
  ),
};

/** The AX615 target. */
export const ax615: Target = axeraTarget({
  name: "AX615",
  aliases: [],
  npuModes: npuModes(2),
  // Not in the published enum (spec §4.1 ⚠); ours, as the §6.4 metadata hints 6.
  hardwareType: 6,
  modelTypes: WITHOUT_QUANT_ONNX,
  hardware: AX615_HARDWARE,
  ops: AX615_OPS,
});
