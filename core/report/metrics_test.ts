import { strict as assert } from "node:assert";
import { similarity, similarityOfCodes } from "./metrics.ts";

Deno.test("similarity() gives cosine 1 and zero error for equal arrays", () => {
  const s = similarity([1, 2, 3], [1, 2, 3]);
  assert.equal(s.cosine, 1);
  assert.equal(s.mse, 0);
  assert.equal(s.maxAbs, 0);
});

Deno.test("similarity() matches hand-computed values", () => {
  // a=(1,0), b=(1,1): cos = 1/sqrt(2); diffs (0,-1): mse 0.5, max 1
  const s = similarity([1, 0], [1, 1]);
  assert.ok(Math.abs(s.cosine - Math.SQRT1_2) < 1e-12);
  assert.equal(s.mse, 0.5);
  assert.equal(s.maxAbs, 1);
});

Deno.test("similarity() refuses arrays of different length", () => {
  assert.throws(() => similarity([1], [1, 2]), RangeError);
});

Deno.test("similarity() gives the same bits for float32 arrays as for the same numbers in plain arrays", () => {
  const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * 3);
  const b = Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i * 0.11) + (i % 7) * 0.01);
  b[500] = NaN;
  assert.deepEqual(similarity(a, b), similarity(Array.from(a), Array.from(b)));
  b[500] = 0.25;
  const fast = similarity(a, b);
  assert.deepEqual(fast, similarity(Array.from(a), Array.from(b)));
  assert.ok(fast.cosine > -1 && fast.cosine < 1 && fast.maxAbs > 0);
});

Deno.test("similarityOfCodes() equals similarity() of the codes dequantized to float32", () => {
  const codes = Float32Array.from({ length: 777 }, (_, i) => (i * 37) % 256);
  const want = Float32Array.from({ length: 777 }, (_, i) => Math.sin(i) * 9);
  for (const [zero, scale] of [[128, 0.1], [3, Math.fround(0.0371)], [0, 2 ** -5]]) {
    const real = Float32Array.from(codes, (c) => (c - zero) * scale);
    assert.deepEqual(similarityOfCodes(codes, zero, scale, want), similarity(real, want));
  }
  assert.throws(() => similarityOfCodes(codes, 0, 1, want.subarray(1)), RangeError);
});
