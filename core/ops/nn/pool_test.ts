import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { averagePool, lpPoolOp, maxPoolOp } from "./pool.ts";
import { globalAveragePool, globalMaxPool } from "./global_pool.ts";
import { maxUnpool } from "./max_unpool.ts";
import { inferOp, rounded, runOp } from "./_testing.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

const grid4 = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));

Deno.test("maxPoolOp() with ceil_mode adds a partial last window", () => {
  // 4x4 input 1..16, kernel 3 stride 2: floor gives 1x1, ceil gives 2x2.
  const [y] = runOp(maxPoolOp, [grid4], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assert.deepEqual([...y.data as Float32Array], [11, 12, 15, 16]);
  const [z] = runOp(maxPoolOp, [grid4], { kernel_shape: [3, 3], strides: [2, 2] });
  assert.deepEqual([...z.data as Float32Array], [11]);
});

Deno.test("averagePool() with ceil_mode drops windows that start in the right padding", () => {
  const x = f32([1, 1, 5], [1, 2, 3, 4, 5]);
  // in 5, pad 1+1, k 2, s 2: ceil((5+2-2)/2)+1 = 4, but window 4 starts at 6-1=5 ≥ 5+1? (4-1)*2=6 ≥ 6 → dropped.
  const [y] = runOp(averagePool, [x], {
    kernel_shape: [2],
    strides: [2],
    pads: [1, 1],
    ceil_mode: 1,
  });
  assert.deepEqual(y.shape, [1, 1, 3]);
  // Windows: [pad,1] → 1, [2,3] → 2.5, [4,5] → 4.5.
  assert.deepEqual([...y.data as Float32Array], [1, 2.5, 4.5]);
  const [z] = runOp(averagePool, [x], {
    kernel_shape: [2],
    strides: [2],
    pads: [1, 1],
    ceil_mode: 1,
    count_include_pad: 1,
  });
  assert.deepEqual([...z.data as Float32Array], [0.5, 2.5, 4.5]);
});

Deno.test("averagePool() counts padded taps only with count_include_pad", () => {
  const [y] = runOp(averagePool, [grid4], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  // Corner (0,0): mean of 1,2,5,6 = 3.5; with pads: 14/9.
  assert.equal((y.data as Float32Array)[0], 3.5);
  const [z] = runOp(averagePool, [grid4], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
    count_include_pad: 1,
  });
  assert.deepEqual(rounded([(z.data as Float32Array)[0]]), rounded([14 / 9]));
  const [s] = runOp(averagePool, [grid4], { kernel_shape: [2, 2], auto_pad: "SAME_UPPER" });
  // Bottom-right window holds only 16.
  assert.equal((s.data as Float32Array)[15], 16);
  assert.equal((s.data as Float32Array)[0], (1 + 2 + 5 + 6) / 4);
});

Deno.test("maxPoolOp() returns row- and column-major indices", () => {
  const x = f32([1, 2, 2, 2], [1, 4, 3, 2, 5, 6, 8, 7]);
  const [y, i] = runOp(maxPoolOp, [x], { kernel_shape: [2, 2] }, 21, 2);
  assert.deepEqual([...y.data as Float32Array], [4, 8]);
  assert.deepEqual([...i.data as BigInt64Array], [1n, 6n]);
  const [, c] = runOp(maxPoolOp, [x], { kernel_shape: [2, 2], storage_order: 1 }, 21, 2);
  // (h=0,w=1) → w·H+h = 2; channel 1 (h=1,w=0) → 4 + 1.
  assert.deepEqual([...c.data as BigInt64Array], [2n, 5n]);
});

Deno.test("maxPoolOp() honours dilations", () => {
  const [y] = runOp(maxPoolOp, [grid4], { kernel_shape: [2, 2], dilations: [2, 2] });
  // Taps (0,0),(0,2),(2,0),(2,2) of each 2x2 output position.
  assert.deepEqual([...y.data as Float32Array], [11, 12, 15, 16]);
});

Deno.test("lpPoolOp() computes the 2-norm of each window", () => {
  const x = f32([1, 1, 4], [3, 4, 0, 5]);
  const [y] = runOp(lpPoolOp, [x], { kernel_shape: [2], strides: [2], p: 2 });
  assert.deepEqual([...y.data as Float32Array], [5, 5]);
});

Deno.test("global pools reduce every spatial axis", () => {
  const [a] = runOp(globalAveragePool, [grid4]);
  assert.deepEqual(a.shape, [1, 1, 1, 1]);
  assert.equal((a.data as Float32Array)[0], 8.5);
  const [m] = runOp(globalMaxPool, [grid4]);
  assert.equal((m.data as Float32Array)[0], 16);
});

Deno.test("globalAveragePool() sums in float64 when a float32 sum would lose the small terms", () => {
  // channel 0: 2^24 + 1 + 1 = 16777218 exactly, / 3 = 5592406; a float32 running sum
  // would drop both ones (2^24 + 1 rounds to 2^24) and give 5592405.5.
  // channel 1: [-1, 2, 4] / 3 = 5/3, rounded once to float32.
  const x = f32([1, 2, 3], [16777216, 1, 1, -1, 2, 4]);
  const [a] = runOp(globalAveragePool, [x]);
  assert.deepEqual(a.shape, [1, 2, 1]);
  assert.deepEqual([...a.data as Float32Array], [5592406, Math.fround(5 / 3)]);
  const [m] = runOp(globalMaxPool, [x]);
  assert.deepEqual([...m.data as Float32Array], [16777216, 4]);
});

Deno.test("globalAveragePool() gives the same bits on every path for odd and even plane sizes", () => {
  let seed = 40;
  for (const shape of [[1, 7, 13, 13], [2, 5, 4, 4], [1, 3, 1, 1], [1, 9, 7]]) {
    const v = randomF32(shape.reduce((a, d) => a * d, 1), seed++);
    // spread the magnitudes so any change of summation order shows in the last bits
    for (let i = 0; i < v.length; i++) v[i] *= 2 ** ((i * 7) % 31 - 15);
    const x = f32(shape, [...v]);
    const runs = onEveryIsa(() => runOp(globalAveragePool, [x])[0].data as Float32Array);
    const scalar = runs.get("scalar")!;
    for (const [isa, y] of runs) {
      assert.equal(firstBitDifference(y, scalar), -1, `${isa} [${shape.join(", ")}]`);
    }
  }
});

Deno.test("maxUnpool() scatters values to their indices", () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const [y, i] = runOp(maxPoolOp, [grid4], { kernel_shape: [2, 2], strides: [2, 2] }, 21, 2);
  const [u] = runOp(maxUnpool, [x, i], { kernel_shape: [2, 2], strides: [2, 2] });
  assert.deepEqual([...y.data as Float32Array], [6, 8, 14, 16]);
  assert.deepEqual([...u.data as Float32Array], [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
});

Deno.test("maxPoolOp() infer keeps symbolic N and C", () => {
  const [t] = inferOp(maxPoolOp, [{ dtype: "f32", shape: ["N", "C", 112, 112] }], {
    kernel_shape: [3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  });
  assert.deepEqual(t?.shape, ["N", "C", 56, 56]);
});

Deno.test("maxPoolOp() gives the same bits on every path, NaN and -0 included", () => {
  const cases: Record<string, number | number[]>[] = [
    { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
    { kernel_shape: [2, 3], strides: [1, 1], dilations: [2, 1], pads: [0, 2, 1, 0] },
    { kernel_shape: [3, 3], strides: [3, 2], ceil_mode: 1 },
    { kernel_shape: [5], strides: [2], pads: [2, 2] },
    { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] },
    { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 2, 2], ceil_mode: 1 },
  ];
  let seed = 3;
  for (const attrs of cases) {
    const oneD = (attrs.kernel_shape as number[]).length === 1;
    const shape = oneD ? [2, 3, 37] : [2, 3, 11, 21];
    const v = randomF32(shape.reduce((a, d) => a * d, 1), seed++);
    v[5] = Number.NaN;
    v[40] = Number.NaN;
    const x = f32(shape, [...v]);
    const runs = onEveryIsa(() => runOp(maxPoolOp, [x], attrs)[0].data as Float32Array);
    const scalar = runs.get("scalar")!;
    for (const [isa, y] of runs) {
      assert.equal(firstBitDifference(y, scalar), -1, `${isa} ${JSON.stringify(attrs)}`);
    }
  }
});
