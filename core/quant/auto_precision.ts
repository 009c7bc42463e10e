/**
 * Automatic mixed precision (`quant.auto_precision`, pulsar2's `highest_mix_precision`):
 * which layers to promote from 8 to 16 bits so the quantized model reaches a target cosine.
 *
 * 1. Layers: every operator row of the precision analysis (a fused chain such as
 *    Conv → Relu is one layer) whose output is quantized and that the user's
 *    `layer_configs` do not set.
 * 2. Sensitivity of a layer: its isolated error (float inputs into the one quantized
 *    layer) at 8 bits minus at 16 bits, measured on the search samples. Promoting a layer
 *    widens its inputs and outputs, and its isolated error depends on nothing else, so
 *    one model with every layer at 16 bits gives every layer's 16-bit error; the
 *    calibration statistics are reused, nothing is calibrated again.
 * 3. Cost of a layer: the latency the target's cost model adds when that layer alone is
 *    promoted (µs). Without a cost model, layers rank by error alone.
 * 4. When the 8-bit model already reaches the target on the held-back samples (the last
 *    quarter of the calibration set, at least one), nothing more is measured; when not
 *    even every layer promoted reaches it, nothing is promoted (latency would be spent
 *    for less than the target). Otherwise,
 *    greedy: try layers in order of error removed per µs (a cost below
 *    {@linkcode MIN_COST_US} counts as that much); a promotion is kept when it raises the
 *    end-to-end cosine on the held-back samples by more than {@linkcode MIN_STEP_GAIN} of
 *    the remaining gap, until that cosine reaches the target, the layer budget
 *    (`max_fraction` of the layers) is spent, {@linkcode MAX_TRIES_PER_BUDGET} × budget
 *    promotions were tried, or no layer is left; a layer whose promotion would exceed
 *    `max_latency_ms` is skipped.
 *
 * The end-to-end cosine of a model is the lowest, over its quantized outputs, of the
 * output's cosine against the float model averaged over the held-back samples.
 *
 * @module
 */
import type { Model, Node } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { LayerConfig } from "../config/build_config.ts";
import { defaultLayerConfig } from "../config/build_defaults.ts";
import { Executor } from "../exec/executor.ts";
import { similarity } from "../report/metrics.ts";
import { QuantEmulator } from "./emulator.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import { chainOf, quantizedOutputs } from "./precision_rows.ts";
import type { Precision } from "./precision.ts";

/** What the search aims for (`quant.auto_precision`). */
export interface AutoPrecisionGoal {
  /** End-to-end cosine to reach on the held-back samples. */
  targetCosine: number;
  /** Latency the promotions may not exceed (cost model, ms). */
  maxLatencyMs?: number;
  /** Largest fraction of the layers that may be promoted. */
  maxFraction: number;
}

/** What the search works with. */
export interface AutoPrecisionInputs {
  /** The float model that was calibrated. */
  model: Model;
  registry: OpRegistry;
  /** The calibration samples (the last quarter is held back). */
  samples: readonly ReadonlyMap<string, Tensor>[];
  /**
   * Quantize with the calibration statistics and `extra` layer configs placed before the
   * user's own (which therefore win where both set a layer).
   */
  quantize: (extra: readonly LayerConfig[]) => QuantModel;
  /** The cost model's latency of a quantized model, ms; absent: no cost model. */
  latencyMs?: (q: QuantModel) => number;
  /** Layers the user's layer_configs set (never promoted by the search). */
  userSet: ReadonlySet<Node>;
  /** The precision a layer is promoted to (default U16). */
  promoted?: Precision;
  /** Progress of each phase (sensitivity, costs, search). */
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** One layer the search may promote. */
export interface Candidate {
  /** Its operators (a fused chain: producers first). */
  readonly nodes: readonly Node[];
  /** Isolated cosine at 8 bits and at the promoted precision, averaged over samples. */
  readonly cosine8: number;
  readonly cosinePromoted: number;
  /** Latency the promotion adds, µs (undefined without a cost model). */
  readonly costUs?: number;
}

/** One step of the search: the layers promoted so far and what they give. */
export interface AutoPrecisionStep {
  /** Layers promoted in total after this step. */
  readonly promoted: number;
  /** The layer this step added (none for the 8-bit start). */
  readonly layer?: string;
  /** End-to-end cosine on the held-back samples. */
  readonly cosine: number;
  /** Cost-model latency, ms (undefined without a cost model). */
  readonly latencyMs?: number;
}

/** What the search found. */
export interface AutoPrecisionResult {
  /** The entries to add to layer_configs (one per promoted layer). */
  readonly layerConfigs: LayerConfig[];
  readonly steps: AutoPrecisionStep[];
  /** Every candidate, in the order the search considered them. */
  readonly ranked: Candidate[];
  /** Why the search stopped. */
  readonly stop: "target" | "budget" | "exhausted" | "unreachable";
  /** Layers the search could promote, and the budget. */
  readonly layers: number;
  readonly budget: number;
  /** Held-back samples the cosine is measured on. */
  readonly heldBack: number;
  /**
   * End-to-end cosine with every layer promoted (the most the search could reach);
   * undefined when the 8-bit model already reaches the target and nothing was searched.
   */
  readonly wideCosine?: number;
  /** Promotions measured on the held-back samples, and those dropped as not gaining. */
  readonly tried?: number;
  readonly rejected?: number;
}

/** Promotions cheaper than this (µs) count as this much, so free ones rank by error. */
export const MIN_COST_US = 0.1;
/**
 * A promotion is kept only when it closes more than this fraction of the remaining gap to
 * the target on the held-back samples: a layer whose isolated gain does not reach the
 * outputs (a cheap layer near the end) would otherwise spend the layer budget.
 */
export const MIN_STEP_GAIN = 0.01;
/** Promotions measured at most, per layer of the budget. */
export const MAX_TRIES_PER_BUDGET = 3;

/** The calibration samples split into search samples and held-back ones (last quarter, ≥ 1). */
export function splitSamples<T>(samples: readonly T[]): { search: T[]; held: T[] } {
  const held = Math.max(1, Math.floor(samples.length / 4));
  if (samples.length <= 1) return { search: [...samples], held: [...samples] };
  return { search: samples.slice(0, samples.length - held), held: samples.slice(-held) };
}

/** The layer_configs entry that promotes one layer. */
export function promotion(nodes: readonly Node[], precision: Precision): LayerConfig {
  const names = nodes.map((n) => n.name);
  return names.length === 1
    ? {
      ...defaultLayerConfig(),
      layer_name: names[0],
      data_type: precision,
      output_data_type: precision,
    }
    : {
      ...defaultLayerConfig(),
      layer_names: names,
      data_type: precision,
      output_data_type: precision,
    };
}

const WHOLE_MODEL = (precision: Precision): LayerConfig => ({
  ...defaultLayerConfig(),
  start_tensor_names: ["DEFAULT"],
  end_tensor_names: ["DEFAULT"],
  data_type: precision,
  output_data_type: precision,
});

/** The layers of `q` the search may promote: quantized operator rows the user left alone. */
function layersOf(q: QuantModel, userSet: ReadonlySet<Node>): Node[][] {
  const g = q.model.graph;
  const producers = g.producers();
  const layers: Node[][] = [];
  for (const node of g.topologicalOrder()) {
    const out = node.outputs[0];
    if (!out || q.fused.has(out) || !activationParams(q, out)) continue;
    const chain = chainOf(node, q.fused, producers);
    if (chain.some((n) => userSet.has(n))) continue;
    layers.push(chain);
  }
  return layers;
}

/** Mean isolated cosine of each layer's output under `emu`, over `samples`. */
function isolatedCosines(
  layers: readonly Node[][],
  emus: readonly QuantEmulator[],
  floatExec: Executor,
  samples: readonly ReadonlyMap<string, Tensor>[],
  progress: (done: number) => void,
): number[][] {
  const sums = emus.map(() => new Array<number>(layers.length).fill(0));
  samples.forEach((feeds, s) => {
    const ref = floatExec.run(feeds, { keep: "all" });
    layers.forEach((chain, k) => {
      const node = chain[chain.length - 1];
      const want = ref.get(node.outputs[0]);
      if (!want) return;
      emus.forEach((emu, e) => {
        const got = emu.runNode(node, (n) => ref.get(n) ?? feeds.get(n))[0];
        sums[e][k] += got ? similarity(asFloat32(got), asFloat32(want)).cosine : 1;
      });
    });
    progress(s + 1);
  });
  return sums.map((row) => row.map((x) => x / Math.max(1, samples.length)));
}

/**
 * The end-to-end cosine of `q` on `samples` against the float outputs `refs`: the lowest
 * over outputs of the output's mean cosine.
 */
export function endToEndCosine(
  q: QuantModel,
  registry: OpRegistry,
  samples: readonly ReadonlyMap<string, Tensor>[],
  refs: readonly ReadonlyMap<string, Tensor>[],
): number {
  const emu = new QuantEmulator(q, registry);
  const outputs = quantizedOutputs(q);
  const sums = new Array<number>(outputs.length).fill(0);
  samples.forEach((feeds, s) => {
    const got = emu.run(feeds);
    outputs.forEach((name, k) => {
      const a = got.get(name);
      const b = refs[s]?.get(name);
      sums[k] += a && b ? similarity(asFloat32(a), asFloat32(b)).cosine : 0;
    });
  });
  return outputs.length ? Math.min(...sums.map((x) => x / samples.length)) : 1;
}

/** Search the layers to promote so the quantized model reaches `goal`. */
export function searchAutoPrecision(
  inputs: AutoPrecisionInputs,
  goal: AutoPrecisionGoal,
): AutoPrecisionResult {
  const { model, registry } = inputs;
  const promoted = inputs.promoted ?? "U16";
  const progress = inputs.onProgress ?? (() => {});
  const { search, held } = splitSamples(inputs.samples);
  const floatExec = new Executor(model, registry);
  const latency = inputs.latencyMs;
  const refs = held.map((feeds) => floatExec.run(feeds));
  const measure = (extra: LayerConfig[], layer?: string): AutoPrecisionStep => {
    const q = inputs.quantize(extra);
    return {
      promoted: extra.length,
      layer,
      cosine: endToEndCosine(q, registry, held, refs),
      latencyMs: latency?.(q),
    };
  };
  const steps = [measure([])];
  const base = inputs.quantize([]);
  const layers = layersOf(base, inputs.userSet);
  const budget = Math.max(1, Math.floor(goal.maxFraction * layers.length));
  const result = { steps, layers: layers.length, budget, heldBack: held.length };
  if (steps[0].cosine >= goal.targetCosine) {
    return { ...result, layerConfigs: [], ranked: [], stop: "target" };
  }
  const wide = inputs.quantize([WHOLE_MODEL(promoted)]);
  const wideCosine = endToEndCosine(wide, registry, held, refs);
  if (wideCosine < goal.targetCosine) {
    return { ...result, layerConfigs: [], ranked: [], stop: "unreachable", wideCosine };
  }
  const [cos8, cosWide] = isolatedCosines(
    layers,
    [new QuantEmulator(base, registry), new QuantEmulator(wide, registry)],
    floatExec,
    search,
    (done) => progress("Auto precision: layer sensitivity", done, search.length),
  );
  const baseMs = steps[0].latencyMs;
  const candidates: Candidate[] = layers.map((nodes, k) => {
    let costUs: number | undefined;
    if (latency && baseMs !== undefined) {
      costUs = (latency(inputs.quantize([promotion(nodes, promoted)])) - baseMs) * 1000;
      progress("Auto precision: layer cost", k + 1, layers.length);
    }
    return { nodes, cosine8: cos8[k], cosinePromoted: cosWide[k], costUs };
  });
  const gain = (c: Candidate) => c.cosinePromoted - c.cosine8;
  const value = (c: Candidate) => gain(c) / Math.max(MIN_COST_US, c.costUs ?? MIN_COST_US);
  const ranked = candidates.filter((c) => gain(c) > 0).sort((a, b) => value(b) - value(a));
  const chosen: LayerConfig[] = [];
  let stop: AutoPrecisionResult["stop"] = "exhausted";
  const maxTries = MAX_TRIES_PER_BUDGET * budget;
  let tried = 0;
  let rejected = 0;
  for (const c of ranked) {
    const last = steps[steps.length - 1];
    if (last.cosine >= goal.targetCosine) {
      stop = "target";
      break;
    }
    if (chosen.length >= budget) {
      stop = "budget";
      break;
    }
    if (tried >= maxTries) break;
    const entry = promotion(c.nodes, promoted);
    const next = [...chosen, entry];
    if (goal.maxLatencyMs !== undefined && latency) {
      if (latency(inputs.quantize(next)) > goal.maxLatencyMs) continue;
    }
    progress("Auto precision: search", ++tried, Math.min(maxTries, ranked.length));
    const step = measure(next, c.nodes.map((n) => n.name).join(" + "));
    if (step.cosine - last.cosine <= MIN_STEP_GAIN * (goal.targetCosine - last.cosine)) {
      rejected++;
      continue;
    }
    chosen.push(entry);
    steps.push(step);
  }
  const final = steps[steps.length - 1];
  if (final.cosine >= goal.targetCosine) stop = "target";
  else if (stop === "exhausted" && chosen.length >= budget) stop = "budget";
  return { ...result, layerConfigs: chosen, ranked, stop, wideCosine, tried, rejected };
}
