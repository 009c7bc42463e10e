/**
 * KL calibration on a real network: resnet18 from ../shared/models calibrated with KL on
 * the first 24 images of ../shared/calib/images-32.tar keeps its final output close to the
 * float model on the other 8 (cosine >= 0.99, the bar MinMax meets in
 * `quant_accuracy_test.ts`). Its 17 post-ReLU tensors are half exact zeros, the case that
 * once made KL clip each of them to a quarter of its range (worst cosine 0.75).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { evaluateQuantization } from "./quant_eval.ts";

const SHARED = join(import.meta.dirname ?? ".", "../../../shared");

Deno.test("evaluateQuantization() with KL keeps resnet18's held-out cosine >= 0.99", async () => {
  const [r] = await evaluateQuantization({
    model: join(SHARED, "models", "resnet18.onnx"),
    dataset: join(SHARED, "calib/images-32.tar"),
    calibrationSize: 24,
    methods: ["KL"],
  });
  assert.equal(r.heldOut, 8);
  assert.ok(r.minCosine >= 0.99, `worst held-out cosine ${r.minCosine}`);
});
