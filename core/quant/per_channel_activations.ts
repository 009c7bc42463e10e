/**
 * Per-channel activation scales (Horizon's `calibration_parameters.per_channel: True`,
 * "per-channel featuremap calibration", spec `horizon.md` §5.4, §8): a symmetric 8-bit
 * feature map gets one scale per channel (axis 1) instead of one per tensor.
 *
 * Scale of channel c: `min(s, amax_c / 127)`, where `s` is the per-tensor scale the
 * calibration method chose and `amax_c` the channel's observed max |x|. With `max`
 * calibration this is `amax_c / 127`; with a method that clips (kl, `max_percentile`) a
 * channel within the clipped range keeps its whole range, and a wider one is clipped where
 * the tensor was: no channel is clipped harder or quantized coarser than per tensor. (A
 * clip in proportion, `s · amax_c / amax`, would clip ordinary channels as hard as the
 * outlier channels that set `amax`: resnet18 with kl fell to cosine 0.64.) A channel never
 * seen non-zero keeps `s`.
 *
 * Which tensors: quantized S8 (zero point 0) with parameters of their own — not a graph
 * input (its codes are fixed by the runtime format), and not shared by a data-movement
 * operator (Reshape, Transpose, MaxPool…), whose codes would have to keep a channel axis
 * it may move — written by a Conv (or by the Relu/Clip fused into one) and read only by
 * Convs. No integer kernel takes per-channel inputs: their readers run as the QDQ file
 * means, in float between dequantize and quantize — in the emulator as in onnxruntime,
 * whose Conv group selector leaves a Conv with per-axis activation parameters in float.
 * Its other selectors do not check for them: onnxruntime 1.22 fuses a residual Add with
 * a per-axis input or output into QLinearAdd and then refuses the model ("Scale and
 * Zero-point must be a scalar", mobilenet_v2), so tensors next to any other operator stay
 * per tensor and the file runs in plain onnxruntime.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import { Executor } from "../exec/executor.ts";
import type { ActivationQuant, QuantModel } from "./quant_model.ts";
import { QRANGE } from "./numeric.ts";

/** The channel axis of feature maps (NCHW, and the feature axis of `[N, K]`). */
const AXIS = 1;

/** The operator next to which onnxruntime keeps per-axis activations correct (module note). */
const CONV = "Conv";

/**
 * The activations of `q` that may be quantized per channel (see the module note), by
 * name.
 */
export function perChannelCandidates(q: QuantModel): Set<string> {
  const g = q.model.graph;
  const producers = g.producers();
  const consumers = g.consumers();
  const writtenByConv = (name: string) => {
    const p = producers.get(name);
    if (p?.opType === CONV) return true;
    const x = p?.inputs[0];
    return (p?.opType === "Relu" || p?.opType === "Clip") && !!x && q.fused.has(x) &&
      producers.get(x)?.opType === CONV;
  };
  const shared = new Set<string>();
  for (const [name, a] of q.activations) {
    if (a.kind === "quant" && a.dominator !== name) shared.add(a.dominator);
  }
  const out = new Set<string>();
  for (const [name, a] of q.activations) {
    if (
      a.kind === "quant" && a.qtype === "S8" && a.zeroPoint === 0 && a.state === "ACTIVATED" &&
      !shared.has(name) && !g.isInput(name) && writtenByConv(name) &&
      (consumers.get(name) ?? []).every((c) => c.opType === CONV && c.domain === "")
    ) {
      out.add(name);
    }
  }
  return out;
}

/**
 * Per-channel max |x| (channel axis 1) of the tensors `names` of the float `model` over
 * `samples`. Tensors of rank below 2 are left out.
 */
export function channelAbsMax(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  names: ReadonlySet<string>,
  registry: OpRegistry,
): Map<string, Float32Array> {
  const exec = new Executor(model, registry);
  const out = new Map<string, Float32Array>();
  const observe = (name: string, t: Tensor) => {
    if (!names.has(name) || t.rank < 2) return;
    const c = t.shape[AXIS];
    const inner = t.shape.slice(AXIS + 1).reduce((a, b) => a * b, 1);
    let m = out.get(name);
    if (!m || m.length !== c) {
      m = new Float32Array(c);
      out.set(name, m);
    }
    const v = asFloat32(t);
    for (let i = 0; i < v.length; i++) {
      const ch = Math.floor(i / inner) % c;
      const a = Math.abs(v[i]);
      if (a > m[ch]) m[ch] = a;
    }
  };
  for (const feeds of samples) {
    for (const [name, t] of feeds) observe(name, t);
    exec.run(feeds, { onValue: observe });
  }
  return out;
}

/** What {@linkcode withPerChannelActivations} changed. */
export interface PerChannelResult {
  /** The quantized model with per-channel activations (the input is not modified). */
  readonly quant: QuantModel;
  /** The tensors now quantized per channel. */
  readonly tensors: readonly string[];
}

/**
 * Quantize the candidates of `q` (`perChannelCandidates`) that `absMax` has statistics
 * for per channel.
 *
 * @param absMax per-channel max |x| by tensor (`channelAbsMax`)
 */
export function withPerChannelActivations(
  q: QuantModel,
  absMax: ReadonlyMap<string, Float32Array>,
): PerChannelResult {
  const activations = new Map(q.activations);
  const tensors: string[] = [];
  for (const name of perChannelCandidates(q)) {
    const a = q.activations.get(name);
    const m = absMax.get(name);
    if (a?.kind !== "quant" || !m || m.length < 2) continue;
    if (!m.some((c) => c > 0)) continue;
    const top = QRANGE.S8.max;
    const scales = Float32Array.from(
      m,
      (c) => (c > 0 ? Math.fround(Math.min(a.scale, c / top)) : a.scale),
    );
    const perChannel: ActivationQuant = { ...a, channels: { axis: AXIS, scales } };
    activations.set(name, perChannel);
    tensors.push(name);
  }
  return { quant: { ...q, activations }, tensors };
}
