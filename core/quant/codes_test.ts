import { strict as assert } from "node:assert";
import { f32 } from "../ir/tensor.ts";
import { dequantizeTensor, quantizeTensor } from "./codes.ts";
import { activationQuant } from "./_testing.ts";

import { firstBitDifference, onEveryIsa, randomF32 } from "../wasm/_testing.ts";

Deno.test("quantizeTensor() rounds quotients half to even, adds the zero point and saturates", () => {
  const p = activationQuant("U8", 0.5, 10);
  // quotients 0.5, 1.5, -0.5, 400, -20, 2, 2.5 and ±∞ (seven values: a vector and a tail)
  const x = f32([9], [0.25, 0.75, -0.25, 200, -10, 1, 1.25, Infinity, -Infinity]);
  for (const [isa, q] of onEveryIsa(() => quantizeTensor(x, p))) {
    assert.deepEqual([...q.data], [10, 12, 10, 255, 0, 12, 12, 255, 0], isa);
    assert.deepEqual(q.shape, [9]);
  }
});

Deno.test("quantizeTensor() gives the same codes on every path on fine 16-bit grids", () => {
  // values on and between the grid's half steps, so ties of the float32 quotient occur
  const scale = Math.fround(3 / 65535);
  const raw = randomF32(1001, 3);
  const grid = raw.map((v, i) => i % 3 === 0 ? (Math.round(v * 40000) + 0.5) * scale : v * 1.2);
  for (const [qtype, zeroPoint] of [["U16", 32768], ["S16", 0], ["S8", 0], ["U8", 128]] as const) {
    const p = activationQuant(qtype, scale, zeroPoint);
    const runs = onEveryIsa(() => quantizeTensor(f32([1001], grid), p).data as Float32Array);
    const want = runs.get("scalar")!;
    for (const [isa, got] of runs) {
      assert.equal(firstBitDifference(got, want), -1, `${isa} ${qtype}`);
    }
  }
});

Deno.test("dequantizeTensor() maps codes back to (code - zero point) · scale", () => {
  const p = activationQuant("U8", 0.5, 10);
  assert.deepEqual([...dequantizeTensor(f32([3], [10, 12, 0]), p).data], [0, 1, -5]);
});

Deno.test("dequantizeTensor() gives the same bits on every path, codes off the integer grid included", () => {
  const scale = Math.fround(3 / 65535);
  const codes = Float32Array.from(randomF32(1003, 5), (v) => Math.round(v * 40000) + 32768);
  const cases = [
    codes,
    codes.map((v, i) => i === 1001 ? v + 0.5 : v), // in the tail: the reference runs
    codes.map((v, i) => i === 6 ? 2 ** 25 : v), // too far from the zero point
  ];
  for (const [i, c] of cases.entries()) {
    for (const p of [activationQuant("U16", scale, 32768), activationQuant("U8", 0.1, 128)]) {
      const runs = onEveryIsa(() => dequantizeTensor(f32([c.length], c), p).data as Float32Array);
      const want = Float32Array.from(c, (v) => (v - p.zeroPoint) * p.scale);
      for (const [isa, got] of runs) assert.equal(firstBitDifference(got, want), -1, `${isa} ${i}`);
    }
  }
});
