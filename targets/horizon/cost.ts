/**
 * Cost and tiling hooks of the Horizon BPUs: the analytic NPU model of
 * `targets/axera/cost/` (its formulas are chip-neutral; every constant it uses is named and
 * marked assumed in `targets/axera/cost/constants.ts`) evaluated on the shapes the BPU really
 * computes — W and channels padded by the alignment rules of spec `horizon.md` §12
 * (`alignment.ts`) — with the march's hardware facts (all assumed but the core count, see
 * `bernoulli2.ts`, `nash.ts`).
 *
 * @module
 */
import type { HardwareFacts, Target, TargetSubgraph } from "../target.ts";
import { axeraCostHooks } from "../axera/cost/hooks.ts";
import { alignedSubgraph } from "./alignment.ts";

/**
 * The optional hooks of a Horizon target with facts `hw`; `align` applies the §12 alignment
 * rules (stated for bernoulli2; the nash seed states none, so nash passes false).
 */
export function horizonCostHooks(
  hw: HardwareFacts,
  align: boolean,
): Required<Pick<Target, "tile" | "planBatches" | "cost" | "profile">> {
  const base = axeraCostHooks(hw);
  const shapes = align ? alignedSubgraph : (sub: TargetSubgraph) => sub;
  return {
    tile: (sub, ctx) => base.tile(shapes(sub), ctx),
    planBatches: (sub, cfg) => base.planBatches(shapes(sub), cfg),
    cost: (sub, plan) => base.cost(shapes(sub), plan),
    profile: (sub, plan) => base.profile(shapes(sub), plan),
  };
}
