/**
 * The messages between a {@linkcode WorkerPool} and its workers (`pool_worker.ts`), and
 * the pieces both sides must compute the same way (tensor and quantized-model transport,
 * histogram construction).
 *
 * Protocol, one request in flight per worker; a worker holds one float model, a
 * contiguous share of samples and, once sent, one quantized model:
 * - `load` (float model bytes + the worker's share of samples) → `ready`.
 * - `pass1` → per-sample `progress`, then `ranges`: min/max of every float activation
 *   over the share in first-seen order, and, when asked, the graph outputs of the share's
 *   first sample (the build's io export reuses them).
 * - `pass2` (merged ranges, bins) → per-sample `progress`, then `histograms`: bin counts
 *   over the merged ranges.
 * - `quant` (a quantized model of the float model; its graph left out when it is the
 *   loaded float model itself) → `ready`.
 * - `analyze` (method, samples or none for the share, optionally which of the share) →
 *   per-sample `progress`, then `measures`: each sample's precision comparisons.
 * - `emulate` (a quantized model or none for the loaded one, arithmetic, one sample sent
 *   or held) → `values`: the outputs, or every value with `all`. The loaded model's run
 *   of a held sample (outputs only) is kept until the next `analyze`, which reuses it for
 *   that sample.
 * - Any failure → `error` carrying the error's class name and message.
 *
 * @module
 */
import type { DType, TensorData } from "../ir/dtype.ts";
import { Tensor } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import { decodeModel } from "../onnx/load.ts";
import { Histogram } from "./histogram.ts";
import type { Range } from "./range_methods.ts";
import type { Model } from "../ir/graph.ts";
import type { ActivationQuant, ConstQuant, QuantModel } from "./quant_model.ts";
import type { Arithmetic } from "./int_kernels.ts";
import type { KernelIsa } from "../wasm/kernels.ts";
import type { PrecisionMeasure, PrecisionMethod } from "./precision_analysis.ts";

/** A tensor as it crosses a worker boundary (its class does not survive structured clone). */
export interface WireTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** One sample (or a set of named values): name → tensor, in feed order. */
export type WireSample = [string, WireTensor][];

/** One of the samples a worker holds, by its index in the worker's share. */
export interface HeldSample {
  held: number;
}

/** Observed range of one tensor. */
export interface WireRange {
  name: string;
  min: number;
  max: number;
}

/** Histogram counts of one tensor. */
export interface WireHistogram {
  name: string;
  counts: Float64Array;
  total: number;
}

/** An error raised inside a worker. */
export interface WireError {
  /** Class name (`KernelError`, `InputDataError`, …; `Error` for untyped errors). */
  name: string;
  message: string;
  /** For `UnsupportedOpError`. */
  opType?: string;
  nodeName?: string;
}

/**
 * A quantized model as it crosses a worker boundary: its graph encoded, or left out when
 * it is the float model the worker was loaded with, and its tables cloned.
 */
export interface WireQuant {
  model?: Uint8Array<ArrayBuffer>;
  activations: Map<string, ActivationQuant>;
  constants: Map<string, ConstQuant>;
  fused: Set<string>;
}

/** Main thread → worker. */
export type ToWorker =
  | {
    kind: "load";
    model: Uint8Array<ArrayBuffer>;
    samples: WireSample[];
    /** The main thread's kernel path: a worker computes the bits the main thread would. */
    isa: KernelIsa;
  }
  | { kind: "pass1"; keepFirstOutputs: boolean }
  | { kind: "pass2"; ranges: WireRange[]; bins?: number }
  | { kind: "quant"; quant: WireQuant }
  | {
    kind: "analyze";
    method: PrecisionMethod;
    samples?: WireSample[];
    /** Without `samples`: which of the worker's own samples (indices into its share). */
    indices?: number[];
  }
  | {
    kind: "emulate";
    quant?: WireQuant;
    arithmetic: Arithmetic;
    /** The sample: sent, or one the worker holds. */
    feeds: WireSample | HeldSample;
    keep: "outputs" | "all";
  };

/** Worker → main thread. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "progress" }
  | { kind: "ranges"; ranges: WireRange[]; firstOutputs?: WireSample }
  | { kind: "histograms"; histograms: WireHistogram[] }
  | { kind: "measures"; measures: PrecisionMeasure[][] }
  | { kind: "values"; values: WireSample }
  | { kind: "error"; error: WireError };

/**
 * Copy a tensor into a compact buffer of its own and list that buffer in `transfer`, so
 * posting it moves exactly the tensor's bytes (a view of a larger buffer would otherwise
 * clone the whole buffer).
 */
export function toWire(t: Tensor, transfer: Transferable[]): WireTensor {
  if (Array.isArray(t.data)) return { dtype: t.dtype, shape: [...t.shape], data: [...t.data] };
  const data = t.data.slice();
  transfer.push(data.buffer);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** Rebuild a tensor received from {@linkcode toWire}. */
export function fromWire(w: WireTensor): Tensor {
  return new Tensor(w.dtype, w.shape, w.data);
}

/** Named tensors in wire form, their buffers listed in `transfer`. */
export function samplesToWire(
  values: Iterable<readonly [string, Tensor]>,
  transfer: Transferable[],
): WireSample {
  return [...values].map(([name, t]) => [name, toWire(t, transfer)]);
}

/** Named tensors rebuilt from {@linkcode samplesToWire}. */
export function samplesFromWire(w: WireSample): Map<string, Tensor> {
  return new Map(w.map(([name, t]) => [name, fromWire(t)]));
}

/**
 * A quantized model in wire form (the graph encoded once; the caller may reuse it).
 *
 * @param loaded the float model the receiving worker holds: when `q` quantizes that very
 *   object (the quantizer annotates the float graph, it does not copy it), the graph is
 *   not sent again
 */
export function quantToWire(q: QuantModel, loaded?: Model): WireQuant {
  return {
    ...(q.model === loaded ? {} : { model: new Uint8Array(encodeModel(q.model)) }),
    activations: q.activations,
    constants: q.constants,
    fused: q.fused,
  };
}

/**
 * Rebuild a quantized model received from {@linkcode quantToWire}.
 *
 * @param loaded the worker's float model, which a graph-less `w` quantizes
 * @throws {Error} when `w` has no graph and no float model is loaded
 */
export function quantFromWire(w: WireQuant, loaded?: Model): QuantModel {
  const model = w.model ? decodeModel(w.model) : loaded;
  if (!model) throw new Error("quantized model sent without its graph before a float model");
  return {
    model,
    activations: w.activations,
    constants: w.constants,
    fused: w.fused,
  };
}

/**
 * The pass-2 histogram of a tensor with the merged pass-1 range `observed`. Both the main
 * thread and the workers build histograms with this, so bin edges are identical and the
 * merge is an exact sum of counts (the same construction as `calibrate`).
 */
export function histogramFor(observed: Range, bins?: number): Histogram {
  return new Histogram(Math.min(0, observed.min), Math.max(0, observed.max), bins);
}
