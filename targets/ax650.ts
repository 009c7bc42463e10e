/**
 * AX650 (AX650A, AX650N, AX8850): three Conv cores + three vector cores paired into vNPUs,
 * shared on-chip memory; `npu_mode` NPU1/NPU2/NPU3 (spec `ops-axera.md` §1 line 13,
 * `pulsar2-build.md` line 75).
 *
 * Hardware numbers: the spec states only the core count. The clock is derived from the one
 * calibration point (MobileNetV2 224x224: 0.72 ms on the board, compile log
 * `max_cycle = 450,182`, `ops-axera.md` line 36): 450,182 cycles / 0.72 ms = 625.25 MHz,
 * taken as 625 MHz, assuming the reported latency is pure NPU time. Everything else is
 * assumed, named in {@linkcode AX650_HARDWARE}.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed, MiB, sourced } from "./facts.ts";
import { axeraTarget, npuModes } from "./axera/axera_target.ts";
import { AX650_OPS } from "./axera/ops_ax650.ts";

/** Cycles of MobileNetV2 224 in the AX650 compile log (`ops-axera.md` line 36). */
export const AX650_MOBILENETV2_CYCLES = 450_182;

/** AX650 hardware facts; one place for every assumed number. */
export const AX650_HARDWARE: HardwareFacts = {
  macArray: {
    rows: assumed(
      64,
      "lanes",
      "64x64 int8 MACs per core x 3 cores x 2 ops x 625 MHz = 15.4 TOPS, the order of the chip's public 18 TOPS INT8 (not in the spec)",
    ),
    cols: assumed(64, "lanes", "chosen together with rows (same reasoning)"),
  },
  onChipMemoryBytes: assumed(
    4 * MiB,
    "bytes",
    "OCM size is not stated (ops-axera.md line 21); 4 MiB shared holds the largest MobileNetV2 activation (112x112x96 U8 = 1.2 MB) twice plus weight tiles",
  ),
  ddrBandwidthBytesPerSecond: assumed(
    17e9,
    "bytes/s",
    "half of LPDDR4x-4266 x 64-bit (34.1 GB/s theoretical) left to the NPU; not in the spec",
  ),
  clockHz: assumed(
    625e6,
    "Hz",
    "450,182 cycles / 0.72 ms = 625.25 MHz (ops-axera.md line 36), assuming board latency equals NPU cycles at clock",
  ),
  cores: sourced(3, "cores", "ops-axera.md line 13: 3 Conv cores + 3 vector-core groups"),
  vectorElementsPerCycle: assumed(
    64,
    "elements/cycle",
    "one 64-lane vector core per Conv core; not in the spec",
  ),
};

/** The AX650 target. */
export const ax650: Target = axeraTarget({
  name: "AX650",
  aliases: ["AX650A", "AX650N", "AX8850"],
  npuModes: npuModes(3),
  hardwareType: 0, // spec `pulsar2-build.md` §4.1
  // modelTypes absent: every model_type, QuantONNX included (§5.14).
  hardware: AX650_HARDWARE,
  ops: AX650_OPS,
});
