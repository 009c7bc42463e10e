/**
 * Test fixtures for the pre/post-processing rewrites: a capturing logger, a tiny Conv
 * model with hand-chosen weights, and a one-call float run.
 *
 * @module
 */
import type { Logger } from "../util/log.ts";
import type { Model } from "../ir/graph.ts";
import { attr, buildModel } from "../ir/builder.ts";
import { f32, type Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";

/** A logger that records `LEVEL message` lines. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`DEBUG ${m}`),
    info: (m) => lines.push(`INFO ${m}`),
    success: (m) => lines.push(`SUCCESS ${m}`),
    warn: (m) => lines.push(`WARNING ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/**
 * `y = Conv(x, w, b)` with x `[n, 3, h, w]` float32, a 1×1 kernel mixing 3 channels into 2:
 * y0 = 1·x0 + 2·x1 + 3·x2 + 0.5, y1 = −x0 + 0.25·x2 − 1.
 */
export function tinyConvModel(n: number | string = 1, h = 2, w = 2, opset = 13): Model {
  const m = buildModel({
    inputs: [{ name: "data", dtype: "f32", shape: [n, 3, h, w] }],
    outputs: [{ name: "out", dtype: "f32", shape: [n, 2, h, w] }],
    nodes: [{
      opType: "Conv",
      name: "conv0",
      inputs: ["data", "w", "b"],
      outputs: ["out"],
      attrs: { kernel_shape: attr.ints([1, 1]) },
    }],
    initializers: {
      w: f32([2, 3, 1, 1], [1, 2, 3, -1, 0, 0.25]),
      b: f32([2], [0.5, -1]),
    },
    opset,
  });
  return m;
}

/** Run `model` on `feeds` with the float executor. */
export function runModel(model: Model, feeds: Record<string, Tensor>): Map<string, Tensor> {
  return new Executor(model, defaultRegistry()).run(new Map(Object.entries(feeds)));
}

/** Assert-free closeness check used by tests: max |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
