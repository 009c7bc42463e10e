import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../../core/ir/builder.ts";
import { f32, s64 } from "../../../core/ir/tensor.ts";
import { opWork } from "./op_work.ts";
import { wholeGraph } from "./_testing.ts";

const LANES = { rows: 64, cols: 64, kernelFold: 3 };

Deno.test("opWork() counts a ConvTranspose bias as S32, as the quantizer codes it", () => {
  // W [C=4, M/g=2, 3, 3], bias [2]: 72 S8 weight bytes + 2 · 4 bias bytes
  const sub = wholeGraph(buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4, 5, 5] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 7, 7] }],
    initializers: { w: f32([4, 2, 3, 3]), b: f32([2]) },
    nodes: [{ opType: "ConvTranspose", inputs: ["x", "w", "b"], outputs: ["y"] }],
  }));
  const w = opWork(sub, sub.nodes[0], LANES);
  assert.equal(w.unit, "conv");
  assert.equal(w.weightBytes, 4 * 2 * 9 + 2 * 4);
  // |in| · Cout/g · kh · kw = 100 · 2 · 9
  assert.equal(w.macs, 100 * 2 * 9);
});

Deno.test("opWork() puts data movement on cv, pooling on teng and Dropout nowhere", () => {
  const sub = wholeGraph(buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 32] }],
    initializers: { shape: s64([2], [1, 32]) },
    nodes: [
      { opType: "Dropout", inputs: ["x"], outputs: ["d"] },
      {
        opType: "MaxPool",
        inputs: ["d"],
        outputs: ["p"],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Reshape", inputs: ["p", "shape"], outputs: ["y"] },
    ],
  }));
  const [drop, pool, reshape] = sub.nodes.map((n) => opWork(sub, n, LANES));
  assert.equal(drop.unit, "none");
  assert.equal(pool.unit, "teng");
  // each of the 32 outputs reads a 3×3 window
  assert.equal(pool.vectorElements, 32 * 9);
  assert.equal(reshape.unit, "cv");
  assert.equal(reshape.moveElements, 32);
});
