import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { calibrateAndQuantize, randomFeeds, randomValues, REGISTRY } from "./_testing.ts";
import { QuantEmulator } from "./emulator.ts";
import { calibrateOnPool } from "./calibrate_parallel.ts";
import { quantToWire } from "./pool_wire.ts";
import { SamplePool } from "./sample_pool.ts";
import { emulateOnWorker } from "./worker_pool.ts";

/** `x [1, 3, 8, 8]` → Conv 3×3 (pad 1) → Relu → GlobalAveragePool → Flatten → `y [1, 4]`. */
function smallNet() {
  return buildModel({
    name: "small",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 8, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Relu", name: "relu", inputs: ["c"], outputs: ["r"] },
      { opType: "GlobalAveragePool", name: "gap", inputs: ["r"], outputs: ["g"] },
      { opType: "Flatten", name: "flatten", inputs: ["g"], outputs: ["y"] },
    ],
    initializers: { w: f32([4, 3, 3, 3], randomValues(108, 5, -0.5, 0.5)) },
  });
}

Deno.test("SamplePool.open() leaves fewer than 4 samples or one worker to this thread", async () => {
  const model = smallNet();
  const samples = [1, 2, 3].map((s) => randomFeeds(model, s));
  assert.equal(await SamplePool.open(model, samples, { workers: 2 }), undefined);
  const more = [...samples, randomFeeds(model, 4)];
  assert.equal(await SamplePool.open(model, more, { workers: 1 }), undefined);
});

Deno.test("calibrateOnPool() hands over the float outputs of the first sample", async () => {
  const model = smallNet();
  const samples = [1, 2, 3, 4, 5].map((s) => randomFeeds(model, s));
  const pool = await SamplePool.open(model, samples, { workers: 2 });
  assert.ok(pool);
  try {
    assert.deepEqual(pool.starts, [0, 3, 5]);
    let first: Map<string, unknown> | undefined;
    await calibrateOnPool(pool, { method: "MinMax", onFirstOutputs: (o) => (first = o) });
    assert.deepEqual(first, new Executor(model, REGISTRY).run(samples[0]));
  } finally {
    pool.close();
  }
});

Deno.test("emulateOnWorker() equals QuantEmulator.run() in both arithmetics, every value kept", async () => {
  const model = smallNet();
  const quant = calibrateAndQuantize(model, 4, 40);
  assert.ok(quant.fused.has("c"), "the Conv output is fused into the Relu");
  const samples = [1, 2, 3, 4].map((s) => randomFeeds(model, 50 + s));
  const pool = await SamplePool.open(model, samples, { workers: 2 });
  assert.ok(pool);
  try {
    await pool.loadQuant(quant);
    assert.deepEqual(
      await pool.emulateHeld(2),
      new QuantEmulator(quant, REGISTRY).run(samples[2]),
    );
    const wire = quantToWire(quant);
    for (const arithmetic of ["qdq", "npu"] as const) {
      const want = new Map();
      const emu = new QuantEmulator(quant, REGISTRY, { arithmetic });
      const out = emu.run(samples[1], { onValue: (n, t) => want.set(n, t) });
      for (const [k, v] of out) want.set(k, v);
      const got = await emulateOnWorker(pool.pool, 0, samples[1], {
        quant: wire,
        arithmetic,
        keep: "all",
      });
      assert.deepEqual([...got.keys()], ["r", "g", "y"], arithmetic);
      assert.deepEqual(got, want, arithmetic);
    }
  } finally {
    pool.close();
  }
});
