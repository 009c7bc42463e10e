/**
 * Bias correction (Horizon's `optimization: bias_correction`): the quantized layer's
 * output is shifted on average by the rounding of its weights and inputs; subtracting
 * that shift per output channel from the bias removes it.
 *
 * For every Conv/Gemm/MatMul with S32 bias codes, on the calibration samples:
 * `e[c] = mean(Y_q[c] − Y_f[c])`, where `Y_f` is the float layer on its float input and
 * `Y_q` the layer with dequantized weights on the input the emulated quantized model
 * gives it (so the error accumulated upstream is part of what is corrected). The bias
 * codes become those of `b − e` with the same scale; the float initializer is untouched,
 * so the float reference stays the original model. One pass: every layer's input comes
 * from the same emulation, before any correction.
 *
 * @module
 */
import type { Tensor } from "../../ir/tensor.ts";
import { asFloat32, f32 } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { QuantModel } from "../quant_model.ts";
import { activationParams } from "../quant_model.ts";
import { quantizeBias } from "../quantize_weights.ts";
import {
  collectValues,
  dequantizedWeight,
  forChannels,
  LayerKernel,
  outputChannelAxis,
  weightedLayers,
} from "./layers.ts";

/** What {@linkcode correctBias} did. */
export interface BiasCorrectionReport {
  /** Layers whose bias codes changed. */
  readonly layers: number;
  /** Largest mean output shift removed, |e[c]| over all layers and channels. */
  readonly largestShift: number;
}

/** `q` with every coded bias corrected by the mean quantization error of its layer's output. */
export function correctBias(
  q: QuantModel,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
): { quant: QuantModel; report: BiasCorrectionReport } {
  const layers = weightedLayers(q).filter((l) => l.bias);
  const g = q.model.graph;
  const names = new Set(layers.map((l) => l.input));
  const floatIn = collectValues({ float: q.model }, samples, names, registry);
  const quantIn = collectValues({ quant: q }, samples, names, registry);
  const constants = new Map(q.constants);
  let largestShift = 0;
  let changed = 0;
  for (const l of layers) {
    const kernel = new LayerKernel(q.model, l.node, registry);
    const w = g.initializers.get(l.weight)!;
    const b = g.initializers.get(l.bias!)!;
    const wq = dequantizedWeight(q.model, l.weight, q.constants.get(l.weight)!);
    const rest = l.node.inputs.slice(2).map((n) => (n ? g.initializers.get(n) : undefined));
    const channels = b.size;
    const sum = new Float64Array(channels);
    let perChannel = 0;
    const xs = floatIn.get(l.input)!;
    const xq = quantIn.get(l.input)!;
    for (let s = 0; s < xs.length; s++) {
      const yf = kernel.run([xs[s], w, ...rest]);
      const yq = kernel.run([xq[s], wq, ...rest]);
      const shape = outputShape(l.node.opType, xs[s], yf.length, channels);
      forChannels(shape, outputChannelAxis(l.node, shape.length), (c, from, to) => {
        let d = 0;
        for (let i = from; i < to; i++) d += yq[i] - yf[i];
        sum[c] += d;
      });
      perChannel += yf.length / channels;
    }
    if (perChannel === 0) continue;
    const bv = asFloat32(b);
    const corrected = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const e = sum[c] / perChannel;
      corrected[c] = bv[c] - e;
      largestShift = Math.max(largestShift, Math.abs(e));
    }
    const x = activationParams(q, l.input)!;
    const sw = q.constants.get(l.weight)!.scales;
    constants.set(l.bias!, quantizeBias(f32([channels], corrected), x.scale, sw));
    changed++;
  }
  return { quant: { ...q, constants }, report: { layers: changed, largestShift } };
}

/**
 * The output shape of a Conv/Gemm/MatMul with `size` elements and `channels` output
 * channels: Conv keeps batch and channels first, the others flatten to rows × channels.
 */
function outputShape(op: string, x: Tensor, size: number, channels: number): number[] {
  if (op === "Conv") return [x.shape[0], channels, size / (x.shape[0] * channels)];
  return [size / channels, channels];
}
