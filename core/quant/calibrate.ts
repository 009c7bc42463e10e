/**
 * Calibration: run the float model over the calibration samples and collect, for every
 * float activation (graph inputs and every node output), its observed range and — for
 * the histogram methods — its histogram.
 *
 * MinMax needs one pass. Percentile, MSE and KL need a second pass that fills
 * fixed-range histograms over the ranges of the first pass (2048 bins each). Tensors
 * are consumed as they are produced; nothing is kept between samples.
 *
 * Values computed inside If/Loop/Scan bodies are observed too (every trip of a Loop adds
 * to the same range), so a control-flow node kept on the CPU still has the ranges of its
 * inner activations, and they match what its inlined form would observe.
 *
 * @module
 */
import type { Executor } from "../exec/executor.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import { Histogram } from "./histogram.ts";
import { wasmKernels } from "../wasm/kernels.ts";
import type { CalibrationMethod, Range } from "./range_methods.ts";

/** Statistics of one tensor. */
export interface TensorStats {
  /** Minimum and maximum seen over all samples. */
  observed: Range;
  /** Histogram over the observed range widened to include 0; filled unless `MinMax`. */
  histogram?: Histogram;
}

/** Options of {@linkcode calibrate}. */
export interface CalibrateOptions {
  /** Range method; `MinMax` needs one pass, the others a second histogram pass. */
  method: CalibrationMethod;
  /** Called after each sample of each pass. */
  onProgress?: (pass: number, done: number, total: number) => void;
  /** Histogram bins (default 2048). */
  bins?: number;
  /**
   * Receives the graph outputs of each sample's first-pass run (index in `samples`), for
   * callers that need the float results of the calibration data as well.
   */
  onOutputs?: (sample: number, outputs: Map<string, Tensor>) => void;
}

/** Collect statistics of every float activation over `samples`. */
export function calibrate(
  exec: Executor,
  samples: readonly ReadonlyMap<string, Tensor>[],
  opts: CalibrateOptions,
): Map<string, TensorStats> {
  const stats = new Map<string, TensorStats>();
  const initializers = exec.model.graph.initializers;
  const isActivation = (name: string, t: Tensor) =>
    !initializers.has(name) && DTYPES[t.dtype].isFloat;
  const observeRange = (name: string, t: Tensor) => {
    if (!isActivation(name, t)) return;
    const { lo, hi } = valueRange(asFloat32(t));
    const s = stats.get(name);
    if (s) {
      if (lo < s.observed.min) s.observed.min = lo;
      if (hi > s.observed.max) s.observed.max = hi;
    } else {
      stats.set(name, { observed: { min: lo, max: hi } });
    }
  };
  const passes = opts.method === "MinMax" ? 1 : 2;
  samples.forEach((feeds, i) => {
    for (const [name, t] of feeds) observeRange(name, t);
    const outputs = exec.run(feeds, { onValue: observeRange, observeBodies: true });
    opts.onOutputs?.(i, outputs);
    opts.onProgress?.(1, i + 1, samples.length);
  });
  if (passes === 1) return stats;
  for (const s of stats.values()) {
    s.histogram = new Histogram(
      Math.min(0, s.observed.min),
      Math.max(0, s.observed.max),
      opts.bins,
    );
  }
  const fill = (name: string, t: Tensor) => {
    const s = stats.get(name);
    if (s?.histogram) s.histogram.add(asFloat32(t));
  };
  samples.forEach((feeds, i) => {
    for (const [name, t] of feeds) fill(name, t);
    exec.run(feeds, { onValue: fill, observeBodies: true });
    opts.onProgress?.(2, i + 1, samples.length);
  });
  return stats;
}

/**
 * Smallest and largest value (NaN ignored; +∞ and −∞ when there are none), exactly as a
 * forward scan keeping strict improvements finds them, signed zeros included.
 */
export function valueRange(v: Float32Array): { lo: number; hi: number } {
  const k = wasmKernels();
  if (!k) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return { lo, hi };
  }
  const xp = k.heap.put(v);
  const out = k.heap.alloc(8);
  try {
    k.fn.minMax(xp, v.length, out);
    let [lo, hi] = k.heap.f32(out, 2);
    // a zero extreme is the scan's first zero, whatever its sign; the lanes lose the order
    if (lo === 0) lo = v[v.indexOf(0)];
    if (hi === 0) hi = v[v.indexOf(0)];
    return { lo, hi };
  } finally {
    k.heap.free(xp);
    k.heap.free(out);
  }
}
