import { strict as assert } from "node:assert";
import { join } from "node:path";
import { loadModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { calibrateAndQuantize, randomFeeds, REGISTRY } from "./_testing.ts";
import { QuantEmulator } from "./emulator.ts";
import { analyzePrecision } from "./precision_analysis.ts";
import { analyzePrecisionOnPool } from "./precision_parallel.ts";
import { SamplePool } from "./sample_pool.ts";

const MODELS = join(import.meta.dirname ?? ".", "../../testdata/models");

/** The bundled tiny_cnn (Conv → Relu twice, Gemm, Softmax), quantized on seeded data. */
async function tinyCnn() {
  const model = await loadModel(join(MODELS, "tiny_cnn.onnx"));
  const quant = calibrateAndQuantize(model, 4, 700, -2, 2);
  const samples = Array.from({ length: 5 }, (_, i) => randomFeeds(model, 800 + i, -2, 2));
  return { model, quant, samples };
}

Deno.test("analyzePrecisionOnPool() equals analyzePrecision() exactly on tiny_cnn with 2 workers", async () => {
  const { model, quant, samples } = await tinyCnn();
  const pool = await SamplePool.open(model, samples, { workers: 2 });
  assert.ok(pool, "5 samples on 2 workers open a pool");
  try {
    await pool.loadQuant(quant);
    const exec = new Executor(model, REGISTRY);
    const emu = new QuantEmulator(quant, REGISTRY);
    for (const method of ["PerLayer", "EndToEnd"] as const) {
      const want = analyzePrecision(exec, emu, samples, method);
      const progress: number[] = [];
      const held = await analyzePrecisionOnPool(pool, quant, method, {
        onProgress: (done, total) => progress.push(done / total),
      });
      assert.deepEqual(held, want, `${method}, the samples the workers hold`);
      assert.deepEqual(progress, [0.2, 0.4, 0.6, 0.8, 1]);
      const sent = await analyzePrecisionOnPool(pool, quant, method, {
        samples: samples.slice(1, 4),
      });
      assert.deepEqual(sent, analyzePrecision(exec, emu, samples.slice(1, 4), method), method);
      // samples 0 and 2 are held by the first worker, 4 by the second
      const picked = await analyzePrecisionOnPool(pool, quant, method, { indices: [0, 2, 4] });
      const want3 = analyzePrecision(exec, emu, [samples[0], samples[2], samples[4]], method);
      assert.deepEqual(picked, want3, `${method}, held samples 0, 2 and 4`);
    }
    // a Conv whose output is fused into its Relu has no row of its own; the Relu's row
    // names both
    const rows = analyzePrecision(exec, emu, samples.slice(0, 1), "PerLayer");
    assert.equal(quant.fused.size, 2, "tiny_cnn's two Conv → Relu pairs are fused");
    assert.ok(rows.every((r) => !quant.fused.has(r.tensor)));
    const chains = rows.filter((r) => r.type === "Conv + Relu");
    assert.equal(chains.length, quant.fused.size);
    assert.ok(rows.some((r) => r.mse > 0), "quantization leaves some error");
  } finally {
    pool.close();
  }
});

Deno.test("analyzePrecisionOnPool() after the io export's emulation of sample 0 equals analyzePrecision()", async () => {
  const { model, quant, samples } = await tinyCnn();
  const pool = await SamplePool.open(model, samples, { workers: 2 });
  assert.ok(pool);
  try {
    await pool.loadQuant(quant);
    const emu = new QuantEmulator(quant, REGISTRY);
    // worker 0 holds sample 0 and keeps this run for its analysis of it
    assert.deepEqual(await pool.emulateHeld(0), emu.run(samples[0]));
    const want = analyzePrecision(new Executor(model, REGISTRY), emu, samples, "PerLayer");
    assert.deepEqual(await analyzePrecisionOnPool(pool, quant, "PerLayer"), want);
  } finally {
    pool.close();
  }
});
