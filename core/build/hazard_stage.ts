/**
 * The range-hazard lint of `axb build` (`quant.hazards`, `core/quant/hazards.ts`): after
 * calibration, before the quantized model is written. `warn` prints a table and one
 * warning per hazard, each with the `layer_configs` entry that fixes it; `fix` puts
 * those entries in front of the user's `layer_configs` (so that, at equal selector
 * priority, the user's later entries win; a hazard at an operator a user entry already
 * selects is left to the user), logs each, and reports what remains; `off` skips it.
 *
 * @module
 */
import type { Graph, Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { LayerConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import type { TensorStats } from "../quant/calibrate.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { resolvePrecision } from "../quant/precision.ts";
import { type ChannelRanges, findHazards, type Hazard } from "../quant/hazards.ts";
import { measureDepthwiseChannels, tensorViews } from "../quant/hazard_inputs.ts";
import { describeHazard, fixLayerConfig, fixText, hazardTitle } from "../quant/hazard_text.ts";
import { formatTable } from "../report/table.ts";

/** Lints quantizations of one calibrated model. */
export class HazardLint {
  readonly #stats: ReadonlyMap<string, TensorStats>;
  readonly #channels: ReadonlyMap<string, ChannelRanges>;

  /** Measure what the rules need beyond the statistics (depthwise channel ranges). */
  constructor(
    model: Model,
    stats: ReadonlyMap<string, TensorStats>,
    samples: readonly ReadonlyMap<string, Tensor>[],
    registry: OpRegistry,
  ) {
    this.#stats = stats;
    this.#channels = measureDepthwiseChannels(model, samples, registry);
  }

  /** The hazards of quantization `q`. */
  run(q: QuantModel): Hazard[] {
    return findHazards(q.model.graph, {
      tensors: tensorViews(q, this.#stats),
      channels: this.#channels,
    });
  }
}

/**
 * The layer configs to quantize with in `fix` mode: the fixes of `hazards` (logged),
 * then `user`'s entries.
 */
export function withHazardFixes(
  g: Graph,
  user: readonly LayerConfig[],
  hazards: readonly Hazard[],
  log: Logger,
): LayerConfig[] {
  const owned = new Map<string, number>();
  user.forEach((c, i) => {
    for (const n of resolvePrecision(g, [c]).byNode.keys()) owned.set(n.name, i);
  });
  const fixes: LayerConfig[] = [];
  for (const h of hazards) {
    const by = owned.get(h.node);
    const what = `${hazardTitle(h)} at ${h.opType} "${h.node}"`;
    if (by !== undefined) {
      log.info(`quant.hazards fix: ${what} left to quant.layer_configs[${by}], which selects it`);
      continue;
    }
    log.info(`quant.hazards fix: ${what}: applying ${fixText(h.fix)}`);
    fixes.push(fixLayerConfig(h.fix));
  }
  return [...fixes, ...user];
}

/** Print the hazard table and one warning per hazard. */
export function reportHazards(
  hazards: readonly Hazard[],
  opts: { log: Logger; print?: (text: string) => void; afterFix: boolean },
): void {
  const { log, print } = opts;
  if (hazards.length === 0) return;
  print?.(formatTable(
    hazards.map((h) => [h.node, hazardTitle(h), describeHazard(h), fixText(h.fix)]),
    { title: "Quant Hazard Table", header: ["Layer", "Hazard", "Measured", "Fix"] },
  ));
  for (const h of hazards) {
    log.warn(
      `quant hazard: ${hazardTitle(h)} at ${h.opType} "${h.node}": ${describeHazard(h)}; ` +
        (opts.afterFix
          ? `still present after --quant.hazards fix; add ${fixText(h.fix)} to quant.layer_configs`
          : `add ${fixText(h.fix)} to quant.layer_configs or build with --quant.hazards fix`),
    );
  }
}
