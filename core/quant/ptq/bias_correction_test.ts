import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { f32 } from "../../ir/tensor.ts";
import { dequantizeConstant } from "../codes.ts";
import { correctBias } from "./bias_correction.ts";
import { heldOutError, quantizeOn, REGISTRY, samplesOf } from "./_testing.ts";

/**
 * x [1, 16] in [0, 1) → Gemm (B [16, 2], bias) → y. Column 0 is [1, 0.011 × 15]: with
 * scale 1/127 each 0.011 (1.397 codes) rounds down to one code, 0.003126 short, so the
 * quantized output sits 15 · 0.003126 · E[x] = 0.02345 low on average. Column 1 is exact
 * on the grid (codes 127 and 16).
 */
function gemm() {
  const b = new Float32Array(32);
  for (let k = 0; k < 16; k++) {
    b[k * 2] = k === 0 ? 1 : 0.011;
    b[k * 2 + 1] = k === 0 ? 1 : 16 / 127;
  }
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 16] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2] }],
    initializers: { b: f32([16, 2], b), c: f32([2], [0.25, -0.5]) },
    nodes: [{
      opType: "Gemm",
      inputs: ["x", "b", "c"],
      outputs: ["y"],
      name: "gemm",
      attrs: { transB: attr.int(0) },
    }],
  });
}

const uniform = (rand: () => number) => rand();

Deno.test("correctBias() adds the mean output shift of rounded weights back to the bias", () => {
  const model = gemm();
  const q = quantizeOn(model, samplesOf("x", [1, 16], 16, 1, uniform));
  const { quant, report } = correctBias(q, samplesOf("x", [1, 16], 64, 2, uniform), REGISTRY);
  assert.equal(report.layers, 1);
  const before = dequantizeConstant([2], q.constants.get("c")!).data;
  const after = dequantizeConstant([2], quant.constants.get("c")!).data;
  // hand-computed: 15 · (1/127 − 0.011) · 0.5 = −0.02345 is removed from channel 0
  assert.ok(Math.abs(after[0] - before[0] - 0.02345) < 2e-3, `${after[0] - before[0]}`);
  // channel 1's weights are on the grid: only input rounding remains, with mean ≈ 0
  assert.ok(Math.abs(after[1] - before[1]) < 2e-3, `${after[1] - before[1]}`);
  // the float model is untouched
  assert.deepEqual([...quant.model.graph.initializers.get("c")!.data], [0.25, -0.5]);
});

Deno.test("correctBias() lowers the held-out output error of the quantized model", () => {
  const model = gemm();
  const calib = samplesOf("x", [1, 16], 64, 1, uniform);
  const q = quantizeOn(model, calib);
  const { quant } = correctBias(q, calib, REGISTRY);
  const heldOut = samplesOf("x", [1, 16], 32, 99, uniform);
  const before = heldOutError(q, model, heldOut);
  const after = heldOutError(quant, model, heldOut);
  assert.ok(after.mse < before.mse / 2, `mse ${before.mse} -> ${after.mse}`);
  assert.ok(after.cosine > before.cosine, `cosine ${before.cosine} -> ${after.cosine}`);
});
