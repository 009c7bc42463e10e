import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import type { Model } from "../ir/graph.ts";
import { f32 } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { calibrateInThread } from "../quant/calibrate_parallel.ts";
import { quantizeModel } from "../quant/quantize.ts";
import { resolvePrecision } from "../quant/precision.ts";
import type { LayerConfig } from "../config/build_config.ts";
import { defaultLayerConfig } from "../config/build_defaults.ts";
import { createLogger } from "../util/log.ts";
import { seededFloat32 } from "./_acceptance_helpers.ts";
import { HazardLint, withHazardFixes } from "./hazard_stage.ts";

/** Calibrate `model` on 4 seeded samples of `shape`; lint it under `configs`. */
function lintWith(model: Model, shape: number[], configs: readonly LayerConfig[] = []) {
  const samples = [0, 1, 2, 3].map((k) => new Map([["x", seededFloat32(shape, 40 + k)]]));
  const stats = calibrateInThread(model, samples, { method: "MinMax" });
  const lint = new HazardLint(model, stats, samples, defaultRegistry());
  const quant = quantizeModel(model, stats, {
    method: "MinMax",
    precision: resolvePrecision(model.graph, configs),
    biasDataType: "S32",
    refineWeightThreshold: 1e-6,
  });
  return { hazards: lint.run(quant), quant };
}

/** Lint, apply the fixes, lint again: the kinds found first and what remains. */
function fixRoundTrip(model: Model, shape: number[]) {
  const first = lintWith(model, shape).hazards;
  const log: string[] = [];
  const configs = withHazardFixes(
    model.graph,
    [],
    first,
    createLogger({ sink: (l) => log.push(l) }),
  );
  return { first, log, after: lintWith(model, shape, configs).hazards };
}

Deno.test("HazardLint finds a Softmax in U8 and its fix leaves none", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 8] }],
    nodes: [
      { opType: "MatMul", name: "fc", inputs: ["x", "w"], outputs: ["logits"] },
      { opType: "Softmax", name: "probs", inputs: ["logits"], outputs: ["y"] },
    ],
    initializers: { w: seededFloat32([8, 8], 3) },
  });
  const { first, log, after } = fixRoundTrip(model, [1, 8]);
  assert.deepEqual(first.map((h) => [h.kind, h.node]), [["sensitive_u8", "probs"]]);
  assert.ok(log.some((l) => l.includes('applying {"layer_name": "probs", "data_type": "U16"}')));
  assert.deepEqual(after, []);
});

Deno.test("HazardLint finds a 5×5 depthwise with an outlier input channel", () => {
  // channel 3 is scaled 100× before the depthwise Conv
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4, 8, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4, 8, 8] }],
    nodes: [
      { opType: "Mul", name: "gain", inputs: ["x", "g"], outputs: ["xg"] },
      {
        opType: "Conv",
        name: "dw",
        inputs: ["xg", "w"],
        outputs: ["y"],
        attrs: {
          group: attr.int(4),
          kernel_shape: attr.ints([5, 5]),
          pads: attr.ints([2, 2, 2, 2]),
        },
      },
    ],
    initializers: { g: f32([1, 4, 1, 1], [1, 1, 1, 100]), w: seededFloat32([4, 1, 5, 5], 5) },
  });
  const { first, after } = fixRoundTrip(model, [1, 4, 8, 8]);
  const h = first[0];
  assert.equal(first.length, 1);
  assert.equal(h.kind, "depthwise_outliers");
  if (h.kind === "depthwise_outliers") {
    assert.equal(h.outliers, 1);
    // the median channel spans about 2 of a ~200/255 step: under 3 codes
    assert.ok(h.codes > 2 && h.codes < 3, String(h.codes));
  }
  assert.deepEqual(h.fix, { layer_name: "dw", data_type: "U16" });
  assert.deepEqual(after, []);
});

Deno.test("HazardLint reads an Add fused into its Relu in the Relu's codes", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 16] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 16] }],
    nodes: [
      { opType: "Mul", name: "big", inputs: ["x", "k1"], outputs: ["a"] },
      { opType: "Mul", name: "small", inputs: ["x", "k2"], outputs: ["b"] },
      { opType: "Add", name: "sum", inputs: ["a", "b"], outputs: ["s"] },
      { opType: "Relu", name: "relu", inputs: ["s"], outputs: ["y"] },
    ],
    initializers: { k1: f32([], [1000]), k2: f32([], [0.001]) },
  });
  const { quant } = lintWith(model, [1, 16]);
  assert.ok(quant.fused.has("s"), "the Add requantizes into the Relu");
  const { first, after } = fixRoundTrip(model, [1, 16]);
  assert.deepEqual(first.map((h) => [h.kind, h.node, h.fix]), [
    ["mixed_range", "sum", { layer_names: ["sum", "relu"], data_type: "FP32" }],
  ]);
  assert.deepEqual(after, []);
});

Deno.test("withHazardFixes() leaves a hazard to the user entry that selects its operator", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 8] }],
    nodes: [{ opType: "Softmax", name: "probs", inputs: ["x"], outputs: ["y"] }],
  });
  const user = [{ ...defaultLayerConfig(), op_type: "Softmax" }];
  const hazards = lintWith(model, [1, 8], user).hazards;
  assert.equal(hazards.length, 1);
  const log: string[] = [];
  const configs = withHazardFixes(
    model.graph,
    user,
    hazards,
    createLogger({ sink: (l) => log.push(l) }),
  );
  assert.deepEqual(configs, user);
  assert.ok(log.some((l) => l.includes("left to quant.layer_configs[0]")), log.join("\n"));
});
