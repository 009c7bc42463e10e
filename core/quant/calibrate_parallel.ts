/**
 * Calibration on several cores: the samples are split into contiguous shares, one per
 * worker of a {@linkcode SamplePool}; each worker runs the passes of
 * {@linkcode calibrate} over its share; the main thread merges.
 *
 * The result equals `calibrate`'s exactly: min/max merge by min/max in share order (the
 * serial scan's comparisons, so even the sign of a zero bound matches), tensors appear in
 * the same first-seen order, and histograms are built over the merged ranges on both sides
 * with one construction, so merging is a sum of integer counts.
 *
 * Workers need read permission (they import modules); they always use the built-in
 * operators (`defaultRegistry()`), since a registry cannot cross a worker boundary.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { KernelError } from "../errors/mod.ts";
import { calibrate, type CalibrateOptions, type TensorStats } from "./calibrate.ts";
import { histogramFor, samplesFromWire, type WireHistogram, type WireRange } from "./pool_wire.ts";
import { inOrder } from "./worker_pool.ts";
import { SamplePool } from "./sample_pool.ts";

/** Options of {@linkcode calibrateOnPool}. */
export interface CalibrateOnPoolOptions extends Omit<CalibrateOptions, "onOutputs"> {
  /** Receives the graph outputs of the first sample's run. */
  onFirstOutputs?: (outputs: Map<string, Tensor>) => void;
}

/** Options of {@linkcode calibrateParallel}. */
export interface CalibrateParallelOptions extends CalibrateOnPoolOptions {
  /** Worker count (default `min(2, hardwareConcurrency, samples)`). */
  workers?: number;
  /**
   * Called when workers cannot start (no read permission for the worker module, or a
   * `deno compile` binary built without `--include core/quant/pool_worker.ts`) and
   * calibration falls back to this thread; receives the reason.
   */
  onFallback?: (reason: string) => void;
}

/**
 * Collect statistics of every float activation over `samples` on several workers; the
 * same result as {@linkcode calibrate}. With one worker or fewer than 4 samples it runs
 * `calibrate` in this thread, and so it does, after `onFallback`, when a worker fails to
 * start.
 *
 * @param model the float model (encoded once and decoded by each worker)
 * @param samples one feed per sample
 * @param opts method, progress callback (`pass`, samples done over all workers, total),
 *   histogram bins, worker count
 * @returns per tensor, its observed range and (Percentile/MSE/KL) its histogram
 * @throws {KernelError} when a kernel fails or a worker dies, with the worker's message
 * @throws {InputDataError} when a sample does not fit the model
 */
export async function calibrateParallel(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  opts: CalibrateParallelOptions,
): Promise<Map<string, TensorStats>> {
  const pool = await SamplePool.open(model, samples, opts);
  if (!pool) return calibrateInThread(model, samples, opts);
  try {
    return await calibrateOnPool(pool, opts);
  } finally {
    pool.close();
  }
}

/** {@linkcode calibrate} in this thread with the built-in operators. */
export function calibrateInThread(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  opts: CalibrateOnPoolOptions,
): Map<string, TensorStats> {
  const first = opts.onFirstOutputs;
  return calibrate(new Executor(model, defaultRegistry()), samples, {
    ...opts,
    onOutputs: first && ((i, outputs) => i === 0 && first(outputs)),
  });
}

/**
 * Calibrate over the samples a pool holds; the same result as {@linkcode calibrate} on
 * them. The workers keep their samples for later requests.
 */
export async function calibrateOnPool(
  pool: SamplePool,
  opts: CalibrateOnPoolOptions,
): Promise<Map<string, TensorStats>> {
  const total = pool.samples.length;
  const done = [0, 0];
  const progress = (pass: 1 | 2) => () => {
    done[pass - 1]++;
    opts.onProgress?.(pass, done[pass - 1], total);
  };
  const workers = Array.from({ length: pool.size }, (_, i) => i);
  const ranges = await inOrder(
    workers.map((i) =>
      pool.pool.request(i, { kind: "pass1", keepFirstOutputs: i === 0 }, "ranges", {
        onProgress: progress(1),
      })
    ),
  );
  const first = ranges[0].firstOutputs;
  if (first) opts.onFirstOutputs?.(samplesFromWire(first));
  const stats = mergeRanges(ranges.map((r) => r.ranges));
  if (opts.method === "MinMax") return stats;
  const merged: WireRange[] = [...stats].map(([name, s]) => ({ name, ...s.observed }));
  const histograms = await inOrder(
    workers.map((i) =>
      pool.pool.request(i, { kind: "pass2", ranges: merged, bins: opts.bins }, "histograms", {
        onProgress: progress(2),
      })
    ),
  );
  mergeHistograms(stats, histograms.map((h) => h.histograms), opts.bins);
  return stats;
}

/**
 * Merge per-share ranges in share order with the comparisons `calibrate` uses, keeping
 * first-seen order (share 0's order, then tensors first seen in later shares).
 */
function mergeRanges(shares: WireRange[][]): Map<string, TensorStats> {
  const stats = new Map<string, TensorStats>();
  for (const share of shares) {
    for (const { name, min, max } of share) {
      const s = stats.get(name);
      if (s) {
        if (min < s.observed.min) s.observed.min = min;
        if (max > s.observed.max) s.observed.max = max;
      } else {
        stats.set(name, { observed: { min, max } });
      }
    }
  }
  return stats;
}

/** Give every tensor its histogram over the merged range: the sum of the shares' counts. */
function mergeHistograms(
  stats: Map<string, TensorStats>,
  shares: WireHistogram[][],
  bins: number | undefined,
): void {
  for (const s of stats.values()) s.histogram = histogramFor(s.observed, bins);
  for (const share of shares) {
    for (const { name, counts, total } of share) {
      const h = stats.get(name)?.histogram;
      if (!h) continue;
      if (counts.length !== h.counts.length) {
        throw new KernelError(
          `Calibration worker returned ${counts.length} bins for "${name}", expected ${h.counts.length}`,
        );
      }
      for (let i = 0; i < counts.length; i++) h.counts[i] += counts[i];
      h.total += total;
    }
  }
}
