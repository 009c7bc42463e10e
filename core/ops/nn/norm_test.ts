import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import {
  batchNormalization,
  groupNormalization,
  instanceNormalization,
  layerNormalization,
} from "./norm.ts";
import { lpNormalization, lrn, meanVarianceNormalization } from "./norm_misc.ts";
import { rounded, runOp } from "./_testing.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

Deno.test("batchNormalization() normalizes per channel with running statistics", () => {
  const x = f32([1, 2, 2], [1, 3, 10, 20]);
  const one = (a: number, b: number) => f32([2], [a, b]);
  const [y] = runOp(batchNormalization, [x, one(2, 1), one(1, 0), one(2, 10), one(4, 100)], {
    epsilon: 0,
  });
  // ch0: (x-2)/2·2+1 → 0, 2; ch1: (x-10)/10 → 0, 1.
  assert.deepEqual([...y.data as Float32Array], [0, 2, 0, 1]);
});

Deno.test("batchNormalization() with training_mode=1 uses batch statistics and updates running ones", () => {
  const x = f32([1, 2, 2], [1, 3, 10, 20]);
  const one = (a: number, b: number) => f32([2], [a, b]);
  const [y, mean, variance] = runOp(
    batchNormalization,
    [x, one(1, 1), one(0, 0), one(0, 0), one(1, 1)],
    { training_mode: 1, epsilon: 0, momentum: 0.5 },
    15,
    3,
  );
  // ch0: batch mean 2, variance 1 → (-1, 1); ch1: mean 15, variance 25 → (-1, 1).
  assert.deepEqual([...y.data as Float32Array], [-1, 1, -1, 1]);
  // running = input · 0.5 + batch · 0.5: means (1, 7.5), variances (1, 13)
  assert.deepEqual([...mean.data as Float32Array], [1, 7.5]);
  assert.deepEqual([...variance.data as Float32Array], [1, 13]);
});

Deno.test("instanceNormalization() uses per-image statistics", () => {
  const x = f32([1, 1, 4], [1, 2, 3, 4]);
  const [y] = runOp(instanceNormalization, [x, f32([1], [1]), f32([1], [0])], { epsilon: 0 });
  const s = Math.sqrt(1.25);
  assert.deepEqual(
    rounded(y.data as Float32Array),
    rounded([-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]),
  );
});

Deno.test("layerNormalization() normalizes trailing axes and returns Mean and InvStdDev", () => {
  const x = f32([2, 2], [1, 3, 2, 2]);
  const [y, m, inv] = runOp(
    layerNormalization,
    [x, f32([2], [1, 2]), f32([2], [0, 1])],
    {
      epsilon: 0,
    },
    17,
    3,
  );
  // Row 0: mean 2, std 1 → (-1, 1)·(1,2)+(0,1) = (-1, 3); row 1 has zero variance → inf·0.
  assert.deepEqual([...y.data as Float32Array].slice(0, 2), [-1, 3]);
  assert.deepEqual(m.shape, [2, 1]);
  assert.deepEqual([...m.data as Float32Array], [2, 2]);
  assert.equal((inv.data as Float32Array)[0], 1);
});

Deno.test("groupNormalization() accepts per-group (opset 18) and per-channel (opset 21) scale", () => {
  const x = f32([1, 4, 1], [1, 3, 5, 9]);
  // Groups of 2 channels: (1,3) → (-1,1); (5,9) → (-1,1).
  const [g] = runOp(groupNormalization, [x, f32([2], [1, 2]), f32([2], [0, 10])], {
    num_groups: 2,
    epsilon: 0,
  }, 18);
  assert.deepEqual([...g.data as Float32Array], [-1, 1, 8, 12]);
  const [c] = runOp(
    groupNormalization,
    [x, f32([4], [1, 2, 3, 4]), f32([4], [0, 0, 0, 1])],
    { num_groups: 2, epsilon: 0 },
    21,
  );
  assert.deepEqual([...c.data as Float32Array], [-1, 2, -3, 5]);
});

Deno.test("lpNormalization(), lrn() and meanVarianceNormalization() match hand values", () => {
  const [l] = runOp(lpNormalization, [f32([2, 2], [3, 4, 0, 0])], { axis: 1, p: 2 });
  assert.deepEqual(rounded(l.data as Float32Array), [0.6, 0.8, 0, 0]);
  const x = f32([1, 3, 1], [1, 2, 3]);
  const [r] = runOp(lrn, [x], { size: 3, alpha: 3.0, beta: 1.0, bias: 1.0 });
  // ch1: 2 / (1 + 1·(1+4+9)) = 2/15; ch0: 1/(1+5); ch2: 3/(1+13).
  assert.deepEqual(rounded(r.data as Float32Array), rounded([1 / 6, 2 / 15, 3 / 14]));
  const [m] = runOp(meanVarianceNormalization, [f32([1, 1, 1, 2], [1, 3])]);
  assert.deepEqual(rounded(m.data as Float32Array), [-1, 1]);
});

Deno.test("layerNormalization() gives the same bits on every kernel path for odd rows, with and without B", () => {
  for (const [rows, inner, withBias] of [[7, 97, true], [5, 96, false], [3, 1, true]] as const) {
    const x = f32([rows, inner], randomF32(rows * inner, rows + inner).map((v) => 3 * v + 0.5));
    const scale = f32([inner], randomF32(inner, 11));
    const ins = withBias ? [x, scale, f32([inner], randomF32(inner, 12))] : [x, scale];
    const results = onEveryIsa(() => runOp(layerNormalization, ins, { epsilon: 1e-5 }, 17, 3));
    const [y0, m0, i0] = results.get("scalar")!.map((t) => t.data as Float32Array);
    for (const [isa, outs] of results) {
      const [y, m, i] = outs.map((t) => t.data as Float32Array);
      assert.equal(firstBitDifference(y, y0), -1, `${isa} Y, ${rows}x${inner}`);
      assert.equal(firstBitDifference(m, m0), -1, `${isa} Mean`);
      assert.equal(firstBitDifference(i, i0), -1, `${isa} InvStdDev`);
    }
  }
});
