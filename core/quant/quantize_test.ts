import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32, s64 } from "../ir/tensor.ts";
import { quantizeBias, quantizeWeight } from "./quantize.ts";
import { DEFAULT_PRECISION, quantizeDefault, statsOf } from "./_testing.ts";
import type { PrecisionPlan } from "./precision.ts";

/** x [1, 2, 1, 2] → Conv (1×1, 2 channels, bias) → c → Relu → r → Reshape → y [1, 4]. */
function convReluReshape() {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    initializers: {
      // channel 0 [0.5, −2], channel 1 [0.5, 0.2]
      w: f32([2, 2, 1, 1], [0.5, -2, 0.5, 0.2]),
      b: f32([2], [0.1, -0.3]),
      shape: s64([2], [1, 4]),
    },
    nodes: [
      { opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], name: "conv" },
      { opType: "Relu", inputs: ["c"], outputs: ["r"], name: "relu" },
      { opType: "Reshape", inputs: ["r", "shape"], outputs: ["y"], name: "reshape" },
    ],
  });
}

const CONV_STATS = statsOf({ x: [-1, 1], c: [-3, 2], r: [0, 2], y: [0, 2.5] });

Deno.test("quantizeModel() fuses a Conv into the Relu that is its only reader", () => {
  const q = quantizeDefault(convReluReshape(), CONV_STATS);
  assert.deepEqual([...q.fused], ["c"]);
  assert.equal(q.activations.has("c"), false);
  assert.equal(q.activations.get("r")?.kind, "quant");
});

Deno.test("quantizeModel() shares the input's parameters across a Reshape", () => {
  const q = quantizeDefault(convReluReshape(), CONV_STATS);
  const r = q.activations.get("r");
  const y = q.activations.get("y");
  assert.ok(r?.kind === "quant" && y?.kind === "quant");
  assert.equal(y.state, "OVERLAPPED");
  assert.equal(y.dominator, "r");
  // the group takes the root's range [0, 2], not y's own [0, 2.5]
  assert.equal(y.scale, r.scale);
  assert.equal(r.scale, Math.fround(2 / 255));
});

Deno.test("quantizeModel() gives per-channel weight scales max|w|/127 and bias scales s_x·s_w", () => {
  const q = quantizeDefault(convReluReshape(), CONV_STATS);
  const w = q.constants.get("w")!;
  assert.equal(w.axis, 0);
  assert.deepEqual([...w.scales], [Math.fround(2 / 127), Math.fround(0.5 / 127)]);
  // 0.5/(2/127) = 31.75 → 32; −2 → −127; 0.5/(0.5/127) = 127; 0.2/(0.5/127) = 50.8 → 51
  assert.deepEqual([...w.codes], [32, -127, 127, 51]);
  const x = q.activations.get("x");
  assert.ok(x?.kind === "quant");
  const b = q.constants.get("b")!;
  const bs = [0, 1].map((c) => Math.fround(x.scale * w.scales[c]));
  assert.deepEqual([...b.scales], bs);
  assert.deepEqual([...b.codes], [Math.round(0.1 / bs[0]), Math.round(-0.3 / bs[1])]);
});

Deno.test("quantizeModel() keeps biases float when conv_bias_data_type is FP32, and does not fuse", () => {
  const q = quantizeDefault(convReluReshape(), CONV_STATS, { biasDataType: "FP32" });
  assert.equal(q.constants.has("b"), false);
  // the integer Conv kernel needs an S32 bias, so the Conv keeps parameters of its own
  assert.equal(q.fused.size, 0);
  assert.equal(q.activations.get("c")?.kind, "quant");
});

Deno.test("quantizeModel() does not fuse a Conv into a Relu whose output stays FP32", () => {
  const model = convReluReshape();
  const relu = model.graph.nodes.find((n) => n.name === "relu")!;
  const precision: PrecisionPlan = {
    ...DEFAULT_PRECISION,
    byNode: new Map([[relu, { data: "FP32", output: "FP32", weight: "S8" }]]),
  };
  const q = quantizeDefault(model, CONV_STATS, { precision });
  assert.equal(q.fused.size, 0);
  assert.equal(q.activations.get("r")?.kind, "float");
});

Deno.test("quantizeModel() keeps own parameters for an Add with a constant operand before a Clip", () => {
  // Paddle's hardswish: x · Clip(x + 3, 0, 6) / 6
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [4] }],
    initializers: {
      three: f32([], [3]),
      zero: f32([], [0]),
      six: f32([], [6]),
    },
    nodes: [
      { opType: "Add", inputs: ["x", "three"], outputs: ["a"] },
      { opType: "Clip", inputs: ["a", "zero", "six"], outputs: ["c"] },
      { opType: "Mul", inputs: ["x", "c"], outputs: ["m"] },
      { opType: "Div", inputs: ["m", "six"], outputs: ["y"] },
    ],
  });
  const stats = statsOf({ x: [-4, 4], a: [-1, 7], c: [0, 6], m: [-1, 24], y: [-0.2, 4] });
  const q = quantizeDefault(model, stats);
  assert.equal(q.fused.size, 0);
  assert.equal(q.activations.get("a")?.kind, "quant");
});

Deno.test("quantizeModel() codes a Gemm weight along axis 0 when transB is set", () => {
  const gemm = (attrs: Record<string, ReturnType<typeof attr.int>>) =>
    buildModel({
      inputs: [{ name: "x", dtype: "f32", shape: [1, 2] }],
      outputs: [{ name: "y", dtype: "f32", shape: [1, 3] }],
      initializers: { w: f32([3, 2], [1, 2, 3, 4, 5, 6]), b: f32([3], [0, 0, 0]) },
      nodes: [{ opType: "Gemm", inputs: ["x", "w", "b"], outputs: ["y"], attrs }],
    });
  const stats = statsOf({ x: [-1, 1], y: [-10, 10] });
  const q = quantizeDefault(gemm({ transB: attr.int(1) }), stats);
  assert.equal(q.constants.get("w")?.axis, 0);
  assert.deepEqual([...q.constants.get("w")!.scales], [2, 4, 6].map((m) => Math.fround(m / 127)));
  // alpha ≠ 1 is not a plain product: the weight stays float
  const scaled = quantizeDefault(gemm({ transB: attr.int(1), alpha: attr.float(0.5) }), stats);
  assert.equal(scaled.constants.has("w"), false);
});

Deno.test("quantizeWeight() scales each channel along axis 1 by its own max|w|/127", () => {
  // [2, 2]: column 0 holds 1 and −4, column 1 holds 0.5 and 0.25
  const q = quantizeWeight(f32([2, 2], [1, 0.5, -4, 0.25]), 1, 0);
  assert.equal(q.axis, 1);
  assert.deepEqual([...q.scales], [Math.fround(4 / 127), Math.fround(0.5 / 127)]);
  // 1/(4/127) = 31.75 → 32; 0.25/(0.5/127) = 63.5 (a hair above with the float32 scale) → 64
  assert.deepEqual([...q.codes], [32, 127, -127, 64]);
});

Deno.test("quantizeWeight() raises a channel's max to refine_weight_threshold", () => {
  const q = quantizeWeight(f32([2, 1], [0.5, 2]), 0, 1);
  // channel 0: max(0.5, 1) = 1 → 0.5 codes as 63.5(+) → 64; channel 1 keeps its max 2
  assert.deepEqual([...q.scales], [Math.fround(1 / 127), Math.fround(2 / 127)]);
  assert.deepEqual([...q.codes], [64, 127]);
});

Deno.test("quantizeBias() codes a bias with scale s_x·s_w[c]", () => {
  const q = quantizeBias(f32([2], [1, -0.3]), 0.5, Float32Array.of(0.1, 0.02));
  assert.equal(q.qtype, "S32");
  assert.deepEqual([...q.scales], [Math.fround(0.05), Math.fround(0.01)]);
  assert.deepEqual([...q.codes], [20, -30]);
});
