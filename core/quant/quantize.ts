/**
 * Quantization: from a float model, calibration statistics and the precision plan to a
 * {@linkcode QuantModel} — parameters for every float activation, S8 per-channel
 * weights and S32 biases. Which operator does what comes from the operator capability
 * table (`op_capabilities.ts`).
 *
 * Rules:
 * - a producer whose integer kernel may fuse an activation (Conv, ConvTranspose, Gemm,
 *   MatMul, Add) and whose output's only reader is a Relu, or a Clip with constant
 *   bounds, is `fused` — it requantizes straight into the activation's output
 *   parameters — when its kernel accepts the node as this quantizer will produce it, in
 *   both emulation arithmetics (`kernel_applicability.ts`; e.g. an Add needs two
 *   quantized activations, so `x + 3` before a Clip keeps parameters of its own);
 * - operators with shared parameters (data movement) share their input's parameters; a
 *   chain of them forms one group whose precision is the highest any member needs
 *   (their own layer_configs setting is ignored, as pulsar2 documents); a member that
 *   writes a constant of its own (Pad's fill value) widens the group's range to cover it;
 * - a tensor's precision is its producer's output precision raised to what its
 *   consumers ask for (U8 < U16 < FP32);
 * - weights are S8 symmetric per output channel along the axis of the operator's
 *   weight rule (Conv 0, ConvTranspose 1, Gemm/MatMul the output-column axis), a
 *   channel's max |w| is raised to `refine_weight_threshold` when that is positive;
 *   biases are S32 with scale `s_x · s_w[c]` unless `conv_bias_data_type` is FP32
 *   (`quantize_weights.ts`).
 *
 * @module
 */
import type { Graph, Model } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import type { ActivationQuant, QuantModel } from "./quant_model.ts";
import type { TensorStats } from "./calibrate.ts";
import { type CalibrationMethod, percentileRange, rangeFor } from "./range_methods.ts";
import { affineFromRange, QRANGE } from "./numeric.ts";
import { higher, type Precision, precisionOf, type PrecisionPlan } from "./precision.ts";
import { nodeCapabilities } from "./op_capabilities.ts";
import { fuses, fusionPartner, type Operand } from "./kernel_applicability.ts";
import { planWeights, quantizeConstants, type WeightPlan } from "./quantize_weights.ts";
import {
  ASYMMETRIC_NUMERIC,
  inScheme,
  type NumericModel,
  wideTailTensors,
} from "./numeric_model.ts";

export { quantizeBias, quantizeWeight } from "./quantize_weights.ts";

/** Options of {@linkcode quantizeModel}. */
export interface QuantizeOptions {
  /** Method that turns each tensor's statistics into a range (`quant.calibration_method`). */
  method: CalibrationMethod;
  /** Per-node precision resolved from `quant.layer_configs` (default U8). */
  precision: PrecisionPlan;
  /** `quant.conv_bias_data_type`. */
  biasDataType: "S32" | "FP32";
  /** `quant.refine_weight_threshold` (≤ 0 disables). */
  refineWeightThreshold: number;
  /** The target's activation scheme (default: U8/U16 asymmetric). */
  numeric?: NumericModel;
  /** The kept fraction of the Percentile method (default `PERCENTILE`, 0.9999). */
  percentile?: number;
  /**
   * Activations whose parameters are known rather than calibrated (an input that already
   * holds integer codes, such as Horizon's `value − 128` image data: S8, scale 1).
   */
  fixedActivations?: ReadonlyMap<string, FixedActivation>;
  /**
   * Tensors kept in float whatever their precision plan says (a hybrid target's CPU
   * operators whose results no NPU operator reads).
   */
  floatTensors?: ReadonlySet<string>;
  /** Tensors whose precision is set outright (e.g. Horizon's `model_output_type int16`). */
  tensorPrecision?: ReadonlyMap<string, Precision>;
}

/** Parameters of an activation fixed by the caller. */
export interface FixedActivation {
  /** Code type. */
  readonly qtype: "U8" | "S8" | "U16" | "S16";
  /** Real value of one code step. */
  readonly scale: number;
  /** Code of real zero. */
  readonly zeroPoint: number;
}

/** Quantize `model` with calibration statistics `stats`. */
export function quantizeModel(
  model: Model,
  stats: ReadonlyMap<string, TensorStats>,
  opts: QuantizeOptions,
): QuantModel {
  const g = model.graph;
  const consumers = g.consumers();
  const groups = sharedGroups(g, stats);
  const opset = opsetOf(model, "");
  const fills = groupFills(g, stats, groups, opset);
  const numeric = opts.numeric ?? ASYMMETRIC_NUMERIC;
  const precision = groupPrecisions(g, stats, groups, opts.precision);
  for (const [t, p] of opts.tensorPrecision ?? []) {
    if (stats.has(t)) precision.set(groups.find(t), p);
  }
  const keptFloat = wideTailTensors(g, numeric);
  for (const t of opts.floatTensors ?? []) keptFloat.add(t);
  for (const t of keptFloat) {
    if (stats.has(t)) precision.set(groups.find(t), "FP32");
  }
  const precisionOfTensor = (name: string) =>
    inScheme(precision.get(groups.find(name)) ?? "U8", numeric);
  const isQuantized = (name: string) => stats.has(name) && precisionOfTensor(name) !== "FP32";
  const plan = planWeights(g, {
    isQuantized,
    floatWeights: (n) => precisionOf(opts.precision, n).weight === "FP32",
    biasDataType: opts.biasDataType,
  });
  const operandOf = plannedOperands(g, isQuantized, plan);
  const fused = new Set<string>();
  for (const n of g.nodes) {
    const out = n.outputs[0];
    if (!out || !stats.has(out) || keptFloat.has(out)) continue;
    const act = fusionPartner(g, consumers, n, operandOf);
    if (act && fuses(n, act, opset, operandOf)) fused.add(out);
  }
  const activations = new Map<string, ActivationQuant>();
  for (const name of stats.keys()) {
    if (fused.has(name)) continue;
    const root = groups.find(name);
    const prec = precisionOfTensor(name);
    if (prec === "FP32") {
      activations.set(name, { kind: "float" });
      continue;
    }
    const fixed = opts.fixedActivations?.get(root);
    const s = stats.get(root) ?? stats.get(name)!;
    const r = fixed ? fixedRange(fixed) : covering(
      opts.method === "Percentile" && opts.percentile !== undefined && s.histogram
        ? percentileRange(s.histogram, s.observed, opts.percentile)
        : rangeFor(opts.method, s.observed, s.histogram, prec),
      fills.get(root),
    );
    const a = fixed ?? affineFromRange(r.min, r.max, prec);
    activations.set(name, {
      kind: "quant",
      qtype: fixed?.qtype ?? prec,
      scale: a.scale,
      zeroPoint: a.zeroPoint,
      min: r.min,
      max: r.max,
      state: root === name ? "ACTIVATED" : "OVERLAPPED",
      dominator: root,
    });
  }
  const constants = quantizeConstants(g, plan, activations, opts.refineWeightThreshold);
  return { model, activations, constants, fused };
}

/** `r` widened to include `values`. */
function covering(
  r: { min: number; max: number },
  values: readonly number[] | undefined,
): { min: number; max: number } {
  if (!values) return r;
  return { min: Math.min(r.min, ...values), max: Math.max(r.max, ...values) };
}

/**
 * The constants each shared group's members write of their own (a constant-mode Pad's fill
 * value), per group root. The group's range is widened to cover them rather than giving
 * such a node parameters of its own: the node then stays a pure move of codes, the fill
 * value's code is exact instead of saturating at the end of its input's range (-1 padded
 * after a Softplus would read 0), and no requantization (a rounding of every value, not
 * only the padded ones) enters a chain the table promises to run on codes. The price is a
 * coarser step for the group when the value lies outside the calibrated range.
 */
function groupFills(
  g: Graph,
  stats: ReadonlyMap<string, TensorStats>,
  groups: Groups,
  opset: number,
): Map<string, number[]> {
  const fills = new Map<string, number[]>();
  for (const n of g.nodes) {
    const fill = nodeCapabilities(n).fill;
    const out = n.outputs[0];
    if (!fill || !n.inputs[0] || !stats.has(n.inputs[0]) || !out || !stats.has(out)) continue;
    const v = fill(n, opset, (name) => g.initializers.get(name));
    if (v === undefined || !Number.isFinite(v)) continue;
    const root = groups.find(out);
    fills.set(root, [...(fills.get(root) ?? []), v]);
  }
  return fills;
}

/** The float range the codes of fixed parameters cover. */
function fixedRange(f: FixedActivation): { min: number; max: number } {
  const r = QRANGE[f.qtype];
  return { min: (r.min - f.zeroPoint) * f.scale, max: (r.max - f.zeroPoint) * f.scale };
}

/**
 * Each group's precision: a tensor's producer's output precision (U8 for graph inputs
 * and shared-parameter producers) raised to what its consumers ask for, the highest
 * over the group. Fusion does not change these: a fused tensor is its own group.
 */
function groupPrecisions(
  g: Graph,
  stats: ReadonlyMap<string, TensorStats>,
  groups: Groups,
  plan: PrecisionPlan,
): Map<string, Precision> {
  const producers = g.producers();
  const consumers = g.consumers();
  const precision = new Map<string, Precision>();
  for (const name of stats.keys()) {
    const p = producers.get(name);
    let prec: Precision = "U8";
    if (p && nodeCapabilities(p).scales !== "shared") {
      const np = precisionOf(plan, p);
      prec = p.opType === "Conv" ? np.output : np.data;
    }
    for (const c of consumers.get(name) ?? []) {
      if (nodeCapabilities(c).scales !== "shared") prec = higher(prec, precisionOf(plan, c).data);
    }
    const root = groups.find(name);
    precision.set(root, higher(precision.get(root) ?? prec, prec));
  }
  return precision;
}

/** How each input will be represented, before any parameter exists. */
function plannedOperands(
  g: Graph,
  isQuantized: (name: string) => boolean,
  plan: WeightPlan,
): (name: string) => Operand {
  return (name) => {
    if (!name) return { kind: "absent" };
    const init = g.initializers.get(name);
    if (init) {
      const axis = plan.axes.get(name);
      const codes = axis !== undefined ? { axis } : plan.biases.has(name) ? { axis: 0 } : undefined;
      return { kind: "constant", shape: init.shape, codes };
    }
    return isQuantized(name) ? { kind: "activation" } : { kind: "float" };
  };
}

/** Union-find over tensors joined by shared-parameter operators. */
class Groups {
  readonly #parent = new Map<string, string>();
  find(x: string): string {
    let r = x;
    while (this.#parent.has(r)) r = this.#parent.get(r)!;
    return r;
  }
  /** Attach `child`'s group under `root`'s group. */
  join(child: string, root: string): void {
    const a = this.find(child);
    const b = this.find(root);
    if (a !== b) this.#parent.set(a, b);
  }
}

/**
 * Groups of tensors joined by shared-parameter operators (output joins input 0). A
 * fused tensor never joins one: its only reader is a Relu/Clip, which owns its scales.
 */
function sharedGroups(g: Graph, stats: ReadonlyMap<string, TensorStats>): Groups {
  const groups = new Groups();
  for (const n of g.topologicalOrder()) {
    if (nodeCapabilities(n).scales !== "shared") continue;
    const input = n.inputs[0];
    if (!input || !stats.has(input)) continue;
    for (const o of n.outputs) if (o && stats.has(o)) groups.join(o, input);
  }
  return groups;
}
