/**
 * The quantized model: a float graph plus, per tensor, how it is quantized. This is what
 * calibration produces, what the QDQ ONNX file encodes (and decodes back to), and what
 * the integer reference emulator executes.
 *
 * - Activations: asymmetric per tensor (U8/U16) or symmetric (S8/S16, optionally per
 *   channel: `per_channel_activations.ts`), or FP32 (kept
 *   float by layer_configs), or `fused` (an intermediate folded into its consumer, e.g. a
 *   Conv output that feeds only a Relu: the Conv requantizes straight into the Relu's
 *   output parameters).
 * - Weights: S8 symmetric per output channel, stored as integer codes.
 * - Biases: S32 with scale `s_input · s_weight[c]`, stored as integer codes.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { QType } from "./numeric.ts";

/** Quantization state labels, as pulsar2's quant_axmodel.json spells them. */
export type QuantState = "ACTIVATED" | "OVERLAPPED" | "PASSIVE_BAKED" | "BAKED" | "FP32";

/** How one activation tensor is represented. */
export type ActivationQuant =
  | {
    readonly kind: "quant";
    readonly qtype: QType;
    readonly scale: number;
    readonly zeroPoint: number;
    /** Calibrated float range the parameters came from. */
    readonly min: number;
    readonly max: number;
    /** ACTIVATED: own parameters; OVERLAPPED: shares `dominator`'s parameters. */
    readonly state: "ACTIVATED" | "OVERLAPPED";
    /** Tensor whose parameters these are (itself when ACTIVATED). */
    readonly dominator: string;
    /**
     * Per-channel scales (one per index of `axis`, zero point `zeroPoint` for every
     * channel), when the tensor is quantized per channel; `scale` is then the per-tensor
     * scale they refine. Absent: per tensor.
     */
    readonly channels?: ChannelScales;
  }
  | { readonly kind: "float" };

/** Scales of an activation quantized per channel. */
export interface ChannelScales {
  /** The channel axis (1 for NCHW feature maps). */
  readonly axis: number;
  /** One scale per channel. */
  readonly scales: Float32Array;
}

/** An initializer stored as integer codes. */
export interface ConstQuant {
  /** Integer type of the codes. */
  readonly qtype: "S8" | "U8" | "S16" | "U16" | "S32";
  /** One scale per channel along `axis` (a single scale when per-tensor). */
  readonly scales: Float32Array;
  /** Zero point per scale, aligned with `scales`. */
  readonly zeroPoints: Int32Array;
  /** Channel axis, or undefined for per-tensor. */
  readonly axis?: number;
  /** The integer codes, row-major like the float initializer. */
  readonly codes: Int32Array;
  /** BAKED for weights, PASSIVE_BAKED for biases (derived from other scales). */
  readonly state: "BAKED" | "PASSIVE_BAKED";
}

/** A float model with quantization annotations. */
export interface QuantModel {
  /** The float graph (after the frontend passes). Quantized initializers keep their float values. */
  readonly model: Model;
  /** Activation tensors (graph inputs and node outputs of float type). */
  readonly activations: Map<string, ActivationQuant>;
  /** Quantized initializers (weights, biases) by name. */
  readonly constants: Map<string, ConstQuant>;
  /** Node outputs folded into their single consumer (no parameters of their own). */
  readonly fused: Set<string>;
}

/** Parameters of a quantized activation, or undefined for float/unknown tensors. */
export function activationParams(
  q: QuantModel,
  name: string,
): Extract<ActivationQuant, { kind: "quant" }> | undefined {
  const a = q.activations.get(name);
  return a?.kind === "quant" ? a : undefined;
}
