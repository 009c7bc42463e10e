/**
 * What the hazard lint reads, gathered from a quantization: each activation's effective
 * precision and range, and the per-channel ranges of large-kernel depthwise inputs
 * (measured on a few calibration samples, only when the model has such a layer).
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import { asFloat32, type Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { TensorStats } from "./calibrate.ts";
import type { QuantModel } from "./quant_model.ts";
import {
  type ChannelRanges,
  depthwiseInputs,
  observeChannels,
  type TensorView,
} from "./hazards.ts";

/**
 * Samples the per-channel ranges are measured on: channel outliers are a property of the
 * layer, seen on any natural input, and the extra float runs stay short.
 */
const CHANNEL_SAMPLES = 4;

/**
 * Each activation as the quantization `q` represents it: its type and the range its
 * parameters cover; float tensors with their observed range. A tensor fused into its
 * Relu/Clip reader is seen as that reader's output, whose codes it is written in.
 */
export function tensorViews(
  q: QuantModel,
  stats: ReadonlyMap<string, TensorStats>,
): Map<string, TensorView> {
  const consumers = q.model.graph.consumers();
  const viewOf = (name: string): TensorView | undefined => {
    const a = q.activations.get(name);
    const s = stats.get(name);
    if (a?.kind === "quant" && a.qtype !== "S32") {
      return { precision: a.qtype, min: a.min, max: a.max };
    }
    if (a?.kind === "float" && s) return { precision: "FP32", ...s.observed };
    return undefined;
  };
  const views = new Map<string, TensorView>();
  for (const name of stats.keys()) {
    const reader = q.fused.has(name) ? consumers.get(name)?.[0]?.outputs[0] : undefined;
    const v = viewOf(reader ?? name);
    if (v) views.set(name, v);
  }
  return views;
}

/**
 * Per-channel ranges of the large-kernel depthwise inputs of `model` over the first
 * calibration samples; empty (and no run) when the model has no such layer.
 */
export function measureDepthwiseChannels(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
): Map<string, ChannelRanges> {
  const wanted = new Set(depthwiseInputs(model.graph));
  const out = new Map<string, ChannelRanges>();
  if (wanted.size === 0) return out;
  const observe = (name: string, t: Tensor) => {
    if (wanted.has(name)) out.set(name, observeChannels(asFloat32(t), t.shape, out.get(name)));
  };
  const exec = new Executor(model, registry);
  for (const feeds of samples.slice(0, CHANNEL_SAMPLES)) {
    for (const [name, t] of feeds) observe(name, t);
    exec.run(feeds, { onValue: observe });
  }
  return out;
}
