/**
 * Horizon nash marches, `hb_compile` (spec `horizon.md` §1, §4): J6E `nash-e`, J6M `nash-m`
 * (seed 004), and J6P `nash-p`, J6H `nash-h`, assumed to be the same BPU generation with the
 * same rules. `core_num` is 1 only (§5.5). The seed lists no BPU operators, so legality is
 * permissive by a documented assumption (see `horizon/ops_nash.ts`); the YAML dialect is in
 * `horizon/marches.ts`. Every march uses the same hardware numbers (all assumed).
 *
 * @module
 */
import type { HardwareFacts, Legality, Target } from "./target.ts";
import { NPU } from "./target.ts";
import { assumed, MiB, sourced } from "./facts.ts";
import { NASH_CPU_OPS } from "./horizon/ops_nash.ts";
import { nashDialect } from "./horizon/marches.ts";
import { NASH_NUMERIC } from "./horizon/numeric.ts";
import { horizonCostHooks } from "./horizon/cost.ts";

/** nash hardware facts; one place for every assumed number. */
export const NASH_HARDWARE: HardwareFacts = {
  macArray: {
    rows: assumed(
      128,
      "lanes",
      "not stated; 128x256 int8 MACs x 2 ops x 1 GHz = 65.5 TOPS, the order of J6E's public 80 TOPS",
    ),
    cols: assumed(256, "lanes", "chosen together with rows (same reasoning)"),
  },
  onChipMemoryBytes: assumed(16 * MiB, "bytes", "not stated; sized for an 80-TOPS-class BPU"),
  ddrBandwidthBytesPerSecond: assumed(
    51.2e9,
    "bytes/s",
    "64-bit LPDDR5-6400 (51.2 GB/s theoretical); not in the spec",
  ),
  clockHz: assumed(
    1e9,
    "Hz",
    "not stated in the seed; a round 1 GHz, the same as the bernoulli2 assumption",
  ),
  cores: sourced(1, "cores", "horizon.md line 236: core_num 1 only"),
  vectorElementsPerCycle: assumed(
    256,
    "elements/cycle",
    "not stated; matches the assumed MAC array width",
  ),
};

function nashLegality(node: { opType: string; name: string; domain: string }): Legality {
  const head = `${node.opType} "${node.name}"`;
  if (node.domain !== "" && node.domain !== "ai.onnx") {
    return {
      action: "cpu",
      cause: "unlisted",
      reason: `${head}: ${node.domain}::${node.opType} is not in the nash BPU operator set`,
    };
  }
  const why = NASH_CPU_OPS.get(node.opType);
  if (why) {
    return {
      action: "cpu",
      cause: "unlisted",
      reason: `${head}: ${node.opType} is not in the nash BPU operator set (${why})`,
    };
  }
  return NPU;
}

/** A nash march named `name` for `chip`, which is also an alias. */
function nashTarget(name: string, chip: string, more: readonly string[] = []): Target {
  return {
    name,
    aliases: [chip, ...more],
    family: "horizon",
    npuModes: [{ name: "1", cores: 1 }],
    marchDialect: nashDialect(chip),
    hardware: NASH_HARDWARE,
    numeric: NASH_NUMERIC,
    ...horizonCostHooks(NASH_HARDWARE, false),
    legality: (node) => nashLegality(node),
  };
}

/** The nash-e target (J6E); also answers to `nash`, the name of the one nash target before. */
export const nashE: Target = nashTarget("nash-e", "J6E", ["nash"]);
/** The nash-m target (J6M). */
export const nashM: Target = nashTarget("nash-m", "J6M");
/** The nash-p target (J6P). */
export const nashP: Target = nashTarget("nash-p", "J6P");
/** The nash-h target (J6H). */
export const nashH: Target = nashTarget("nash-h", "J6H");
