/**
 * The automatic mixed precision step of the quantization stage (`quant.auto_precision`,
 * and pulsar2's `quant.highest_mix_precision`): after calibration, search the layers to
 * promote to U16 (`core/quant/auto_precision.ts`), print the chosen `layer_configs` as JSON
 * users can paste and a table of the steps (layers promoted, cosine, estimated latency);
 * the stage then quantizes with those entries placed before the user's `layer_configs`,
 * so the user's own entries win.
 *
 * `highest_mix_precision` alone means `auto_precision` with `target_cosine`
 * {@linkcode HIGHEST_MIX_TARGET_COSINE} and the default `max_fraction`: pulsar2 documents the
 * switch without a number, and 0.99 is the cosine its own `compiler.check` and the issue's
 * acceptance treat as good.
 *
 * Latency comes from the target's cost model (`Target.cost`) over the whole model as one
 * NPU subgraph at batch 1 on the build's cores, with the promoted tensors marked 16-bit
 * (`TargetSubgraph.activationBits`). A target without a `cost` hook ranks layers by the
 * error they remove alone, and the log says so.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import { opsetOf } from "../ir/opset.ts";
import type { LayerConfig, QuantConfig } from "../config/build_config.ts";
import { DEFAULT_AUTO_PRECISION_MAX_FRACTION } from "../config/build_defaults.ts";
import type { Logger } from "../util/log.ts";
import type { ProgressBar, ProgressDisplay } from "../util/progress.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import { resolvePrecision } from "../quant/precision.ts";
import {
  type AutoPrecisionGoal,
  type AutoPrecisionResult,
  searchAutoPrecision,
} from "../quant/auto_precision.ts";
import { formatTable } from "../report/table.ts";
import type { Target, TargetSubgraph } from "../../targets/target.ts";

/** The `target_cosine` that `highest_mix_precision` stands for. */
export const HIGHEST_MIX_TARGET_COSINE = 0.99;

/** The search goal of a quant config, or undefined when neither switch is set. */
export function autoPrecisionGoal(q: QuantConfig): AutoPrecisionGoal | undefined {
  const a = q.auto_precision;
  if (a) {
    return {
      targetCosine: a.target_cosine,
      maxFraction: a.max_fraction,
      ...(a.max_latency_ms === undefined ? {} : { maxLatencyMs: a.max_latency_ms }),
    };
  }
  if (q.highest_mix_precision) {
    return {
      targetCosine: HIGHEST_MIX_TARGET_COSINE,
      maxFraction: DEFAULT_AUTO_PRECISION_MAX_FRACTION,
    };
  }
  return undefined;
}

/** What {@linkcode runAutoPrecision} needs. */
export interface AutoPrecisionStageOptions {
  registry: OpRegistry;
  log: Logger;
  print?: (text: string) => void;
  display: ProgressDisplay;
  /** The target whose cost model prices the promotions (absent: rank by error only). */
  target?: Target;
  /** NPU cores the model is compiled for (default 1). */
  cores?: number;
}

/**
 * A latency function of the target's cost model over the whole model, or undefined when
 * the target has no `cost` hook.
 */
function latencyOf(
  model: Model,
  registry: OpRegistry,
  target: Target | undefined,
  cores: number,
): ((q: QuantModel) => number) | undefined {
  const cost = target?.cost;
  if (!target || !cost) return undefined;
  const types = inferShapes(model, registry).types;
  const nodes = model.graph.topologicalOrder();
  const opset = opsetOf(model, "");
  return (q) => {
    const activationBits = new Map<string, number>();
    for (const [name, a] of q.activations) {
      if (a.kind === "float") activationBits.set(name, 32);
      else if (a.qtype === "U16" || a.qtype === "S16") activationBits.set(name, 16);
    }
    const sub: TargetSubgraph = { graph: model.graph, nodes, types, opset, activationBits };
    return cost.call(target, sub, { batch: 1, cores }).latencySeconds * 1000;
  };
}

/**
 * Search the layers to promote and report them.
 *
 * @param quantize quantizes with the calibration statistics and the given layer configs
 * @returns the entries to place before the user's `layer_configs`
 */
export function runAutoPrecision(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  q: QuantConfig,
  quantize: (configs: readonly LayerConfig[]) => QuantModel,
  opts: AutoPrecisionStageOptions,
): LayerConfig[] {
  const goal = autoPrecisionGoal(q);
  if (!goal) return [];
  const { log, registry } = opts;
  let latencyMs = latencyOf(model, registry, opts.target, opts.cores ?? 1);
  try {
    latencyMs?.(quantize(q.layer_configs));
  } catch (e) {
    // the whole model as one subgraph can hold operators the cost model cannot price
    log.warn(`auto precision: the cost model of ${opts.target?.name} failed (${e}); ignoring it`);
    latencyMs = undefined;
  }
  if (!latencyMs) {
    log.warn(
      `auto precision: target ${
        opts.target?.name ?? "(none)"
      } has no cost model; layers are ranked by the error they remove alone`,
    );
  }
  const userSet = new Set(resolvePrecision(model.graph, q.layer_configs).byNode.keys());
  let bar: { phase: string; bar: ProgressBar } | undefined;
  const onProgress = (phase: string, done: number, total: number) => {
    if (bar?.phase !== phase) {
      bar?.bar.finish();
      bar = { phase, bar: opts.display.bar(phase, total) };
    }
    bar.bar.update(done);
  };
  const result = searchAutoPrecision({
    model,
    registry,
    samples,
    quantize: (extra) => quantize([...extra, ...q.layer_configs]),
    latencyMs,
    userSet,
    onProgress,
  }, goal);
  bar?.bar.finish();
  report(result, goal, opts);
  return result.layerConfigs;
}

/** The entries as users write them: only the fields that differ from the defaults. */
function pasteable(configs: readonly LayerConfig[]): string {
  return JSON.stringify(
    configs.map((c) =>
      c.layer_name
        ? { layer_name: c.layer_name, data_type: c.data_type }
        : { layer_names: c.layer_names, data_type: c.data_type }
    ),
    null,
    2,
  );
}

function report(r: AutoPrecisionResult, goal: AutoPrecisionGoal, opts: AutoPrecisionStageOptions) {
  const { log } = opts;
  const ms = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(3));
  opts.print?.(formatTable(
    r.steps.map((s) => [
      String(s.promoted),
      s.layer ?? "(U8 as calibrated)",
      s.cosine.toFixed(5),
      ms(s.latencyMs),
    ]),
    {
      title:
        `Auto Precision Steps (target cosine ${goal.targetCosine}, held-back samples ${r.heldBack})`,
      header: ["Promoted", "Layer (U16)", "Cosine", "Latency ms"],
    },
  ));
  const first = r.steps[0];
  const last = r.steps[r.steps.length - 1];
  const why = {
    target: "target reached",
    budget: `layer budget spent (${r.budget} of ${r.layers} layers)`,
    exhausted: "no layer left that gains within the limits",
    unreachable: "out of reach at U16",
  }[r.stop];
  log.info(
    `auto precision: ${r.layerConfigs.length} of ${r.layers} layers to U16, cosine ${
      first.cosine.toFixed(5)
    } -> ${last.cosine.toFixed(5)}, latency ${ms(first.latencyMs)} -> ${
      ms(last.latencyMs)
    } ms (${why}; ${r.tried ?? 0} tried, ${r.rejected ?? 0} dropped as not gaining)`,
  );
  if (r.wideCosine !== undefined) {
    log.info(`auto precision: every layer at U16 would give cosine ${r.wideCosine.toFixed(5)}`);
  }
  if (r.stop !== "target") {
    log.warn(
      `auto precision: target cosine ${goal.targetCosine} not reached (${
        last.cosine.toFixed(5)
      }); ${
        r.stop === "unreachable"
          ? "promoting every layer to U16 does not reach it either, so none is promoted; lower target_cosine or find the cause with quant.precision_analysis"
          : "raise quant.auto_precision.max_fraction or max_latency_ms, or check the model with quant.precision_analysis"
      }`,
    );
  }
  if (r.layerConfigs.length) {
    opts.print?.(
      `auto precision layer_configs (paste into quant.layer_configs):\n${
        pasteable(r.layerConfigs)
      }`,
    );
  }
}
