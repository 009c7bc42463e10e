/**
 * What the post-calibration PTQ refinements (EasyQuant, AdaRound, bias correction) share:
 * the weighted layers of a {@linkcode QuantModel}, one layer's float kernel run on chosen
 * inputs, the values a float or emulated run gives those layers, and new weight and bias
 * codes for new scales or roundings.
 *
 * A layer run here computes with dequantized values in float (fake quantization), which is
 * the integer accumulation times its scales; only the output requantization, whose error
 * has zero mean, is left out.
 *
 * @module
 */
import type { Model, Node } from "../../ir/graph.ts";
import { opsetOf } from "../../ir/opset.ts";
import { asFloat32, Tensor } from "../../ir/tensor.ts";
import type { OpRegistry, PreparedNode } from "../../ops/op.ts";
import { prepareNode } from "../../ops/op.ts";
import { Executor } from "../../exec/executor.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import type { ConstQuant, QuantModel } from "../quant_model.ts";
import { activationParams } from "../quant_model.ts";
import { dequantizeConstant, type QParams } from "../codes.ts";
import { QRANGE, roundHalfEven } from "../numeric.ts";
import { nodeCapabilities } from "../op_capabilities.ts";
import { QuantEmulator } from "../emulator.ts";
import { quantizeBias } from "../quantize_weights.ts";

/** A Conv, Gemm or MatMul whose weight is S8 per-channel codes and whose input is quantized. */
export interface WeightedLayer {
  readonly node: Node;
  /** The quantized activation the layer reads. */
  readonly input: string;
  readonly weight: string;
  /** Output-channel axis of the weight. */
  readonly axis: number;
  /** The S32-coded bias, when there is one. */
  readonly bias?: string;
}

/** Layers whose weights the refinements may change, in graph order (a shared weight is left alone). */
export function weightedLayers(q: QuantModel): WeightedLayer[] {
  const g = q.model.graph;
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const out: WeightedLayer[] = [];
  for (const node of g.topologicalOrder()) {
    const rule = nodeCapabilities(node).weight;
    if (!rule || !["Conv", "Gemm", "MatMul"].includes(node.opType)) continue;
    const input = node.inputs[0];
    const weight = node.inputs[rule.input];
    const w = weight ? q.constants.get(weight) : undefined;
    if (!input || !activationParams(q, input) || !w || w.axis === undefined) continue;
    if (w.qtype !== "S8" || uses.get(weight) !== 1) continue;
    const b = rule.bias === undefined ? undefined : node.inputs[rule.bias];
    const bias = b && q.constants.get(b)?.qtype === "S32" && uses.get(b) === 1 ? b : undefined;
    out.push({ node, input, weight, axis: w.axis, bias });
  }
  return out;
}

/** Axis of a layer's output that holds its output channels (Conv: 1; Gemm/MatMul: last). */
export function outputChannelAxis(node: Node, rank: number): number {
  return node.opType === "Conv" ? 1 : rank - 1;
}

/** One node's float kernel, run on inputs the caller chooses. */
export class LayerKernel {
  readonly #step: PreparedNode;
  readonly #opset: number;
  readonly #node: Node;

  /** @throws {UnsupportedOpError} when `registry` lacks the node's operator */
  constructor(model: Model, node: Node, registry: OpRegistry) {
    const op = registry.get(node.domain, node.opType);
    if (!op) throw new UnsupportedOpError(node.opType, node.name);
    this.#opset = opsetOf(model, node.domain);
    this.#step = prepareNode(op, node, this.#opset);
    this.#node = node;
  }

  /** The first output for `inputs` (in the node's input order). */
  run(inputs: readonly (Tensor | undefined)[]): Float32Array {
    const out = this.#step.run(inputs, {
      opset: this.#opset,
      node: this.#node,
      runSubgraph: () => {
        throw new KernelError(`Node "${this.#node.name}" has no subgraph`);
      },
    })[0];
    return asFloat32(out);
  }
}

/** Values of `names` on every sample: the float model's, or the emulated quantized model's (dequantized). */
export function collectValues(
  source: { float: Model } | { quant: QuantModel },
  samples: readonly ReadonlyMap<string, Tensor>[],
  names: ReadonlySet<string>,
  registry: OpRegistry,
): Map<string, Tensor[]> {
  const out = new Map<string, Tensor[]>([...names].map((n) => [n, []]));
  const keep = (name: string, t: Tensor) => out.get(name)?.push(t);
  if ("float" in source) {
    const exec = new Executor(source.float, registry);
    for (const feeds of samples) {
      for (const [n, t] of feeds) keep(n, t);
      exec.run(feeds, { onValue: keep });
    }
    return out;
  }
  const emu = new QuantEmulator(source.quant, registry);
  for (const feeds of samples) {
    for (const [n, t] of feeds) {
      const p = activationParams(source.quant, n);
      keep(n, p ? fakeQuantize(t, p) : t);
    }
    emu.run(feeds, { onValue: keep });
  }
  return out;
}

/**
 * `t` quantized with `p` and dequantized again: `dequantizeTensor(quantizeTensor(t, p), p)`
 * in one pass (the searches run it for every candidate scale).
 */
export function fakeQuantize(t: Tensor, p: QParams): Tensor<"f32"> {
  const v = asFloat32(t);
  const out = new Float32Array(v.length);
  const { min, max } = QRANGE[p.qtype];
  const scale = Math.fround(p.scale);
  const zp = p.zeroPoint;
  for (let i = 0; i < v.length; i++) {
    const x = Math.fround(v[i] / scale);
    let r = Math.round(x);
    // Math.round sends ties up; half to even moves odd results back down
    if (r - x === 0.5 && (r & 1) !== 0) r -= 1;
    const c = r + zp < min ? min : r + zp > max ? max : r + zp;
    out[i] = (c - zp) * p.scale;
  }
  return new Tensor("f32", t.shape, out);
}

/** A layer's weight as its codes dequantize. */
export function dequantizedWeight(model: Model, name: string, c: ConstQuant): Tensor<"f32"> {
  return dequantizeConstant(model.graph.initializers.get(name)!.shape, c);
}

/**
 * Visit the contiguous runs `[from, to)` of a row-major tensor of `shape` that lie in one
 * channel `c` along `axis`.
 */
export function forChannels(
  shape: readonly number[],
  axis: number,
  visit: (c: number, from: number, to: number) => void,
): void {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const from = (o * channels + c) * inner;
      visit(c, from, from + inner);
    }
  }
}

/** S8 codes of `w` for the given per-channel `scales` along `axis`, rounded half to even. */
export function weightCodes(w: Tensor, axis: number, scales: Float32Array): ConstQuant {
  const v = asFloat32(w);
  const codes = new Int32Array(v.length);
  const max = QRANGE.S8.max;
  forChannels(w.shape, axis, (c, from, to) => {
    const s = scales[c];
    for (let i = from; i < to; i++) {
      const q = roundHalfEven(v[i] / s);
      codes[i] = q < -max ? -max : q > max ? max : q;
    }
  });
  return {
    qtype: "S8",
    scales,
    zeroPoints: new Int32Array(scales.length),
    axis,
    codes,
    state: "BAKED",
  };
}

/** A copy of `q` with a layer's weight codes (and its bias codes re-derived from them). */
export function withWeight(q: QuantModel, layer: WeightedLayer, w: ConstQuant): QuantModel {
  const constants = new Map(q.constants);
  constants.set(layer.weight, w);
  const x = activationParams(q, layer.input);
  const b = layer.bias ? q.model.graph.initializers.get(layer.bias) : undefined;
  if (layer.bias && b && x) constants.set(layer.bias, quantizeBias(b, x.scale, w.scales));
  return { ...q, constants };
}

/** Accumulators of a per-channel cosine between an approximation and a reference. */
export class ChannelCosine {
  readonly dot: Float64Array;
  readonly a2: Float64Array;
  readonly b2: Float64Array;
  constructor(channels: number) {
    this.dot = new Float64Array(channels);
    this.a2 = new Float64Array(channels);
    this.b2 = new Float64Array(channels);
  }
  /** Add `approx` vs `ref`, row-major tensors of `shape` with channels along `axis`. */
  add(approx: Float32Array, ref: Float32Array, shape: readonly number[], axis: number): void {
    forChannels(shape, axis, (c, from, to) => {
      let dot = 0;
      let a2 = 0;
      let b2 = 0;
      for (let i = from; i < to; i++) {
        dot += approx[i] * ref[i];
        a2 += approx[i] * approx[i];
        b2 += ref[i] * ref[i];
      }
      this.dot[c] += dot;
      this.a2[c] += a2;
      this.b2[c] += b2;
    });
  }
  /** Cosine of channel `c` (1 when both are zero). */
  channel(c: number): number {
    return cosineOf(this.dot[c], this.a2[c], this.b2[c]);
  }
  /** Cosine over all channels together. */
  total(): number {
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    return cosineOf(sum(this.dot), sum(this.a2), sum(this.b2));
  }
}

function cosineOf(dot: number, a2: number, b2: number): number {
  if (a2 === 0 && b2 === 0) return 1;
  if (a2 === 0 || b2 === 0) return 0;
  return dot / Math.sqrt(a2 * b2);
}

/** A new tensor of `t`'s shape holding `values`. */
export function tensorLike(t: Tensor, values: Float32Array): Tensor<"f32"> {
  return new Tensor("f32", t.shape, values);
}
