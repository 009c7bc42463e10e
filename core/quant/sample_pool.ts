/**
 * A {@linkcode WorkerPool} loaded with one float model and contiguous shares of one list
 * of samples (worker `i` holds samples `starts[i]` to `starts[i + 1] - 1`), so that
 * calibration, then precision analysis and emulation of the quantized model, run over
 * the same workers without sending the model or the samples twice.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import { kernelIsa } from "../wasm/kernels.ts";
import type { QuantModel } from "./quant_model.ts";
import { quantToWire, samplesToWire, type WireQuant } from "./pool_wire.ts";
import {
  defaultWorkerCount,
  emulateOnWorker,
  inOrder,
  splitContiguous,
  WorkerPool,
  WorkerStartError,
} from "./worker_pool.ts";

/** Below this many samples the work is not worth starting workers for. */
export const MIN_PARALLEL_SAMPLES = 4;

/** Options of {@linkcode SamplePool.open}. */
export interface SamplePoolOptions {
  /** Worker count (default {@linkcode defaultWorkerCount}). */
  workers?: number;
  /** Called, with the reason, when workers cannot start and the caller must run here. */
  onFallback?: (reason: string) => void;
}

/** Workers holding a float model and shares of its samples. */
export class SamplePool {
  /** The workers. */
  readonly pool: WorkerPool;
  /** The samples, in order. */
  readonly samples: readonly ReadonlyMap<string, Tensor>[];
  /** Start index of each worker's share, then the sample count. */
  readonly starts: readonly number[];
  /** The float model every worker decoded (it must not change while the pool is open). */
  readonly model: Model;

  private constructor(
    pool: WorkerPool,
    model: Model,
    samples: readonly ReadonlyMap<string, Tensor>[],
    starts: number[],
  ) {
    this.pool = pool;
    this.model = model;
    this.samples = samples;
    this.starts = starts;
  }

  /**
   * Start the workers and load `model` and a contiguous share of `samples` into each.
   *
   * @returns the loaded pool, or undefined when one worker (or fewer than
   *   {@linkcode MIN_PARALLEL_SAMPLES} samples) is the better choice, or workers cannot
   *   start (after `onFallback`)
   */
  static async open(
    model: Model,
    samples: readonly ReadonlyMap<string, Tensor>[],
    opts: SamplePoolOptions = {},
  ): Promise<SamplePool | undefined> {
    const count = Math.min(opts.workers ?? defaultWorkerCount(samples.length), samples.length);
    if (count <= 1 || samples.length < MIN_PARALLEL_SAMPLES) return undefined;
    let pool: WorkerPool | undefined;
    try {
      // workers load their modules while this thread encodes the model
      pool = WorkerPool.open(count);
      const bytes = encodeModel(model);
      const starts = splitContiguous(samples.length, count);
      const loaded = new SamplePool(pool, model, samples, starts);
      await inOrder(Array.from({ length: count }, (_, i) => {
        const transfer: Transferable[] = [];
        const copy = bytes.slice();
        transfer.push(copy.buffer);
        const share = loaded.share(i).map((s) => samplesToWire(s, transfer));
        return pool!.request(
          i,
          { kind: "load", model: copy, samples: share, isa: kernelIsa() },
          "ready",
          {
            transfer,
          },
        );
      }));
      return loaded;
    } catch (e) {
      pool?.close();
      if (!(e instanceof WorkerStartError)) throw e;
      opts.onFallback?.(e.message);
      return undefined;
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.pool.size;
  }

  /** The samples worker `i` holds. */
  share(i: number): readonly ReadonlyMap<string, Tensor>[] {
    return this.samples.slice(this.starts[i], this.starts[i + 1]);
  }

  /**
   * Give every worker the quantized model `q` (emulated in `qdq` arithmetic). When `q`
   * annotates the pool's own float model, as the quantizer's output does, the workers
   * reuse the graph they decoded at `open` instead of receiving it again.
   */
  async loadQuant(q: QuantModel): Promise<void> {
    const wire = quantToWire(q, this.model);
    await inOrder(
      Array.from({ length: this.size }, (_, i) => {
        const model = wire.model?.slice();
        const quant: WireQuant = { ...wire, ...(model ? { model } : {}) };
        return this.pool.request(i, { kind: "quant", quant }, "ready", {
          transfer: model ? [model.buffer] : [],
        });
      }),
    );
  }

  /**
   * Emulate the loaded quantized model on held sample `sample` ({@linkcode emulateOnWorker}),
   * on the worker that holds it: nothing is sent, and that worker keeps the run for its
   * analysis of the sample.
   */
  emulateHeld(sample: number): Promise<Map<string, Tensor>> {
    const i = this.starts.findLastIndex((s) => s <= sample);
    if (sample < 0 || sample >= this.samples.length || i < 0) {
      throw new RangeError(`Sample ${sample} is not one of the pool's ${this.samples.length}`);
    }
    return emulateOnWorker(this.pool, i, { held: sample - this.starts[i] });
  }

  /** End the workers. */
  close(): void {
    this.pool.close();
  }
}
