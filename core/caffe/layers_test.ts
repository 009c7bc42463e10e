import { strict as assert } from "node:assert";
import { decodeCaffeModel } from "./mod.ts";
import { encodeCaffemodel, type WeightsLayerInit } from "./_testing.ts";
import { priorBoxes, type PriorBoxParams } from "./prior_box.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { f32, type Tensor } from "../ir/tensor.ts";
import type { Model } from "../ir/graph.ts";

function convert(
  prototxt: string,
  layers: WeightsLayerInit[] = [{ name: "none", blobs: [] }],
): Model {
  return decodeCaffeModel({ prototxt, caffemodel: encodeCaffemodel(layers) });
}

function run(model: Model, feeds: Record<string, Tensor>): Map<string, Tensor> {
  return new Executor(model, defaultRegistry()).run(new Map(Object.entries(feeds)));
}

function assertClose(got: ArrayLike<number>, want: number[], tol = 1e-6) {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

const pool = (h: number, param: string) =>
  `input: "x"
input_shape { dim: 1 dim: 1 dim: ${h} dim: ${h} }
layer { name: "p" type: "Pooling" bottom: "x" top: "p" pooling_param { ${param} } }
`;

Deno.test("decodeCaffeModel() averages by Caffe's divisor (window clipped to input + pad) when a Pooling window is partial", () => {
  // 6×6 ones, 3×3 stride 2 pad 1: 4 windows per axis starting at -1, 1, 3, 5. Real rows per
  // window 2, 3, 3, 1; Caffe's divisor per axis min(start + 3, 7) - start = 3, 3, 3, 2.
  const m = convert(pool(6, "pool: AVE kernel_size: 3 stride: 2 pad: 1"));
  const out = run(m, { x: f32([1, 1, 6, 6], new Array(36).fill(1)) }).get("p")!;
  assert.deepEqual(out.shape, [1, 1, 4, 4]);
  const r = [2 / 3, 1, 1, 1 / 2];
  const c = [2 / 3, 1, 1, 1 / 2];
  assertClose(out.data as Float32Array, r.flatMap((a) => c.map((b) => a * b)));
});

Deno.test("decodeCaffeModel() rounds a MAX Pooling output size up when windows still start inside the input", () => {
  // Ramp x[r][c] = 6r + c; windows as above: the largest row/col in each is 1, 3, 5, 5.
  const m = convert(pool(6, "pool: MAX kernel_size: 3 stride: 2 pad: 1"));
  const ramp = Array.from({ length: 36 }, (_, i) => i);
  const out = run(m, { x: f32([1, 1, 6, 6], ramp) }).get("p")!;
  const last = [1, 3, 5, 5];
  assertClose(out.data as Float32Array, last.flatMap((r) => last.map((c) => 6 * r + c)));
});

Deno.test("decodeCaffeModel() drops a Pooling window when it would start in the padding", () => {
  // 5×5, 2×2 stride 2 pad 1: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window starts at
  // 3·2 - 1 = 5 ≥ 5, so Caffe keeps 3; windows cover rows {0}, {1, 2}, {3, 4}.
  const m = convert(pool(5, "pool: MAX kernel_size: 2 stride: 2 pad: 1"));
  const ramp = Array.from({ length: 25 }, (_, i) => i);
  const out = run(m, { x: f32([1, 1, 5, 5], ramp) }).get("p")!;
  assert.deepEqual(out.shape, [1, 1, 3, 3]);
  const last = [0, 2, 4];
  assertClose(out.data as Float32Array, last.flatMap((r) => last.map((c) => 5 * r + c)));
});

Deno.test("decodeCaffeModel() keeps Caffe blob names on the final versions when layers work in place", () => {
  const m = convert(
    `input: "data"
input_shape { dim: 1 dim: 2 }
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "relu" type: "ReLU" bottom: "fc" top: "fc" }
layer { name: "drop" type: "Dropout" bottom: "fc" top: "out" }
`,
    [{ name: "fc", blobs: [{ shape: [2, 2], data: [1, -1, 2, 0] }, { shape: [2], data: [0, 0] }] }],
  );
  assert.deepEqual(m.graph.inputs.map((i) => i.name), ["data"]);
  assert.deepEqual(m.graph.outputs.map((o) => o.name), ["out"]);
  const relu = m.graph.nodes.find((n) => n.name === "relu")!;
  assert.deepEqual(relu.outputs, ["fc"]);
  assert.notEqual(m.graph.nodes.find((n) => n.name === "fc")!.outputs[0], "fc");
  const out = run(m, { data: f32([1, 2], [3, 1]) }).get("out")!;
  // fc = [3 - 1, 6 + 0] = [2, 6]; ReLU keeps both; Dropout is the identity.
  assertClose(out.data as Float32Array, [2, 6]);
});

Deno.test("priorBoxes() places min, max and aspect-ratio boxes around each cell centre when given sizes and ratios", () => {
  const p: PriorBoxParams = {
    minSizes: [4],
    maxSizes: [9],
    aspectRatios: [2],
    flip: true,
    clip: false,
    variance: [0.1, 0.1, 0.2, 0.2],
    image: [10, 10],
    step: [10, 10],
    offset: 0.5,
  };
  const out = priorBoxes(p, 1, 1);
  // Centre (5, 5); sides 4, sqrt(4·9) = 6, then 4·√2 × 4/√2 and its flip.
  const a = 2 * Math.SQRT2 / 10;
  const b = Math.SQRT2 / 10;
  assertClose(out.subarray(0, 16), [
    0.3,
    0.3,
    0.7,
    0.7,
    0.2,
    0.2,
    0.8,
    0.8,
    0.5 - a,
    0.5 - b,
    0.5 + a,
    0.5 + b,
    0.5 - b,
    0.5 - a,
    0.5 + b,
    0.5 + a,
  ]);
  assertClose(out.subarray(16), [
    0.1,
    0.1,
    0.2,
    0.2,
    0.1,
    0.1,
    0.2,
    0.2,
    0.1,
    0.1,
    0.2,
    0.2,
    0.1,
    0.1,
    0.2,
    0.2,
  ]);
  const clipped = priorBoxes(
    { ...p, minSizes: [12], maxSizes: [], aspectRatios: [], clip: true },
    1,
    1,
  );
  assertClose(clipped.subarray(0, 4), [0, 0, 1, 1]);
});

Deno.test("decodeCaffeModel() turns PriorBox and DetectionOutput into detections when scores pass the threshold", () => {
  const m = convert(`layer { name: "in" type: "Input" top: "feat" top: "data" top: "loc" top: "conf"
  input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } shape { dim: 1 dim: 3 dim: 8 dim: 8 }
    shape { dim: 1 dim: 16 } shape { dim: 1 dim: 12 } } }
layer { name: "priors" type: "PriorBox" bottom: "feat" bottom: "data" top: "priors"
  prior_box_param { min_size: 4 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
layer { name: "det" type: "DetectionOutput" bottom: "loc" bottom: "conf" bottom: "priors" top: "det"
  detection_output_param { num_classes: 3 background_label_id: 0 code_type: CENTER_SIZE
    keep_top_k: 3 confidence_threshold: 0.2 nms_param { nms_threshold: 0.45 top_k: 10 } } }
`);
  // Priors (step 4, side 4): the four quadrants of the unit square, row by row.
  // Prior 1 is shifted right by 0.1 · 1 · 0.5 = 0.05.
  const loc = new Array(16).fill(0);
  loc[4] = 1;
  const conf = [0.1, 0.7, 0.2, 0.1, 0.3, 0.6, 0.5, 0.25, 0.25, 0.0, 0.9, 0.1];
  const out = run(m, {
    feat: f32([1, 1, 2, 2]),
    data: f32([1, 3, 8, 8]),
    loc: f32([1, 16], loc),
    conf: f32([1, 12], conf),
  }).get("det")!;
  // Class 1 keeps priors 3, 0, 1, 2 (no overlaps), class 2 priors 1 and 2 (0.2 is not above
  // the threshold); keep_top_k 3 leaves 0.9, 0.7 (class 1) and 0.6 (class 2), by label.
  assert.deepEqual(out.shape, [1, 1, 3, 7]);
  assertClose(out.data as Float32Array, [
    0,
    1,
    0.9,
    0.5,
    0.5,
    1,
    1,
    0,
    1,
    0.7,
    0,
    0,
    0.5,
    0.5,
    0,
    2,
    0.6,
    0.55,
    0,
    1.05,
    0.5,
  ]);
});
