import { strict as assert } from "node:assert";
import { similarity, similarityOfCodes, withResident } from "./metrics.ts";
import { onEveryIsa } from "../wasm/_testing.ts";

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

Deno.test("similarity() of float32 arrays is within 1e-12 of the element-order sums on every kernel path", () => {
  // 1001 elements: 250 vector steps and a one-element tail in the wasm kernel
  const a = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i * 0.37) * 3);
  const b = Float32Array.from({ length: 1001 }, (_, i) => Math.cos(i * 0.11) + (i % 7) * 0.01);
  const want = similarity(Array.from(a), Array.from(b));
  for (const [isa, got] of onEveryIsa(() => similarity(a, b))) {
    assert.ok(Math.abs(got.cosine - want.cosine) < 1e-12, isa);
    assert.ok(Math.abs(got.mse - want.mse) <= 1e-12 * want.mse, isa);
    assert.equal(got.maxAbs, want.maxAbs, isa);
    if (isa === "scalar") assert.deepEqual(got, want);
  }
  assert.ok(want.cosine > -1 && want.cosine < 1 && want.maxAbs > 0);
});

Deno.test("similarity() reports maxAbs NaN when one difference is NaN, in a vector step or the tail", () => {
  for (const at of [500, 1000]) {
    const a = Float32Array.from({ length: 1001 }, (_, i) => i * 0.5);
    const b = a.slice();
    b[at] = NaN;
    for (const [isa, got] of onEveryIsa(() => similarity(a, b))) {
      assert.ok(Number.isNaN(got.maxAbs), `${isa} at ${at}`);
    }
  }
});

Deno.test("similarityOfCodes() equals similarity() of the codes dequantized to float32", () => {
  const codes = Float32Array.from({ length: 777 }, (_, i) => (i * 37) % 256);
  const want = Float32Array.from({ length: 777 }, (_, i) => Math.sin(i) * 9);
  for (const [zero, scale] of [[128, 0.1], [3, Math.fround(0.0371)], [0, 2 ** -5]]) {
    const real = Float32Array.from(codes, (c) => (c - zero) * scale);
    // the same values summed in the same order on each path: the same bits
    for (
      const [isa, same] of onEveryIsa(
        () => [similarityOfCodes(codes, zero, scale, want), similarity(real, want)],
      )
    ) {
      assert.deepEqual(same[0], same[1], isa);
    }
  }
  assert.throws(() => similarityOfCodes(codes, 0, 1, want.subarray(1)), RangeError);
});

Deno.test("similarityOfCodes() gives the same bits against a reference placed in the kernels' memory", () => {
  // odd lengths: the sums after one operand start at an 8-byte boundary all the same
  for (const n of [63, 64, 333, 1000]) {
    const codes = Float32Array.from({ length: n }, (_, i) => (i * 53) % 256);
    const want = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 7);
    for (
      const [isa, [copied, placed]] of onEveryIsa(() => [
        similarityOfCodes(codes, 120, 0.05, want),
        withResident(want, (r) => similarityOfCodes(codes, 120, 0.05, r)),
      ])
    ) {
      assert.deepEqual(placed, copied, `${isa} n ${n}`);
    }
  }
});

Deno.test("similarityOfCodes() of 16-bit codes with a float32 scale gives the bits of the float64 dequantization", () => {
  // the same sums whether the codes dequantize in float32 (bits ≤ 16) or float64 (default)
  const codes = Float32Array.from({ length: 1003 }, (_, i) => (i * 7919) % 65536);
  const want = Float32Array.from({ length: 1003 }, (_, i) => Math.sin(i) * 3);
  for (const [zero, scale] of [[32768, Math.fround(1 / 9000)], [0, Math.fround(0.0371)]]) {
    for (
      const [isa, [single, double]] of onEveryIsa(() => [
        similarityOfCodes(codes, zero, scale, want, { bits: 16 }),
        similarityOfCodes(codes, zero, scale, want),
      ])
    ) {
      assert.deepEqual(single, double, `${isa} ${scale}`);
    }
  }
});
