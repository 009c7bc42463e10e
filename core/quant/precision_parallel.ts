/**
 * Precision analysis on a {@linkcode SamplePool}: each worker compares its samples
 * ({@linkcode measureSample}, the code of the single-threaded path) and the main thread
 * averages the comparisons in sample order, so the rows equal
 * {@linkcode analyzePrecision}'s exactly.
 *
 * @module
 */
import type { Tensor } from "../ir/tensor.ts";
import type { QuantModel } from "./quant_model.ts";
import {
  type PrecisionMeasure,
  type PrecisionMethod,
  type PrecisionRow,
  precisionRows,
} from "./precision_analysis.ts";
import { samplesToWire, type WireSample } from "./pool_wire.ts";
import { inOrder, splitContiguous } from "./worker_pool.ts";
import type { SamplePool } from "./sample_pool.ts";

/** Options of {@linkcode analyzePrecisionOnPool}. */
export interface PoolAnalysisOptions {
  /** Samples to analyse (default: the ones the pool holds, which are not sent again). */
  samples?: readonly ReadonlyMap<string, Tensor>[];
  /**
   * Without `samples`: which of the held samples to analyse, ascending indices into
   * {@linkcode SamplePool.samples} (default: all of them).
   */
  indices?: readonly number[];
  /** Called after each analysed sample with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Analyse the precision of `q`, which the pool's workers were given
 * ({@linkcode SamplePool.loadQuant}).
 *
 * @returns the rows {@linkcode analyzePrecision} returns for the same samples
 */
export async function analyzePrecisionOnPool(
  pool: SamplePool,
  q: QuantModel,
  method: PrecisionMethod,
  opts: PoolAnalysisOptions = {},
): Promise<PrecisionRow[]> {
  const own = opts.samples;
  const held = pool.samples.length;
  const picked = own ? undefined : opts.indices ?? Array.from({ length: held }, (_, i) => i);
  const total = own ? own.length : picked!.length;
  const starts = own ? splitContiguous(own.length, pool.size) : pool.starts;
  let done = 0;
  const onProgress = () => opts.onProgress?.(++done, total);
  const parts = await inOrder(Array.from({ length: pool.size }, (_, i) => {
    const transfer: Transferable[] = [];
    const samples: WireSample[] | undefined = own
      ? own.slice(starts[i], starts[i + 1]).map((s) => samplesToWire(s, transfer))
      : undefined;
    // worker i holds the pool's samples starts[i] … starts[i + 1] − 1
    const indices = picked
      ?.filter((k) => k >= starts[i] && k < starts[i + 1])
      .map((k) => k - starts[i]);
    return pool.pool.request(i, { kind: "analyze", method, samples, indices }, "measures", {
      transfer,
      onProgress,
    });
  }));
  const measures: PrecisionMeasure[][] = parts.flatMap((p) => p.measures);
  return precisionRows(q, measures);
}
