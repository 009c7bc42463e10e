/**
 * `quant.layer_configs` settings the vendor tool refuses, refused here before anything
 * is quantized (spec `pulsar2-build.md` §5.3): a `Conv` may not take `data_type: FP32`;
 * only its output may be float (`data_type: U8`, `output_data_type: FP32`).
 *
 * Names refer to the frontend-optimized model, as `layer_configs` do.
 *
 * @module
 */
import type { Graph } from "../ir/graph.ts";
import type { LayerConfig } from "../config/build_config.ts";
import { resolvePrecision } from "../quant/precision.ts";
import { ConfigError } from "../errors/mod.ts";

/**
 * Refuse layer configs that run a `Conv` at `data_type: FP32`.
 *
 * @param g the frontend-optimized graph
 * @param configs `quant.layer_configs`
 * @throws {ConfigError} naming the Conv and the entry that set FP32
 */
export function refuseFp32Conv(g: Graph, configs: readonly LayerConfig[]): void {
  if (!configs.some((c) => c.data_type === "FP32")) return;
  const plan = resolvePrecision(g, configs);
  for (const [node, p] of plan.byNode) {
    if (node.opType !== "Conv" || node.domain !== "" || p.data !== "FP32") continue;
    const entries = configs.flatMap((c, i) =>
      c.data_type === "FP32" && resolvePrecision(g, [c]).byNode.has(node) ? [i] : []
    );
    const field = `quant.layer_configs[${entries[0] ?? 0}].data_type`;
    throw new ConfigError(
      `${entries.map((i) => `quant.layer_configs[${i}]`).join(", ")} set${
        entries.length === 1 ? "s" : ""
      } Conv "${node.name}" to data_type FP32, which pulsar2 refuses for Conv; keep its ` +
        `data_type U8 or U16 (e.g. {"layer_name": "${node.name}", "data_type": "U8"}) and set ` +
        `output_data_type FP32 for a float output`,
      { field },
    );
  }
}
