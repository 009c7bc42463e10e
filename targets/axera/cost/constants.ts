/**
 * The cost model's own numbers, beyond the chip's {@linkcode HardwareFacts}. None is stated
 * by the vendor (spec `ops-axera.md` §1: no TOPS, OCM, DDR or per-op figures), so every one is
 * an {@linkcode assumed} fact with its reason. `MAC_EFFICIENCY` and `KERNEL_FOLD` are
 * calibrated on the single published point (AX650 MobileNetV2 224, `max_cycle = 450,182`,
 * `ops-axera.md` line 36); the rest are round engineering guesses.
 *
 * @module
 */
import type { HardwareFact } from "../../target.ts";
import { assumed } from "../../facts.ts";

/** Named assumptions of the AXera cost model (see `model.ts` for where each enters). */
export interface CostAssumptions {
  /** Fraction of lane-aligned peak the MAC array sustains (pipeline fill, edges). */
  readonly macEfficiency: HardwareFact;
  /** Kernel taps folded into idle reduction lanes when Cin/group < cols. */
  readonly kernelFold: HardwareFact;
  /** Fixed cycles per op: command dispatch, EU setup. */
  readonly opOverheadCycles: HardwareFact;
  /** Cycles per tile beyond the first (DMA descriptor, sync with sdma). */
  readonly tileOverheadCycles: HardwareFact;
  /** Cycles per op to synchronise cores when a model runs on more than one core. */
  readonly coreSyncCycles: HardwareFact;
  /** cv-unit throughput as a multiple of the vector unit's elements per cycle. */
  readonly cvRatio: HardwareFact;
  /** Bytes per activation element (pulsar2 default U8). */
  readonly activationBytes: HardwareFact;
  /** Fraction of OCM the current op's weights may occupy before they stream in channel tiles. */
  readonly weightBufferFraction: HardwareFact;
  /** Parts a chain intermediate is cut into under `enable_slice_mode`. */
  readonly sliceModeParts: HardwareFact;
  /** Parts a chain intermediate is cut into under `enable_tile_mode`. */
  readonly tileModeParts: HardwareFact;
  /** Compute passes of an op that reads or writes a 16-bit activation, against one at U8. */
  readonly wideActivationPasses: HardwareFact;
}

/** The assumptions used by every AXera chip. */
export const AXERA_COST_ASSUMPTIONS: CostAssumptions = {
  macEfficiency: assumed(
    0.9,
    "ratio",
    "calibrated: with KERNEL_FOLD it puts AX650 NPU1 MobileNetV2 b1 near max_cycle = 450,182 (ops-axera.md line 36)",
  ),
  kernelFold: assumed(
    3,
    "taps",
    "calibrated together with macEfficiency: one kernel row (3 taps of a 3x3) spread over idle reduction lanes, so a depthwise conv fills 3 input lanes instead of 1",
  ),
  opOverheadCycles: assumed(
    256,
    "cycles",
    "command-engine dispatch per op; 66 ops x 256 = 4% of the MobileNetV2 total",
  ),
  tileOverheadCycles: assumed(128, "cycles", "one DMA descriptor round trip per extra tile"),
  coreSyncCycles: assumed(
    384,
    "cycles",
    "per-op barrier across vNPU cores through the sync manager (ops-axera.md §1)",
  ),
  cvRatio: assumed(1, "ratio", "cv moves as many elements per cycle as the vector unit"),
  activationBytes: assumed(1, "bytes", "U8 activations, pulsar2's default quantisation"),
  weightBufferFraction: assumed(0.5, "ratio", "double-buffered weights take at most half the OCM"),
  sliceModeParts: assumed(
    4,
    "parts",
    "slice mode runs a chain of ops over 4 row slices, so a chain intermediate needs 1/4 of its size on chip",
  ),
  tileModeParts: assumed(
    2,
    "parts",
    "tile mode pipelines a producer/consumer pair over 2 tiles (ping-pong), so the intermediate needs 1/2 on chip",
  ),
  wideActivationPasses: assumed(
    2,
    "passes",
    "a U16 activation against S8 weights (or a 16-bit vector lane) takes two 8-bit passes; only automatic mixed precision asks, through TargetSubgraph.activationBits",
  ),
};
