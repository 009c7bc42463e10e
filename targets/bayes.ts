/**
 * Horizon bayes (J5, RDK Ultra) and bayes-e (X5) BPUs, `hb_mapper` marches. The seeds
 * describe neither chip, so both are assumed to share bernoulli2's operator constraints
 * (spec `horizon.md` §12) and hardware numbers; only `core_num` differs, 1 only, as newer
 * public docs [S] say ("do not configure"). Their YAML dialect is in `horizon/marches.ts`.
 *
 * @module
 */
import type { HardwareFacts, Target } from "./target.ts";
import { assumed } from "./facts.ts";
import { evaluateLegality } from "./rules/evaluate.ts";
import { BERNOULLI2_OPS } from "./horizon/ops_bernoulli2.ts";
import { bayesDialect } from "./horizon/marches.ts";
import { BERNOULLI2_HARDWARE } from "./bernoulli2.ts";
import { BAYES_NUMERIC } from "./horizon/numeric.ts";
import { horizonCostHooks } from "./horizon/cost.ts";

/** bayes-family hardware facts: bernoulli2's, with one core used. */
export const BAYES_HARDWARE: HardwareFacts = {
  ...BERNOULLI2_HARDWARE,
  cores: assumed(
    1,
    "cores",
    "the seeds do not describe bayes; public docs [S] allow core_num 1 only, so one core is modelled",
  ),
};

function bayesTarget(name: string, aliases: readonly string[], chip: string): Target {
  return {
    name,
    aliases,
    family: "horizon",
    npuModes: [{ name: "1", cores: 1 }],
    marchDialect: bayesDialect(chip),
    hardware: BAYES_HARDWARE,
    numeric: BAYES_NUMERIC,
    ...horizonCostHooks(BAYES_HARDWARE, true),
    legality: (node, ctx) => evaluateLegality(BERNOULLI2_OPS, name, node, ctx, "BPU"),
  };
}

/** The bayes target (J5, RDK Ultra). */
export const bayes: Target = bayesTarget("bayes", ["J5"], "J5/RDK Ultra");

/** The bayes-e target (X5). */
export const bayesE: Target = bayesTarget("bayes-e", ["X5"], "X5");
