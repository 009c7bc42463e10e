/**
 * Weights and biases of the quantized model: which initializers become codes (planned
 * before activation parameters exist, so fusion can ask the integer kernels about them)
 * and the codes themselves — weights S8 symmetric per output channel along the axis the
 * operator capability table gives, biases S32 with scale `s_x · s_w[c]`.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import type { ActivationQuant, ConstQuant } from "./quant_model.ts";
import { QRANGE, roundHalfEven } from "./numeric.ts";
import { nodeCapabilities } from "./op_capabilities.ts";

/** One weighted node whose weight (and bias) become codes. */
export interface WeightUse {
  readonly node: Node;
  /** Weight initializer name. */
  readonly weight: string;
  /** Bias initializer name, when it becomes S32 codes. */
  readonly bias?: string;
}

/** Which initializers become codes, and along which axis. */
export interface WeightPlan {
  /** Weighted nodes in graph order. */
  readonly uses: readonly WeightUse[];
  /** Channel axis of every coded weight (a weight shared by nodes keeps the first one's). */
  readonly axes: ReadonlyMap<string, number>;
  /** Initializers that become S32 bias codes. */
  readonly biases: ReadonlySet<string>;
}

/** What {@linkcode planWeights} needs to know about the node and the options. */
export interface WeightPlanOptions {
  /** True when the value will be a quantized activation. */
  isQuantized(name: string): boolean;
  /** True when the node's weights stay float (`layer_configs` weight precision FP32). */
  floatWeights(node: Node): boolean;
  /** `quant.conv_bias_data_type`. */
  readonly biasDataType: "S32" | "FP32";
}

/**
 * Plan the coded initializers: a node's weight when the node has a weight rule whose
 * axis applies, its first input is a quantized activation and its weights are not
 * FP32; its bias when it has one per weight channel and biases are S32.
 */
export function planWeights(g: Graph, opts: WeightPlanOptions): WeightPlan {
  const uses: WeightUse[] = [];
  const axes = new Map<string, number>();
  const biases = new Set<string>();
  for (const n of g.nodes) {
    const rule = nodeCapabilities(n).weight;
    if (!rule || !n.inputs[0] || !opts.isQuantized(n.inputs[0])) continue;
    const weight = n.inputs[rule.input];
    const w = weight ? g.initializers.get(weight) : undefined;
    if (!w || opts.floatWeights(n)) continue;
    const axis = rule.axis(n, w.shape);
    if (axis === undefined) continue;
    if (!axes.has(weight)) axes.set(weight, axis);
    const channels = w.shape[axes.get(weight)!];
    const bName = rule.bias === undefined ? undefined : n.inputs[rule.bias];
    const b = bName ? g.initializers.get(bName) : undefined;
    const bias = bName && b && opts.biasDataType === "S32" && b.rank === 1 && b.size === channels
      ? bName
      : undefined;
    if (bias) biases.add(bias);
    uses.push({ node: n, weight, bias });
  }
  return { uses, axes, biases };
}

/** Codes of every planned initializer, biases scaled by their node's input scale. */
export function quantizeConstants(
  g: Graph,
  plan: WeightPlan,
  activations: ReadonlyMap<string, ActivationQuant>,
  refineWeightThreshold: number,
): Map<string, ConstQuant> {
  const out = new Map<string, ConstQuant>();
  for (const use of plan.uses) {
    const x = activations.get(use.node.inputs[0]);
    if (x?.kind !== "quant") continue;
    const wq = out.get(use.weight) ??
      quantizeWeight(
        g.initializers.get(use.weight)!,
        plan.axes.get(use.weight)!,
        refineWeightThreshold,
      );
    out.set(use.weight, wq);
    if (use.bias) {
      out.set(use.bias, quantizeBias(g.initializers.get(use.bias)!, x.scale, wq.scales));
    }
  }
  return out;
}

/**
 * S8 symmetric per-channel codes of a weight along `axis`: scale `max|w_c| / 127` (the
 * maximum raised to `threshold` when that is positive), codes rounded half to even and
 * clamped to ±127.
 */
export function quantizeWeight(w: Tensor, axis: number, threshold: number): ConstQuant {
  const v = asFloat32(w);
  const channels = w.shape[axis];
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = w.size / (channels * inner);
  const amax = new Float64Array(channels);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      let m = amax[c];
      for (let i = 0; i < inner; i++) {
        const a = Math.abs(v[base + i]);
        if (a > m) m = a;
      }
      amax[c] = m;
    }
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = threshold > 0 ? Math.max(amax[c], threshold) : amax[c];
    scales[c] = m > 0 ? m / QRANGE.S8.max : 1;
  }
  const codes = new Int32Array(w.size);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const s = scales[c];
      for (let i = 0; i < inner; i++) {
        const q = roundHalfEven(v[base + i] / s);
        codes[base + i] = q < -127 ? -127 : q > 127 ? 127 : q;
      }
    }
  }
  return { qtype: "S8", scales, zeroPoints: new Int32Array(channels), axis, codes, state: "BAKED" };
}

/** S32 codes of a bias with scale `sx · sw[c]`. */
export function quantizeBias(b: Tensor, sx: number, sw: Float32Array): ConstQuant {
  const v = asFloat32(b);
  const scales = new Float32Array(sw.length);
  const codes = new Int32Array(v.length);
  for (let c = 0; c < v.length; c++) {
    scales[c] = sx * sw[c];
    const q = roundHalfEven(v[c] / scales[c]);
    codes[c] = Math.max(QRANGE.S32.min, Math.min(QRANGE.S32.max, q));
  }
  return {
    qtype: "S32",
    scales,
    zeroPoints: new Int32Array(sw.length),
    axis: 0,
    codes,
    state: "PASSIVE_BAKED",
  };
}
