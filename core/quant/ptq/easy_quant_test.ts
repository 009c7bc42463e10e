import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { f32 } from "../../ir/tensor.ts";
import { randomValues } from "../_testing.ts";
import { easyQuant, SCALE_GRID } from "./easy_quant.ts";
import { heldOutError, normal, quantizeOn, REGISTRY, samplesOf } from "./_testing.ts";

/**
 * x [1, 8, 4, 4] → Conv 3×3 (bias) → c → Relu → r → Conv 1×1 → y. The calibration set is
 * |normal| noise (like a Relu output) plus one value of 40 in the first sample, so MinMax
 * stretches x's scale about tenfold; the Relu output's range is stretched with it.
 */
function convChain() {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4, 4, 4] }],
    initializers: {
      w0: f32([8, 8, 3, 3], randomValues(8 * 8 * 9, 11, -0.3, 0.3)),
      b0: f32([8], randomValues(8, 12, -0.1, 0.1)),
      w1: f32([4, 8, 1, 1], randomValues(32, 13)),
    },
    nodes: [
      {
        opType: "Conv",
        inputs: ["x", "w0", "b0"],
        outputs: ["c"],
        name: "conv0",
        attrs: { pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Relu", inputs: ["c"], outputs: ["r"], name: "relu" },
      { opType: "Conv", inputs: ["r", "w1"], outputs: ["y"], name: "conv1" },
    ],
  });
}

const halfNormal = (rand: () => number) => Math.abs(normal(rand));

function calibration() {
  const samples = samplesOf("x", [1, 8, 4, 4], 16, 1, halfNormal);
  samples[0].get("x")!.data[5] = 40;
  return samples;
}

Deno.test("easyQuant() raises the held-out cosine when one calibration outlier stretches a scale", () => {
  const model = convChain();
  const calib = calibration();
  const q = quantizeOn(model, calib);
  const { quant, report } = easyQuant(q, calib, REGISTRY, { budgetMs: 60_000 });
  assert.equal(report.layers, 2);
  assert.equal(report.timedOut, false);
  assert.ok(report.inputScales >= 1);
  assert.ok(report.cosineAfter > report.cosineBefore);
  const heldOut = samplesOf("x", [1, 8, 4, 4], 16, 200, halfNormal);
  const before = heldOutError(q, model, heldOut);
  const after = heldOutError(quant, model, heldOut);
  assert.ok(after.cosine > before.cosine, `cosine ${before.cosine} -> ${after.cosine}`);
  // x's searched scale is a product of grid factors, its zero point kept
  const x0 = q.activations.get("x");
  const x1 = quant.activations.get("x");
  assert.ok(x0?.kind === "quant" && x1?.kind === "quant");
  assert.ok(x1.scale < x0.scale && x1.scale >= x0.scale * SCALE_GRID[0] ** 2 * 0.999);
  assert.equal(x1.zeroPoint, x0.zeroPoint);
});

Deno.test("easyQuant() stops before the first layer when the budget is spent", () => {
  const model = convChain();
  const calib = calibration();
  const q = quantizeOn(model, calib);
  const { quant, report } = easyQuant(q, calib, REGISTRY, { budgetMs: -1 });
  assert.equal(report.layers, 0);
  assert.equal(report.timedOut, true);
  assert.equal(quant.constants.get("w0"), q.constants.get("w0"));
});
