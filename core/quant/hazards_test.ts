import { strict as assert } from "node:assert";
import { attr, buildModel, type NodeSpec } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import type { Graph } from "../ir/graph.ts";
import { type ChannelRanges, findHazards, type Hazard, type TensorView } from "./hazards.ts";
import type { Precision } from "./precision.ts";

const u8 = (min: number, max: number, precision: Precision = "U8"): TensorView => ({
  precision,
  min,
  max,
});

/** A graph of `nodes` from input `x` to output `y` (shapes do not matter to the lint). */
function graph(nodes: NodeSpec[], initializers = {}): Graph {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 8, 4, 4] }],
    nodes,
    initializers,
  }).graph;
}

/** Boxes `x → Mul(640) → box` and scores `x → Sigmoid → score`, concatenated as `cat`. */
const HEAD: NodeSpec[] = [
  { opType: "Mul", name: "box_scale", inputs: ["x", "k"], outputs: ["box"] },
  { opType: "Sigmoid", name: "score_sigmoid", inputs: ["x"], outputs: ["score"] },
  { opType: "Concat", name: "cat", inputs: ["box", "score"], outputs: ["cat"], attrs: {} },
];
const HEAD_VIEWS: [string, TensorView][] = [
  ["x", u8(-1, 1)],
  ["box", u8(0, 640)],
  ["score", u8(0.47, 0.53)],
  ["cat", u8(0, 640)],
];

function only(hazards: Hazard[]): Hazard {
  assert.equal(hazards.length, 1, JSON.stringify(hazards));
  return hazards[0];
}

Deno.test("findHazards() names a Concat of boxes and scores and fixes it with FP32", () => {
  const g = graph(
    [...HEAD, { opType: "Transpose", name: "t", inputs: ["cat"], outputs: ["y"] }],
    { k: f32([], [640]) },
  );
  const h = only(findHazards(g, { tensors: new Map([...HEAD_VIEWS, ["y", u8(0, 640)]]) }));
  assert.equal(h.kind, "bounded_merge");
  assert.equal(h.node, "cat");
  if (h.kind !== "bounded_merge") return;
  assert.equal(h.narrow.tensor, "score");
  assert.equal(h.wide.tensor, "box");
  // step 640/255; the scores span 0.06 of it
  assert.ok(Math.abs(h.codes - 0.06 / (640 / 255)) < 1e-7);
  assert.ok(Math.abs(h.ratio - 640 / 0.06) < 1e-6);
  assert.deepEqual(h.fix, { layer_name: "cat", data_type: "FP32" });
});

Deno.test("findHazards() extends a merge's fix over element-wise nodes up to the outputs", () => {
  const g = graph(
    [...HEAD, { opType: "Mul", name: "stride", inputs: ["cat", "s"], outputs: ["y"] }],
    { k: f32([], [640]), s: f32([], [2]) },
  );
  const h = only(findHazards(g, { tensors: new Map([...HEAD_VIEWS, ["y", u8(0, 1280)]]) }));
  assert.deepEqual(h.fix, { layer_names: ["cat", "stride"], data_type: "FP32" });
});

Deno.test("findHazards() fixes the merge alone when a later node mixes its channels", () => {
  const g = graph(
    [...HEAD, { opType: "Conv", name: "mix", inputs: ["cat", "w"], outputs: ["y"] }],
    { k: f32([], [640]), w: f32([8, 8, 1, 1]) },
  );
  const h = only(findHazards(g, { tensors: new Map([...HEAD_VIEWS, ["y", u8(-5, 5)]]) }));
  assert.deepEqual(h.fix, { layer_name: "cat", data_type: "FP32" });
});

Deno.test("findHazards() reports nothing when the merged tensor stays float", () => {
  const g = graph([...HEAD, { opType: "Relu", inputs: ["cat"], outputs: ["y"] }], {
    k: f32([], [640]),
  });
  const views = new Map(HEAD_VIEWS);
  views.set("cat", u8(0, 640, "FP32"));
  assert.deepEqual(findHazards(g, { tensors: views }), []);
});

const ADD: NodeSpec[] = [
  { opType: "Relu", name: "a", inputs: ["x"], outputs: ["big"] },
  { opType: "Tanh", name: "b", inputs: ["x"], outputs: ["small"] },
  { opType: "Add", name: "sum", inputs: ["big", "small"], outputs: ["y"] },
];

Deno.test("findHazards() fixes a mixed-range Add with U16 when 16 bits keep 256 codes", () => {
  const h = only(findHazards(graph(ADD), {
    tensors: new Map([["big", u8(0, 100)], ["small", u8(-1, 1)], ["y", u8(-1, 101)]]),
  }));
  assert.equal(h.kind, "mixed_range");
  // step 102/255 = 0.4: the small input spans 5 codes in U8, 5·257 = 1285 in U16
  if (h.kind === "mixed_range") assert.ok(Math.abs(h.codes - 2 / (102 / 255)) < 1e-5);
  assert.deepEqual(h.fix, { layer_name: "sum", data_type: "U16" });
});

Deno.test("findHazards() fixes a mixed-range Add with FP32 when 16 bits are not enough", () => {
  const h = only(findHazards(graph(ADD), {
    tensors: new Map([["big", u8(0, 1000)], ["small", u8(-0.001, 0.001)], ["y", u8(0, 1000)]]),
  }));
  // 0.002 / (1000/255) ≈ 5.1e-4 codes, ·257 ≈ 0.13: below 256
  assert.deepEqual(h.fix, { layer_name: "sum", data_type: "FP32" });
});

Deno.test("findHazards() accepts an Add whose narrow input keeps 16 codes or more", () => {
  // 20 / (100/255) = 51 codes
  const hazards = findHazards(graph(ADD), {
    tensors: new Map([["big", u8(0, 90)], ["small", u8(-10, 10)], ["y", u8(-10, 90)]]),
  });
  assert.deepEqual(hazards, []);
});

Deno.test("findHazards() does not call two probabilities concatenated a bounded merge", () => {
  const g = graph([
    { opType: "Sigmoid", name: "s1", inputs: ["x"], outputs: ["p"] },
    { opType: "HardSigmoid", name: "s2", inputs: ["x"], outputs: ["q"] },
    { opType: "Concat", name: "cat", inputs: ["p", "q"], outputs: ["y"] },
  ]);
  // 0.2 / (1/255) = 51 codes: fine for two probabilities (the generic rule needs 16)
  const hazards = findHazards(g, {
    tensors: new Map([["x", u8(-3, 3)], ["p", u8(0.4, 0.6)], ["q", u8(0, 1)], ["y", u8(0, 1)]]),
  });
  assert.deepEqual(hazards, []);
});

Deno.test("findHazards() flags Softmax and LayerNormalization in U8 and not in U16", () => {
  const g = graph([
    {
      opType: "LayerNormalization",
      name: "ln",
      inputs: ["x", "gamma"],
      outputs: ["n"],
      attrs: { axis: attr.int(-1) },
    },
    { opType: "Softmax", name: "sm", inputs: ["n"], outputs: ["y"] },
  ], { gamma: f32([4], [1, 1, 1, 1]) });
  const hazards = findHazards(g, {
    tensors: new Map([["x", u8(-6, 5)], ["n", u8(-3, 3)], ["y", u8(0, 1)]]),
  });
  assert.deepEqual(hazards.map((h) => [h.kind, h.node, h.fix]), [
    ["sensitive_u8", "ln", { layer_name: "ln", data_type: "U16" }],
    ["sensitive_u8", "sm", { layer_name: "sm", data_type: "U16" }],
  ]);
  const wide = findHazards(g, {
    tensors: new Map([["x", u8(-6, 5, "U16")], ["n", u8(-3, 3, "U16")], ["y", u8(0, 1, "U16")]]),
  });
  assert.deepEqual(wide, []);
});

/** `x [1, 8, …]` → depthwise Conv k×k → y. */
function depthwise(k: number): Graph {
  return graph([{
    opType: "Conv",
    name: "dw",
    inputs: ["x", "w"],
    outputs: ["y"],
    attrs: { group: attr.int(8), kernel_shape: attr.ints([k, k]) },
  }], { w: f32([8, 1, k, k]) });
}

/** Seven channels spanning [0, 1] and one spanning [0, 100]. */
const OUTLIER: ChannelRanges = {
  min: new Float32Array(8),
  max: Float32Array.from([1, 1, 1, 100, 1, 1, 1, 1]),
};

Deno.test("findHazards() flags a 7×7 depthwise whose input has an outlier channel", () => {
  const h = only(findHazards(depthwise(7), {
    tensors: new Map([["x", u8(0, 100)], ["y", u8(-3, 3)]]),
    channels: new Map([["x", OUTLIER]]),
  }));
  assert.equal(h.kind, "depthwise_outliers");
  if (h.kind !== "depthwise_outliers") return;
  // median channel spans 1 of a 100/255 step: 2.55 codes
  assert.ok(Math.abs(h.codes - 2.55) < 1e-5);
  assert.equal(h.outliers, 1);
  assert.deepEqual(h.kernel, [7, 7]);
  assert.deepEqual(h.fix, { layer_name: "dw", data_type: "U16" });
});

Deno.test("findHazards() leaves a 3×3 depthwise with the same channels alone", () => {
  const hazards = findHazards(depthwise(3), {
    tensors: new Map([["x", u8(0, 100)], ["y", u8(-3, 3)]]),
    channels: new Map([["x", OUTLIER]]),
  });
  assert.deepEqual(hazards, []);
});

Deno.test("findHazards() fixes a 16-bit merge that still loses its input with FP32", () => {
  // 0.02 / (1000/65535) ≈ 1.3 codes even in U16
  const h = only(findHazards(graph(ADD), {
    tensors: new Map([
      ["big", u8(0, 1000, "U16")],
      ["small", u8(-0.01, 0.01, "U16")],
      ["y", u8(0, 1000, "U16")],
    ]),
  }));
  assert.equal(h.kind, "mixed_range");
  assert.deepEqual(h.fix, { layer_name: "sum", data_type: "FP32" });
});

Deno.test("findHazards() flags the com.microsoft Gelu the frontend fuses", () => {
  const g = graph([
    { opType: "Gelu", name: "gelu", domain: "com.microsoft", inputs: ["x"], outputs: ["y"] },
  ]);
  const h = only(findHazards(g, { tensors: new Map([["x", u8(-4, 4)], ["y", u8(-0.2, 4)]]) }));
  assert.deepEqual([h.kind, h.fix], ["sensitive_u8", { layer_name: "gelu", data_type: "U16" }]);
});
