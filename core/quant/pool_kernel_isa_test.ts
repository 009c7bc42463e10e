import { strict as assert } from "node:assert";
import { join } from "node:path";
import { loadModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { f32 } from "../ir/tensor.ts";
import { seededRandom } from "../util/random.ts";
import { kernelIsa, supportedIsas, useKernelIsa } from "../wasm/kernels.ts";
import { calibrate, type TensorStats } from "./calibrate.ts";
import { calibrateParallel } from "./calibrate_parallel.ts";

const MODELS = join(import.meta.dirname ?? ".", "../../../shared/models");

function bounds(stats: Map<string, TensorStats>): number[] {
  return [...stats.values()].flatMap((s) => [s.observed.min, s.observed.max]);
}

Deno.test(
  "calibrateParallel() workers run the main thread's kernel path (simd selected while relaxed-simd is the default)",
  { ignore: !supportedIsas().includes("relaxed-simd") },
  async () => {
    const model = await loadModel(join(MODELS, "squeezenet1_1.onnx"));
    const input = model.graph.runtimeInputs[0].name;
    const next = seededRandom(7);
    const samples = Array.from({ length: 4 }, () => {
      const v = new Float32Array(3 * 224 * 224);
      for (let i = 0; i < v.length; i++) v[i] = (next() - 0.5) * 4;
      return new Map([[input, f32([1, 3, 224, 224], v)]]);
    });
    const exec = new Executor(model, defaultRegistry());
    const before = kernelIsa();
    try {
      useKernelIsa("relaxed-simd");
      const fused = bounds(calibrate(exec, samples, { method: "MinMax" }));
      useKernelIsa("simd");
      const exact = bounds(calibrate(exec, samples, { method: "MinMax" }));
      // the two paths must differ on this model, or the check below could not fail
      assert.notDeepEqual(exact, fused);
      const pooled = bounds(
        await calibrateParallel(model, samples, { method: "MinMax", workers: 2 }),
      );
      assert.deepEqual(pooled, exact);
    } finally {
      useKernelIsa(before);
    }
  },
);
