import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { f32 } from "../../ir/tensor.ts";
import { randomValues } from "../_testing.ts";
import { adaRound } from "./adaround.ts";
import { heldOutError, normal, quantizeOn, REGISTRY, samplesOf } from "./_testing.ts";

const uniform = (rand: () => number) => rand();
const OPTS = { maxSweeps: 500, budgetMs: 60_000 };

Deno.test("adaRound() rounds one of two equal weights down when their errors add up (hand-computed)", () => {
  // y = x · [1, 0.6/127, 0.6/127]ᵀ with x1 = x2 = 1: scale 1/127, nearest codes
  // [127, 1, 1] leave an output error of 0.8/127; codes [127, 0, 1] leave 0.2/127, and
  // [127, 0, 0] 1.2/127
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1] }],
    initializers: { w: f32([3, 1], [1, 0.6 / 127, 0.6 / 127]) },
    nodes: [{ opType: "MatMul", inputs: ["x", "w"], outputs: ["y"], name: "mm" }],
  });
  const samples = samplesOf("x", [1, 3], 8, 1, uniform).map((s) => {
    const x = s.get("x")!;
    x.data[1] = 1;
    x.data[2] = 1;
    return s;
  });
  const q = quantizeOn(model, samples);
  assert.deepEqual([...q.constants.get("w")!.codes], [127, 1, 1]);
  const { quant, report } = adaRound(q, samples, REGISTRY, OPTS);
  assert.deepEqual([...quant.constants.get("w")!.codes], [127, 0, 1]);
  const [l] = report.layers;
  const s = 1 / 127;
  // Δᵀ H Δ over 8 samples whose x1, x2 are 1 (x0's weight is exact)
  assert.ok(Math.abs(l.before - 8 * (0.8 * s) ** 2) < 1e-9, `${l.before}`);
  assert.ok(Math.abs(l.after - 8 * (0.2 * s) ** 2) < 1e-9, `${l.after}`);
  assert.equal(l.flipped, 1);
});

/** x [1, 16, 6, 6] → Conv 3×3 (16 → 8, bias) → y, inputs correlated across channels. */
function conv() {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 16, 6, 6] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 8, 6, 6] }],
    initializers: {
      w: f32([8, 16, 3, 3], randomValues(8 * 16 * 9, 21, -0.2, 0.2)),
      b: f32([8], randomValues(8, 22, -0.1, 0.1)),
    },
    nodes: [{
      opType: "Conv",
      inputs: ["x", "w", "b"],
      outputs: ["y"],
      name: "conv",
      attrs: { pads: attr.ints([1, 1, 1, 1]) },
    }],
  });
}

/** Samples whose channels share one common component, as real feature maps do. */
function correlated(count: number, seed: number) {
  return samplesOf("x", [1, 16, 6, 6], count, seed, normal).map((s) => {
    const x = s.get("x")!;
    for (let p = 0; p < 36; p++) {
      const common = x.data[p] as number;
      for (let c = 1; c < 16; c++) {
        x.data[c * 36 + p] = 0.8 * common + 0.3 * (x.data[c * 36 + p] as number);
      }
    }
    return s;
  });
}

Deno.test("adaRound() lowers the Conv's output error on calibration and held-out samples", () => {
  const model = conv();
  const calib = correlated(16, 1);
  const q = quantizeOn(model, calib);
  const { quant, report } = adaRound(q, calib, REGISTRY, OPTS);
  const [l] = report.layers;
  assert.ok(l.after < l.before * 0.7, `${l.before} -> ${l.after}`);
  assert.ok(l.flipped > 0);
  assert.deepEqual(quant.constants.get("w")!.scales, q.constants.get("w")!.scales);
  const heldOut = correlated(16, 300);
  const before = heldOutError(q, model, heldOut);
  const after = heldOutError(quant, model, heldOut);
  assert.ok(after.mse < before.mse, `mse ${before.mse} -> ${after.mse}`);
  assert.ok(after.cosine > before.cosine, `cosine ${before.cosine} -> ${after.cosine}`);
});

Deno.test("adaRound() keeps round-to-nearest when the budget is spent", () => {
  const model = conv();
  const calib = correlated(2, 1);
  const q = quantizeOn(model, calib);
  const { quant, report } = adaRound(q, calib, REGISTRY, { maxSweeps: 500, budgetMs: -1 });
  assert.equal(report.timedOut, true);
  assert.equal(quant.constants.get("w"), q.constants.get("w"));
});
