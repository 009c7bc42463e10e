import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { absHistogram, divergence, KL_BINS, KL_EPSILON, klThresholdBin } from "./kl_threshold.ts";
import { Histogram } from "./histogram.ts";
import { klLevels, klRange } from "./range_methods.ts";
import { calibrate } from "./calibrate.ts";
import { resolvePrecision } from "./precision.ts";
import { quantizeModel } from "./quantize.ts";
import { REGISTRY } from "./_testing.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("absHistogram() folds counts at 0 one to one when the bin edges coincide", () => {
  // bins [-1,0] [0,1] [1,2] [2,3] → |x| bins [0,1] [1,2] [2,3]: the first two meet in [0,1]
  assert.deepEqual([...absHistogram([4, 1, 2, 3], -1, 3, 3, 3)], [5, 2, 3]);
});

Deno.test("absHistogram() splits a count in proportion to the overlap when widths differ", () => {
  // [0,0.5] [0.5,1] into thirds: 3 → 2 + 1, 6 → 2 + 4
  assert.deepEqual([...absHistogram([3, 6], 0, 1, 1, 3)], [2, 3, 4]);
  // [-0.5,0.5] straddles 0: 1 value per side, both in |x| ∈ [0,0.5]; [0.5,1.5] → 2 + 2
  assert.deepEqual([...absHistogram([2, 4], -0.5, 1.5, 1.5, 3)], [2, 2, 2]);
});

Deno.test("divergence() is KL(P‖Q) with the tail in P's last bin and Q spread over P's support", () => {
  // h = [3,1,2,1 | 2], t = 4, 2 levels: P = [3,1,2,3]/9, Q = [2,2,1.5,1.5]/7
  const kl = divergence(Float64Array.from([3, 1, 2, 1, 2]), 4, 2);
  const p = [3 / 9, 1 / 9, 2 / 9, 3 / 9];
  const q = [2 / 7, 2 / 7, 1.5 / 7, 1.5 / 7];
  close(kl, p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0));
});

Deno.test("divergence() gives an empty Q bin under P's tail the smoothing count", () => {
  // h = [3,1,0,0 | 2], t = 4, 2 levels: P = [3,1,0,2]/6; the second group holds no
  // values, so Q = [2, 2, 0, ε] / (4 + ε)
  const kl = divergence(Float64Array.from([3, 1, 0, 0, 2]), 4, 2);
  const qs = 4 + KL_EPSILON;
  const want = (3 / 6) * Math.log((3 / 6) / (2 / qs)) +
    (1 / 6) * Math.log((1 / 6) / (2 / qs)) +
    (2 / 6) * Math.log((2 / 6) / (KL_EPSILON / qs));
  close(kl, want);
});

Deno.test("klThresholdBin() keeps every bin of flat data under a spike of zeros", () => {
  // Half the values exact zeros (bin 0), the rest one per bin: with the zero bin set to its
  // neighbour the data is flat, Q equals P only without clipping (KL 0), so t = 2048.
  const h = new Float64Array(KL_BINS).fill(1);
  h[0] = KL_BINS + 1;
  assert.equal(klThresholdBin(h, 256), KL_BINS);
});

Deno.test("klLevels() counts the codes on one side of 0 for symmetric and two-sided data", () => {
  assert.equal(klLevels("U8", true), 256);
  assert.equal(klLevels("U8", false), 128);
  assert.equal(klLevels("S8", true), 128);
  assert.equal(klLevels("S8", false), 128);
});

Deno.test("klRange() keeps the whole range of post-ReLU data that is half zeros", () => {
  const h = new Histogram(0, 1, 2048);
  const v: number[] = [];
  for (let i = 0; i < 2048; i++) v.push((i + 0.5) / 2048, 0);
  h.add(v);
  assert.deepEqual(klRange(h, { min: 0, max: 1 }, "U8"), { min: 0, max: 1 });
});

Deno.test("quantizeModel() with KL keeps a Relu output's range when half its values are 0", () => {
  // x → Relu → Sigmoid: x spans [−1, 1] evenly, so the Relu output is half zeros and half
  // evenly spread over (0, 1]; KL must not clip it (it used to cut it to about 1/4).
  const n = 4096;
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, n] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, n] }],
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["r"], name: "relu" },
      { opType: "Sigmoid", inputs: ["r"], outputs: ["y"], name: "sig" },
    ],
  });
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = -1 + (2 * (i + 0.5)) / n;
  const exec = new Executor(model, REGISTRY);
  const stats = calibrate(exec, [new Map([["x", new Tensor("f32", [1, n], x)]])], {
    method: "KL",
  });
  const q = quantizeModel(model, stats, {
    method: "KL",
    precision: resolvePrecision(model.graph, []),
    biasDataType: "S32",
    refineWeightThreshold: 1e-6,
  });
  const r = q.activations.get("r");
  assert.ok(r?.kind === "quant");
  assert.equal(r.min, 0);
  assert.equal(r.max, stats.get("r")?.observed.max);
});
