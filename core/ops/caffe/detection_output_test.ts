import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { runOp } from "../reduce/_testing.ts";
import { detectionOutput } from "./detection_output.ts";

// Three CORNER priors with zero offsets decode to themselves: A = (0, 0, 1, 1),
// B = (0, 0, 1, 0.9) (IoU with A 0.9), C = (0, 0, 0.5, 0.5) (IoU with B 0.25 / 0.9 ≈ 0.278).
const prior = f32([1, 2, 12], [
  ...[0, 0, 1, 1, 0, 0, 1, 0.9, 0, 0, 0.5, 0.5],
  ...new Array(12).fill(0.1),
]);
const loc = f32([1, 12], new Array(12).fill(0));
// Two classes (0 = background); class 1 scores A 0.8, B 0.9, C 0.7.
const conf = f32([1, 6], [0.2, 0.8, 0.1, 0.9, 0.3, 0.7]);
const base = { num_classes: 2, nms_threshold: 0.5 };

Deno.test("detectionOutput() suppresses a box when it overlaps a better one beyond the threshold", () => {
  const [y] = runOp(detectionOutput, [loc, conf, prior], base, 1);
  assert.deepEqual(y.shape, [1, 1, 2, 7]);
  const rows = Array.from(y.data as Float32Array).map((v) => Math.round(v * 1e6) / 1e6);
  assert.deepEqual(rows, [0, 1, 0.9, 0, 0, 1, 0.9, 0, 1, 0.7, 0, 0, 0.5, 0.5]);
});

Deno.test("detectionOutput() writes one row of -1 per image when nothing passes the threshold", () => {
  const [y] = runOp(detectionOutput, [loc, conf, prior], {
    ...base,
    confidence_threshold: 0.95,
  }, 1);
  assert.deepEqual(y.shape, [1, 1, 1, 7]);
  assert.deepEqual(Array.from(y.data as Float32Array), [0, -1, -1, -1, -1, -1, -1]);
});

Deno.test("detectionOutput() applies the prior variances when decoding CORNER offsets", () => {
  // A's xmin offset 1 with variance 0.1 moves it to 0.1; A now scores best and top_k is 1.
  const shifted = f32([1, 12], [1, 0, 0, 0, ...new Array(8).fill(0)]);
  const scores = f32([1, 6], [0, 1, 0.1, 0.9, 0.3, 0.7]);
  const [y] = runOp(detectionOutput, [shifted, scores, prior], { ...base, top_k: 1 }, 1);
  assert.deepEqual(y.shape, [1, 1, 1, 7]);
  const row = Array.from(y.data as Float32Array).map((v) => Math.round(v * 1e6) / 1e6);
  assert.deepEqual(row, [0, 1, 1, 0.1, 0, 1, 1]);
});
