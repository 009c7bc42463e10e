/**
 * Test helpers of the quantizer and the emulator: hand-made quantized models, statistics
 * from given ranges, and calibration of small built models on seeded random inputs.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import { buildModel } from "../ir/builder.ts";
import { f32, Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { seededRandom } from "../util/random.ts";
import type { ActivationQuant, ConstQuant, QuantModel } from "./quant_model.ts";
import type { QType } from "./numeric.ts";
import { calibrate, type TensorStats } from "./calibrate.ts";
import type { PrecisionPlan } from "./precision.ts";
import { quantizeModel, type QuantizeOptions } from "./quantize.ts";

/** One shared registry for the tests. */
export const REGISTRY = defaultRegistry();

/** Per-tensor quantization parameters of an activation dominated by `dominator`. */
export function activationQuant(
  qtype: QType,
  scale: number,
  zeroPoint: number,
  dominator = "",
): Extract<ActivationQuant, { kind: "quant" }> {
  return {
    kind: "quant",
    qtype,
    scale,
    zeroPoint,
    min: 0,
    max: 0,
    state: "ACTIVATED",
    dominator,
  };
}

/** A per-tensor quantized activation with its own parameters. */
export function act(name: string, scale: number, zeroPoint: number, qtype: QType = "U8") {
  const a: ActivationQuant = activationQuant(qtype, scale, zeroPoint, name);
  return [name, a] as const;
}

/** Per-channel codes of a constant (S8 weights; S32 when `qtype` says so). */
export function coded(
  codes: number[],
  scales: number[],
  axis: number,
  qtype: ConstQuant["qtype"] = "S8",
): ConstQuant {
  return {
    qtype,
    scales: Float32Array.from(scales),
    zeroPoints: new Int32Array(scales.length),
    axis,
    codes: Int32Array.from(codes),
    state: qtype === "S32" ? "PASSIVE_BAKED" : "BAKED",
  };
}

/** A QuantModel from its parts. */
export function quantModel(
  model: Model,
  activations: (readonly [string, ActivationQuant])[],
  constants: Record<string, ConstQuant> = {},
  fused: string[] = [],
): QuantModel {
  return {
    model,
    activations: new Map(activations),
    constants: new Map(Object.entries(constants)),
    fused: new Set(fused),
  };
}

/** Statistics whose observed range is the given [min, max] per tensor. */
export function statsOf(ranges: Record<string, [number, number]>): Map<string, TensorStats> {
  return new Map(
    Object.entries(ranges).map(([k, [min, max]]) => [k, { observed: { min, max } }]),
  );
}

/** A precision plan without layer_configs (every operator U8). */
export const DEFAULT_PRECISION: PrecisionPlan = { byNode: new Map(), table: [], unmatched: [] };

/** Quantize with MinMax, U8, S32 biases and no weight threshold unless overridden. */
export function quantizeDefault(
  model: Model,
  stats: ReadonlyMap<string, TensorStats>,
  opts: Partial<QuantizeOptions> = {},
): QuantModel {
  return quantizeModel(model, stats, {
    method: "MinMax",
    precision: DEFAULT_PRECISION,
    biasDataType: "S32",
    refineWeightThreshold: 0,
    ...opts,
  });
}

/** Seeded uniform float32 feeds in [lo, hi) for every runtime input of `model`. */
export function randomFeeds(
  model: Model,
  seed: number,
  lo = -1,
  hi = 1,
): Map<string, Tensor> {
  const rand = seededRandom(seed);
  const feeds = new Map<string, Tensor>();
  for (const v of model.graph.runtimeInputs) {
    if (!v.type || "kind" in v.type || !v.type.shape) throw new Error(`${v.name}: no shape`);
    const shape = v.type.shape.map((d) => (typeof d === "number" ? d : 1));
    const t = new Tensor("f32", shape);
    for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rand();
    feeds.set(v.name, t);
  }
  return feeds;
}

/** Calibrate `model` (MinMax) on `count` seeded random samples in [lo, hi) and quantize it. */
export function calibrateAndQuantize(
  model: Model,
  count: number,
  seed: number,
  lo = -1,
  hi = 1,
): QuantModel {
  const samples = Array.from({ length: count }, (_, i) => randomFeeds(model, seed + i, lo, hi));
  const stats = calibrate(new Executor(model, REGISTRY), samples, { method: "MinMax" });
  return quantizeDefault(model, stats);
}

/** Seeded random float32 values in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/**
 * A model with one layer 8 bits ruin: x → amplify (×100, a huge range) → big1; big1 + d (d
 * small) → big2 (huge range, own scale); `cancel` = big2 − big1 = d, a tiny range computed from
 * two coarsely quantized huge tensors; then triple (×3) and double (×2) → y.
 */
export function cancellingFloatModel(): Model {
  const scalar = (v: number) => f32([], [v]);
  return buildModel({
    name: "cancel",
    opset: 13,
    inputs: [
      { name: "x", dtype: "f32", shape: [1, 64] },
      { name: "d", dtype: "f32", shape: [1, 64] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 64] }],
    nodes: [
      { opType: "Mul", name: "amplify", inputs: ["x", "k100"], outputs: ["big1"] },
      { opType: "Add", name: "offset", inputs: ["big1", "d"], outputs: ["big2"] },
      { opType: "Sub", name: "cancel", inputs: ["big2", "big1"], outputs: ["tiny"] },
      { opType: "Mul", name: "triple", inputs: ["tiny", "k3"], outputs: ["t3"] },
      { opType: "Mul", name: "double", inputs: ["t3", "k2"], outputs: ["y"] },
    ],
    initializers: { k100: scalar(100), k3: scalar(3), k2: scalar(2) },
  });
}
