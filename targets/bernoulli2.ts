/**
 * Horizon bernoulli2 (X3, J3) BPU, `hb_mapper` (spec `horizon.md` §1, §12). Legality is the
 * §12 constraint table (`horizon/ops_bernoulli2.ts`); `core_num` 1 or 2 (§5.5); the YAML
 * dialect is `horizon/marches.ts`.
 *
 * Cost and tiling: `horizon/cost.ts` (the analytic model on §12-aligned shapes).
 *
 * Hardware: the spec states the core count and the alignment (W multiple of 8, channels
 * aligned to 8: `horizon.md` lines 484–487); every number is named in
 * {@linkcode BERNOULLI2_HARDWARE}.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed, MiB, sourced } from "./facts.ts";
import { evaluateLegality } from "./rules/evaluate.ts";
import { BERNOULLI2_OPS } from "./horizon/ops_bernoulli2.ts";
import { BERNOULLI2_DIALECT } from "./horizon/marches.ts";
import { BERNOULLI2_NUMERIC } from "./horizon/numeric.ts";
import { horizonCostHooks } from "./horizon/cost.ts";

/** bernoulli2 hardware facts; one place for every assumed number. */
export const BERNOULLI2_HARDWARE: HardwareFacts = {
  macArray: {
    rows: assumed(
      32,
      "lanes",
      "32 output channels x 32 input lanes: a multiple of the 8-channel alignment (horizon.md line 487); 2 cores x 1024 x 2 ops x 1 GHz = 4 TOPS, the order of X3's public 5 TOPS figure",
    ),
    cols: assumed(32, "lanes", "chosen together with rows (same reasoning)"),
  },
  onChipMemoryBytes: assumed(
    1 * MiB,
    "bytes",
    "not stated; same as the AX620E assumption for a similar-size NPU",
  ),
  ddrBandwidthBytesPerSecond: assumed(
    12.8e9,
    "bytes/s",
    "32-bit DDR at 3200 MT/s; horizon.md line 440 mentions 2666 vs 3200 DDR speeds, the bus width is assumed",
  ),
  clockHz: assumed(1e9, "Hz", "not stated; 1 GHz is X3's public BPU clock"),
  cores: sourced(2, "cores", "horizon.md line 236: core_num 1 or 2"),
  vectorElementsPerCycle: assumed(
    32,
    "elements/cycle",
    "not stated; elementwise ops 'use MACs' (§12), so one MAC row",
  ),
};

/** The bernoulli2 target. */
export const bernoulli2: Target = {
  name: "bernoulli2",
  aliases: ["X3", "J3"],
  family: "horizon",
  npuModes: [{ name: "1", cores: 1 }, { name: "2", cores: 2 }],
  marchDialect: BERNOULLI2_DIALECT,
  hardware: BERNOULLI2_HARDWARE,
  numeric: BERNOULLI2_NUMERIC,
  ...horizonCostHooks(BERNOULLI2_HARDWARE, true),
  legality: (node, ctx) => evaluateLegality(BERNOULLI2_OPS, "bernoulli2", node, ctx, "BPU"),
};
