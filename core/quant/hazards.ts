/**
 * Range hazards: places where the default 8-bit activations lose a signal outright even
 * though the overall cosine may look fine (issue 13: a detector's boxes 0–640 and scores
 * 0.47–0.53 concatenated into one U8 tensor turn every score into the same code). Found
 * from the calibrated ranges and each tensor's effective precision, before the quantized
 * model is used, each with the `layer_configs` entry (pulsar2's form) that removes it:
 *
 * - `mixed_range`: a Concat/Add/Sum whose narrowest input keeps fewer than
 *   {@linkcode HAZARD_LIMITS}`.mergeMinCodes` codes of the merged tensor's step;
 * - `bounded_merge`: a Sigmoid/Softmax/HardSigmoid output (probabilities, gates) merged
 *   with a tensor of an unbounded producer, keeping fewer than `boundedMinCodes` codes;
 * - `sensitive_u8`: LayerNormalization, Softmax or Gelu with 8-bit inputs or outputs;
 * - `depthwise_outliers`: a large-kernel depthwise Conv whose input has a few channels
 *   so wide that the median channel keeps fewer than `depthwiseMinCodes` codes.
 *
 * A merge's fix covers the merge and every element-wise or data-movement node after it
 * up to the model outputs when nothing else mixes the channels on the way (a detection
 * head), since a later 8-bit node would merge the ranges again; else the merge alone.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { affineFromRange, QRANGE } from "./numeric.ts";
import type { Precision } from "./precision.ts";
import { nodeCapabilities } from "./op_capabilities.ts";

/**
 * Every threshold of the lint, in one place. Codes are steps of the tensor's quantization:
 * a signal that spans `n` codes can take at most `n + 1` distinct values.
 */
export const HAZARD_LIMITS = {
  /**
   * Below 16 codes (4 bits) a merged input has lost most of its shape; the residual Adds
   * and skip Concats of ordinary CNNs (mobilenet_v2, resnet18) keep far more than that.
   */
  mergeMinCodes: 16,
  /**
   * Probabilities are thresholded and ranked after the model (NMS, top-k), so they need
   * finer steps than a feature map: 64 codes is a step of 1/64 ≈ 0.016 over [0, 1], the
   * coarsest that still separates typical confidence thresholds (0.25 vs 0.3).
   */
  boundedMinCodes: 64,
  /**
   * U16 is the fix for a merge when it gives the narrow input at least the 256 codes a
   * U8 tensor of its own would have; below that only FP32 keeps it.
   */
  u16FixMinCodes: 256,
  /**
   * Depthwise kernels from 5×5 up (ConvNeXt, RepLKNet-style blocks, where outlier
   * channels are reported); the 3×3 depthwise layers of MobileNet-style nets run in U8 in
   * the vendors' own examples.
   */
  depthwiseMinKernelArea: 25,
  /** A depthwise output channel sees one input channel only: its median must keep 16 codes. */
  depthwiseMinCodes: 16,
  /** A channel wider than 8× the median counts as an outlier in the report. */
  outlierFactor: 8,
} as const;

/** Operators whose output lies in [0, 1] whatever their input. */
const BOUNDED_OPS: ReadonlySet<string> = new Set(["Sigmoid", "Softmax", "HardSigmoid"]);
/** Operators that merge their inputs into one tensor of one quantization step. */
const MERGE_OPS: ReadonlySet<string> = new Set(["Concat", "Add", "Sum"]);
/** Operators whose accuracy needs more than 8 bits (normalisation, exponentials). */
const SENSITIVE_OPS: ReadonlySet<string> = new Set(["LayerNormalization", "Softmax", "Gelu"]);
/** Domains of those: the frontend fuses Gelu into onnxruntime's `com.microsoft` one. */
const SENSITIVE_DOMAINS: ReadonlySet<string> = new Set(["", "com.microsoft"]);

/** The activation types a tensor may be quantized to. */
export type ActivationType = Exclude<Precision, "FP32">;

/** What the lint knows about one activation tensor. */
export interface TensorView {
  /** Effective precision (FP32 when it stays float). */
  readonly precision: Precision;
  /** Low end of the range its codes cover (the observed range when it stays float). */
  readonly min: number;
  /** High end of that range. */
  readonly max: number;
}

/** Observed per-channel ranges of one NCHW tensor. */
export interface ChannelRanges {
  /** Lowest value per channel. */
  readonly min: Float32Array;
  /** Highest value per channel. */
  readonly max: Float32Array;
}

/** What {@linkcode findHazards} reads besides the graph. */
export interface HazardInputs {
  /** Every activation the quantizer sees, by tensor name. */
  readonly tensors: ReadonlyMap<string, TensorView>;
  /** Per-channel ranges of large-kernel depthwise inputs ({@linkcode depthwiseInputs}). */
  readonly channels?: ReadonlyMap<string, ChannelRanges>;
}

/** A `quant.layer_configs` entry in pulsar2's form, with only the fields it sets. */
export type HazardFix =
  | { readonly layer_name: string; readonly data_type: "U16" | "FP32" }
  | { readonly layer_names: readonly string[]; readonly data_type: "U16" | "FP32" };

/** A tensor and its observed range. */
export interface RangedTensor {
  /** Tensor name. */
  readonly tensor: string;
  /** Lowest value observed. */
  readonly min: number;
  /** Highest value observed. */
  readonly max: number;
}

/** Fields every hazard has. */
export interface HazardBase {
  /** The node at fault (a `layer_name` of the optimized model). */
  readonly node: string;
  /** Its op type. */
  readonly opType: string;
  /** The entry that removes it. */
  readonly fix: HazardFix;
}

/** One hazard, with the numbers it was found from. */
export type Hazard =
  | HazardBase & {
    readonly kind: "mixed_range" | "bounded_merge";
    /** The widest input and the input that loses its codes. */
    readonly wide: RangedTensor;
    readonly narrow: RangedTensor;
    /** Span of the merged tensor over the narrow input's span. */
    readonly ratio: number;
    /** Codes of the merged tensor's step the narrow input spans. */
    readonly codes: number;
    readonly precision: ActivationType;
  }
  | HazardBase & {
    readonly kind: "sensitive_u8";
    readonly input: RangedTensor;
    readonly precision: ActivationType;
  }
  | HazardBase & {
    readonly kind: "depthwise_outliers";
    readonly kernel: readonly number[];
    readonly channels: number;
    /** Channels wider than `outlierFactor` × the median channel. */
    readonly outliers: number;
    readonly tensorSpan: number;
    readonly medianSpan: number;
    /** Codes of the input's step the median channel spans. */
    readonly codes: number;
    readonly precision: ActivationType;
  };

/** The kinds of {@linkcode Hazard}. */
export type HazardKind = Hazard["kind"];

const isInteger = (p: Precision): p is ActivationType => p !== "FP32";
const span = (t: { min: number; max: number }) => t.max - t.min;
/** The quantization step of a tensor: the one formula the quantizer uses. */
const stepOf = (v: TensorView, q: ActivationType) => affineFromRange(v.min, v.max, q).scale;
/** How many 16-bit steps one 8-bit step of the same range is (65535 / 255). */
const U16_PER_U8 = (QRANGE.U16.max - QRANGE.U16.min) / (QRANGE.U8.max - QRANGE.U8.min);

/**
 * The hazards of `g`, in graph order.
 *
 * @example
 * ```ts
 * import { buildModel } from "../ir/builder.ts";
 * import { findHazards } from "./hazards.ts";
 * const g = buildModel({
 *   inputs: [{ name: "x", dtype: "f32", shape: [1, 4] }],
 *   outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
 *   nodes: [{ opType: "Softmax", name: "probs", inputs: ["x"], outputs: ["y"] }],
 * }).graph;
 * const [h] = findHazards(g, {
 *   tensors: new Map([["x", { precision: "U8", min: -4, max: 4 }], [
 *     "y",
 *     { precision: "U8", min: 0, max: 1 },
 *   ]]),
 * });
 * console.log(h.kind, h.fix); // sensitive_u8 { layer_name: "probs", data_type: "U16" }
 * ```
 *
 * @param g the frontend-optimized graph (the one `layer_configs` names refer to)
 * @param inputs effective precisions and ranges (and depthwise channel ranges)
 * @returns one hazard per affected node, each with its fix
 */
export function findHazards(g: Graph, inputs: HazardInputs): Hazard[] {
  const ctx = new LintContext(g, inputs);
  const out: Hazard[] = [];
  for (const n of g.topologicalOrder()) {
    const h = MERGE_OPS.has(n.opType) && n.domain === ""
      ? mergeHazard(n, ctx)
      : SENSITIVE_OPS.has(n.opType) && SENSITIVE_DOMAINS.has(n.domain)
      ? sensitiveHazard(n, ctx)
      : depthwiseKernel(g, n)
      ? depthwiseHazard(n, ctx)
      : undefined;
    if (h) out.push(h);
  }
  return out;
}

/** Graph lookups shared by the rules. */
class LintContext {
  readonly producers: Map<string, Node>;
  readonly consumers: Map<string, Node[]>;
  constructor(readonly g: Graph, readonly inputs: HazardInputs) {
    this.producers = g.producers();
    this.consumers = g.consumers();
  }
  view(name: string): TensorView | undefined {
    return this.inputs.tensors.get(name);
  }
  /** The producer behind a chain of shared-parameter (data movement) nodes. */
  source(name: string): Node | undefined {
    let p = this.producers.get(name);
    while (p && nodeCapabilities(p).scales === "shared" && p.inputs[0]) {
      p = this.producers.get(p.inputs[0]);
    }
    return p;
  }
}

function ranged(tensor: string, v: TensorView): RangedTensor {
  return { tensor, min: v.min, max: v.max };
}

function mergeHazard(n: Node, ctx: LintContext): Hazard | undefined {
  const out = n.outputs[0];
  const merged = out ? ctx.view(out) : undefined;
  if (!merged || !isInteger(merged.precision)) return undefined;
  const step = stepOf(merged, merged.precision);
  const ins = n.inputs.flatMap((t) => {
    const v = t && !ctx.g.initializers.has(t) ? ctx.view(t) : undefined;
    return v && span(v) > 0 ? [ranged(t, v)] : [];
  });
  if (ins.length < 2) return undefined;
  const wide = ins.reduce((a, b) => (span(b) > span(a) ? b : a));
  const bounded = (t: RangedTensor) => BOUNDED_OPS.has(ctx.source(t.tensor)?.opType ?? "");
  const unboundedPeer = ins.some((t) => !bounded(t));
  const candidates = ins.map((t) => {
    const codes = span(t) / step;
    const kind = bounded(t) && unboundedPeer && codes < HAZARD_LIMITS.boundedMinCodes
      ? "bounded_merge" as const
      : codes < HAZARD_LIMITS.mergeMinCodes
      ? "mixed_range" as const
      : undefined;
    return { t, codes, kind };
  });
  // a probability losing its codes says more than the generic rule, so it is named first
  const worst = (kind: HazardKind) =>
    candidates.filter((c) => c.kind === kind).sort((a, b) => a.codes - b.codes)[0];
  const hit = worst("bounded_merge") ?? worst("mixed_range");
  if (!hit?.kind) return undefined;
  // a tensor in 8 bits keeps 257× the codes in 16; one in 16 bits already is
  const codes16 = QRANGE[merged.precision].bits === 8 ? hit.codes * U16_PER_U8 : hit.codes;
  const dataType = hit.kind === "mixed_range" && codes16 >= HAZARD_LIMITS.u16FixMinCodes
    ? "U16"
    : "FP32";
  return {
    kind: hit.kind,
    node: n.name,
    opType: n.opType,
    wide,
    narrow: hit.t,
    ratio: span(merged) / span(hit.t),
    codes: hit.codes,
    precision: merged.precision,
    fix: mergeFix(n, ctx, dataType),
  };
}

/**
 * The merge and, when every path from it to the model outputs runs through element-wise
 * or data-movement nodes only, those nodes too (named; data movement follows its input).
 */
function mergeFix(n: Node, ctx: LintContext, dataType: "U16" | "FP32"): HazardFix {
  const names = [n.name];
  const seen = new Set<Node>([n]);
  const stack = [...n.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    for (const c of ctx.consumers.get(t) ?? []) {
      if (seen.has(c)) continue;
      if (!keepsChannels(c, ctx.g)) return { layer_name: n.name, data_type: dataType };
      seen.add(c);
      if (nodeCapabilities(c).scales !== "shared") names.push(c.name);
      stack.push(...c.outputs.filter((o) => o !== ""));
    }
  }
  return names.length === 1
    ? { layer_name: n.name, data_type: dataType }
    : { layer_names: names, data_type: dataType };
}

/** Data movement, or an element-wise function of one activation (other inputs constant). */
function keepsChannels(c: Node, g: Graph): boolean {
  const caps = nodeCapabilities(c);
  if (caps.scales === "shared") return true;
  if (!caps.lut) return false;
  const activations = c.inputs.filter((i) => i !== "" && !g.initializers.has(i));
  return activations.length === 1;
}

function sensitiveHazard(n: Node, ctx: LintContext): Hazard | undefined {
  const x = n.inputs[0];
  const y = n.outputs[0];
  const vx = x ? ctx.view(x) : undefined;
  const vy = y ? ctx.view(y) : undefined;
  const eight = [vx, vy].find((v) => v && isInteger(v.precision) && QRANGE[v.precision].bits === 8);
  if (!x || !vx || !eight || !isInteger(eight.precision)) return undefined;
  return {
    kind: "sensitive_u8",
    node: n.name,
    opType: n.opType,
    input: ranged(x, vx),
    precision: eight.precision,
    fix: { layer_name: n.name, data_type: "U16" },
  };
}

/** The kernel shape of a depthwise Conv with a constant weight, else undefined. */
function depthwiseKernel(g: Graph, n: Node): number[] | undefined {
  if (n.opType !== "Conv" || n.domain !== "") return undefined;
  const w = n.inputs[1] ? g.initializers.get(n.inputs[1]) : undefined;
  if (!w || w.shape.length < 3 || w.shape[1] !== 1) return undefined;
  const group = attrReader(n.attrs, n.name, n.opType).int("group", 1);
  return group > 1 && group === w.shape[0] ? w.shape.slice(2) : undefined;
}

/** Names of the inputs whose per-channel ranges the depthwise rule needs. */
export function depthwiseInputs(g: Graph): string[] {
  return g.nodes.flatMap((n) => {
    const k = depthwiseKernel(g, n);
    const area = k?.reduce((a, b) => a * b, 1) ?? 0;
    return area >= HAZARD_LIMITS.depthwiseMinKernelArea && n.inputs[0] ? [n.inputs[0]] : [];
  });
}

function depthwiseHazard(n: Node, ctx: LintContext): Hazard | undefined {
  const kernel = depthwiseKernel(ctx.g, n);
  const x = n.inputs[0];
  if (!kernel || !x) return undefined;
  if (kernel.reduce((a, b) => a * b, 1) < HAZARD_LIMITS.depthwiseMinKernelArea) return undefined;
  const v = ctx.view(x);
  const ch = ctx.inputs.channels?.get(x);
  if (!v || !ch || !isInteger(v.precision)) return undefined;
  const spans = Array.from(ch.max, (hi, c) => hi - ch.min[c]).filter(Number.isFinite);
  if (spans.length === 0) return undefined;
  const sorted = [...spans].sort((a, b) => a - b);
  const medianSpan = sorted[Math.floor(sorted.length / 2)];
  const codes = medianSpan / stepOf(v, v.precision);
  if (codes >= HAZARD_LIMITS.depthwiseMinCodes) return undefined;
  return {
    kind: "depthwise_outliers",
    node: n.name,
    opType: n.opType,
    kernel,
    channels: spans.length,
    outliers: spans.filter((s) => s > HAZARD_LIMITS.outlierFactor * medianSpan).length,
    tensorSpan: span(v),
    medianSpan,
    codes,
    precision: v.precision,
    fix: { layer_name: n.name, data_type: "U16" },
  };
}

/**
 * Widen the per-channel ranges of NCHW values `d` of shape `shape` (channel axis 1).
 *
 * @param into the ranges so far (created on the first call)
 */
export function observeChannels(
  d: Float32Array,
  shape: readonly number[],
  into?: ChannelRanges,
): ChannelRanges {
  const c = shape[1] ?? 1;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const r = into ?? {
    min: new Float32Array(c).fill(Infinity),
    max: new Float32Array(c).fill(-Infinity),
  };
  for (let i = 0; i < d.length; i++) {
    const ci = Math.floor(i / inner) % c;
    const x = d[i];
    if (x < r.min[ci]) r.min[ci] = x;
    if (x > r.max[ci]) r.max[ci] = x;
  }
  return r;
}
