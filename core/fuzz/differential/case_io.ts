/**
 * Helpers of the differential runner: batches of feeds and outputs, the peer over a batch,
 * a model with the config's processors, and small formatting.
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { cloneModel } from "../../ir/clone.ts";
import type { BuildConfig } from "../../config/build_config.ts";
import { applyInputProcessors, applyOutputProcessors } from "../../preprocess/mod.ts";
import { concatBatch } from "../../container/batch.ts";
import { createLogger } from "../../util/log.ts";
import type { PeerRuntime } from "./run_case.ts";
import { similarity } from "../../report/metrics.ts";

/** Per-sample tensors joined along the batch axis 0. */
export function byBatch(parts: readonly Map<string, Tensor>[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const name of parts[0].keys()) {
    const ts = parts.map((p) => p.get(name)!);
    out.set(name, ts.length === 1 ? ts[0] : concatBatch(ts, ts.map(() => 1), name));
  }
  return out;
}

/** The peer's outputs for each sample of `feeds`, joined along the batch axis 0. */
export async function peerBatch(
  peer: PeerRuntime,
  bytes: Uint8Array,
  feeds: readonly Map<string, Tensor>[],
  unfused = false,
): Promise<Map<string, Tensor>> {
  const parts = [];
  for (const f of feeds) parts.push(await peer.run(bytes, f, { unfused }));
  return byBatch(parts);
}

/**
 * `model` (the optimized float or the QDQ model, both in the original model's format) with
 * the config's input and output processors, as the compiled model applies them.
 */
export function withProcessors(model: Model, config: BuildConfig): Model {
  const m = cloneModel(model);
  const log = createLogger({ quiet: true, sink: () => {} });
  applyInputProcessors(m, config.input_processors, log);
  applyOutputProcessors(m, config.output_processors, log);
  return m;
}

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).trim().split("\n")[0];
}

/** Max minus min of `x` (1 when constant). */
export function spread(x: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi > lo ? hi - lo : 1;
}

/** Cosine similarity, in float64, of two equally long vectors (1 when both are zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return similarity(a, b).cosine;
}
