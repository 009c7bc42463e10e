/**
 * EasyQuant-style scale search (`quant.enable_easy_quant`): per weighted layer, in graph
 * order, alternately
 * 1. scale the layer's input activation scale by the factor of {@linkcode SCALE_GRID}
 *    that maximises the cosine of the layer's output (all channels) against the float
 *    layer on the float input, over the calibration samples, and
 * 2. scale each output channel's weight scale by the grid factor that minimises that
 *    channel's squared output error over the samples (a channel's output depends on its
 *    own weight scale only, so one sweep of the grid serves every channel, and the layer's
 *    total error can only fall; a per-channel cosine would ignore the channel's magnitude,
 *    which clipping the largest weights shrinks),
 * for at most {@linkcode ROUNDS} rounds (fewer when a round changes nothing). Cosines are averaged per sample, so one sample's outlier
 * does not outweigh the rest. Each search keeps the current scale unless another factor
 * scores strictly higher.
 *
 * The input scale is searched only where the layer is the tensor's only reader and no
 * other tensor shares its parameters (elsewhere another operator's codes would change);
 * its zero point is kept. Weight codes and the bias codes are re-derived from the new
 * scales. Stops between layers when the time budget runs out.
 *
 * @module
 */
import { asFloat32, type Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { ActivationQuant, QuantModel } from "../quant_model.ts";
import { activationParams } from "../quant_model.ts";
import { dequantizeConstant } from "../codes.ts";
import {
  ChannelCosine,
  collectValues,
  fakeQuantize,
  LayerKernel,
  outputChannelAxis,
  weightCodes,
  type WeightedLayer,
  weightedLayers,
  withWeight,
} from "./layers.ts";

/**
 * Factors of the current scale tried (0.5 … 1.2 in steps of 0.1; a second round searches
 * again around the first round's choice).
 */
export const SCALE_GRID: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2];
/** Alternations of the activation and weight searches per layer. */
export const ROUNDS = 2;

/** Options of {@linkcode easyQuant}. */
export interface EasyQuantOptions {
  /** Wall-clock budget in milliseconds; layers after it keep their calibrated scales. */
  readonly budgetMs: number;
}

/** What {@linkcode easyQuant} did. */
export interface EasyQuantReport {
  readonly layers: number;
  /** Layers whose input activation scale changed. */
  readonly inputScales: number;
  /** Mean layer-output cosine before and after, over the searched layers. */
  readonly cosineBefore: number;
  readonly cosineAfter: number;
  /** True when the budget ran out before the last layer. */
  readonly timedOut: boolean;
}

/** `q` with searched activation and weight scales. */
export function easyQuant(
  q: QuantModel,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
  opts: EasyQuantOptions,
): { quant: QuantModel; report: EasyQuantReport } {
  const start = Date.now();
  const layers = weightedLayers(q);
  const g = q.model.graph;
  const names = new Set(layers.flatMap((l) => [l.input, l.node.outputs[0]]));
  const values = collectValues({ float: q.model }, samples, names, registry);
  const readers = g.consumers();
  const dominated = new Set<string>();
  for (const [n, a] of q.activations) {
    if (a.kind === "quant" && a.dominator !== n) dominated.add(a.dominator);
  }
  const outputs = new Set(g.outputs.map((o) => o.name));
  let cur = q;
  let before = 0;
  let after = 0;
  let inputScales = 0;
  let done = 0;
  for (const l of layers) {
    if (Date.now() - start > opts.budgetMs) break;
    const ownsInput = readers.get(l.input)?.length === 1 && !dominated.has(l.input) &&
      !outputs.has(l.input) && activationParams(cur, l.input)?.state === "ACTIVATED";
    const search = new LayerSearch(cur, l, values, registry);
    before += search.cosine(1, search.weightScales);
    for (let r = 0; r < ROUNDS; r++) {
      const input = ownsInput && search.searchInput();
      const weights = search.searchWeights();
      if (!input && !weights) break;
    }
    after += search.cosine(search.inputFactor, search.weightScales);
    if (search.inputFactor !== 1) inputScales++;
    cur = search.apply();
    done++;
  }
  return {
    quant: cur,
    report: {
      layers: done,
      inputScales,
      cosineBefore: done ? before / done : 1,
      cosineAfter: done ? after / done : 1,
      timedOut: done < layers.length,
    },
  };
}

/** The search state of one layer. */
class LayerSearch {
  readonly #q: QuantModel;
  readonly #l: WeightedLayer;
  readonly #kernel: LayerKernel;
  readonly #xs: Tensor[];
  readonly #ys: Tensor[];
  readonly #rest: (Tensor | undefined)[];
  readonly #w: Tensor;
  readonly #x: Extract<ActivationQuant, { kind: "quant" }>;
  #cached?: { factor: number; inputs: Tensor[] };
  inputFactor = 1;
  weightScales: Float32Array;

  constructor(
    q: QuantModel,
    l: WeightedLayer,
    values: Map<string, Tensor[]>,
    registry: OpRegistry,
  ) {
    const g = q.model.graph;
    this.#q = q;
    this.#l = l;
    this.#kernel = new LayerKernel(q.model, l.node, registry);
    this.#xs = values.get(l.input)!;
    this.#ys = values.get(l.node.outputs[0])!;
    this.#w = g.initializers.get(l.weight)!;
    this.#rest = l.node.inputs.slice(2).map((n) => (n ? g.initializers.get(n) : undefined));
    this.#x = activationParams(q, l.input)!;
    this.weightScales = q.constants.get(l.weight)!.scales;
  }

  /**
   * The layer's cosine with these scales over all channels, averaged over the samples
   * (each sample counts the same, so one sample's outlier does not outweigh the rest),
   * and each channel's squared error summed over the samples.
   */
  #measure(inputFactor: number, scales: Float32Array): { total: number; errors: Float64Array } {
    const w = dequantizeConstant(this.#w.shape, weightCodes(this.#w, this.#l.axis, scales));
    const xq = this.#quantizedInputs(inputFactor);
    const n = this.#xs.length;
    let total = 0;
    let errors = new Float64Array(0);
    for (let s = 0; s < n; s++) {
      const y = this.#ys[s];
      const axis = outputChannelAxis(this.#l.node, y.rank);
      const acc = new ChannelCosine(y.shape[axis]);
      if (errors.length !== y.shape[axis]) errors = new Float64Array(y.shape[axis]);
      const out = this.#kernel.run([xq[s], w, ...this.#rest]);
      acc.add(out, asFloat32(y), y.shape, axis);
      total += acc.total() / n;
      for (let c = 0; c < errors.length; c++) {
        errors[c] += acc.a2[c] - 2 * acc.dot[c] + acc.b2[c];
      }
    }
    return { total, errors };
  }

  /** The inputs quantized with the input scale times `factor` (the last factor's are kept). */
  #quantizedInputs(factor: number): Tensor[] {
    if (this.#cached?.factor !== factor) {
      const p = { ...this.#x, scale: Math.fround(this.#x.scale * factor) };
      this.#cached = { factor, inputs: this.#xs.map((x) => fakeQuantize(x, p)) };
    }
    return this.#cached.inputs;
  }

  cosine(inputFactor: number, scales: Float32Array): number {
    return this.#measure(inputFactor, scales).total;
  }

  /** Search the input scale; true when it changed. */
  searchInput(): boolean {
    let best = this.cosine(this.inputFactor, this.weightScales);
    const base = this.inputFactor;
    for (const f of SCALE_GRID) {
      if (f === 1) continue;
      const c = this.cosine(base * f, this.weightScales);
      if (c > best) {
        best = c;
        this.inputFactor = base * f;
      }
    }
    return this.inputFactor !== base;
  }

  /** Search each channel's weight scale; true when any changed. */
  searchWeights(): boolean {
    const base = this.weightScales;
    const best = this.#measure(this.inputFactor, base).errors;
    const next = Float32Array.from(base);
    for (const f of SCALE_GRID) {
      if (f === 1) continue;
      const m = this.#measure(this.inputFactor, base.map((v) => v * f)).errors;
      for (let c = 0; c < base.length; c++) {
        if (m[c] < best[c]) {
          best[c] = m[c];
          next[c] = base[c] * f;
        }
      }
    }
    const changed = next.some((v, c) => v !== base[c]);
    this.weightScales = next;
    return changed;
  }

  /** The model with this layer's found scales. */
  apply(): QuantModel {
    let q = this.#q;
    if (this.inputFactor !== 1) {
      const x = this.#x;
      const scale = Math.fround(x.scale * this.inputFactor);
      const activations = new Map(q.activations);
      activations.set(this.#l.input, {
        ...x,
        scale,
        min: x.min * this.inputFactor,
        max: x.max * this.inputFactor,
      });
      q = { ...q, activations };
    }
    return withWeight(q, this.#l, weightCodes(this.#w, this.#l.axis, this.weightScales));
  }
}
