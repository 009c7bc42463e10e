/**
 * Helpers of the differential runner: batches of feeds and outputs, the peer over a batch,
 * a model with the config's processors, the compiled model's runtime-format feeds, inputs
 * rounded to their QDQ grids, and small formatting.
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
import { similarity } from "../../report/metrics.ts";
import type { CaseContext, GeneratedCase, PeerRuntime } from "./run_case.ts";
import { runtimeSample } from "../../build/runtime_sample.ts";
import { randomTensor } from "../../io/random_tensor.ts";
import { modelRunner } from "../../run/model_runner.ts";
import { activationParams, type QuantModel } from "../../quant/quant_model.ts";
import { dequantizeTensor, quantizeTensor } from "../../quant/codes.ts";

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

/**
 * `feeds` with every float input that `params` quantizes rounded to its grid (quantized and
 * dequantized), as the QDQ graph's first QuantizeLinear rounds it.
 */
export function onInputGrids(
  feeds: ReadonlyMap<string, Tensor>,
  params: QuantModel,
): Map<string, Tensor> {
  return new Map(
    [...feeds].map(([name, t]) => {
      const p = activationParams(params, name);
      return [name, p && t.dtype === "f32" ? dequantizeTensor(quantizeTensor(t, p), p) : t];
    }),
  );
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

/** Runtime-format feeds of the compiled model for each model-format sample. */
export function runtimeFeeds(
  c: GeneratedCase,
  ctx: CaseContext,
  processors: Parameters<typeof runtimeSample>[2],
  compiled: Model,
  samples: readonly Map<string, Tensor>[],
  seed: number,
): Map<string, Tensor>[] {
  const runner = modelRunner(compiled, ctx.registry, "compiled.axmodel");
  return samples.map((s, k) => {
    const converted = runtimeSample(s, c.model.model.graph.inputs, processors, ctx.registry);
    const feeds = new Map<string, Tensor>();
    for (const v of runner.inputs) {
      const r = converted.get(v.name);
      if (r?.ok) {
        feeds.set(v.name, r.tensor);
        continue;
      }
      const t = v.type && !("kind" in v.type) ? v.type : undefined;
      const shape = (t?.shape ?? []).map((d, i) => (typeof d === "number" ? (i === 0 ? 1 : d) : 1));
      feeds.set(v.name, randomTensor(t?.dtype ?? "f32", shape, seed + k));
    }
    return feeds;
  });
}
