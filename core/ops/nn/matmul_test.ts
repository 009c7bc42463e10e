import { strict as assert } from "node:assert";
import { f32, Tensor } from "../../ir/tensor.ts";
import { gemmOp, matMul } from "./matmul.ts";
import { matMulInteger, qLinearMatMul } from "./qlinear.ts";
import { inferOp, runOp } from "./_testing.ts";

Deno.test("matMul() broadcasts batch dims and promotes 1-D operands", () => {
  const a = f32([2, 1, 2, 3], [1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0]);
  const b = f32([3, 3, 1], [1, 1, 1, 2, 0, 0, 0, 0, 3]);
  // b is [3 batches, 3x1]: columns (1,1,1), (2,0,0), (0,0,3).
  const [y] = runOp(matMul, [a, b]);
  assert.deepEqual(y.shape, [2, 3, 2, 1]);
  assert.deepEqual([...y.data as Float32Array], [6, 15, 2, 8, 9, 18, 1, 1, 2, 0, 0, 0]);
  const [v] = runOp(matMul, [f32([3], [1, 2, 3]), f32([3, 2], [1, 2, 3, 4, 5, 6])]);
  assert.deepEqual(v.shape, [2]);
  assert.deepEqual([...v.data as Float32Array], [22, 28]);
  const [s] = runOp(matMul, [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])]);
  assert.deepEqual(s.shape, []);
  assert.equal((s.data as Float32Array)[0], 32);
});

Deno.test("matMul() computes int32 products exactly", () => {
  const a = new Tensor("s32", [1, 2], Int32Array.of(100000, 3));
  const b = new Tensor("s32", [2, 1], Int32Array.of(20000, -7));
  const [y] = runOp(matMul, [a, b]);
  assert.equal(y.dtype, "s32");
  assert.equal((y.data as Int32Array)[0], 2000000000 - 21);
});

Deno.test("gemmOp() applies transposes, alpha, beta and a broadcast C", () => {
  const a = f32([3, 2], [1, 4, 2, 5, 3, 6]); // Aᵀ = [[1,2,3],[4,5,6]]
  const b = f32([2, 3], [1, 0, 1, 0, 1, 1]); // Bᵀ = [[1,0],[0,1],[1,1]]
  const c = f32([2], [10, 20]);
  const [y] = runOp(gemmOp, [a, b, c], { transA: 1, transB: 1, alpha: 2.0, beta: 0.5 });
  // AᵀBᵀ = [[4,5],[10,11]] → ×2 + [5,10].
  assert.deepEqual([...y.data as Float32Array], [13, 20, 25, 32]);
  const [z] = runOp(gemmOp, [f32([1, 2], [1, 2]), f32([2, 1], [3, 4])]);
  assert.deepEqual([...z.data as Float32Array], [11]);
});

Deno.test("gemmOp() adds a C row or a C matrix as it is when beta is 1", () => {
  const a = f32([2, 2], [1, 2, 3, 4]);
  const b = f32([2, 2], [1, 0, 0, 1]); // identity
  const [row] = runOp(gemmOp, [a, b, f32([1, 2], [10, -0.5])]);
  assert.deepEqual([...row.data as Float32Array], [11, 1.5, 13, 3.5]);
  const [mat] = runOp(gemmOp, [a, b, f32([2, 2], [10, 20, 30, 40])]);
  assert.deepEqual([...mat.data as Float32Array], [11, 22, 33, 44]);
});

Deno.test("matMul() infer broadcasts symbolic batch dims", () => {
  const [t] = inferOp(matMul, [
    { dtype: "f32", shape: ["B", 1, 5, 7] },
    { dtype: "f32", shape: [3, 7, 2] },
  ]);
  assert.deepEqual(t?.shape, ["B", 3, 5, 2]);
});

Deno.test("matMulInteger() subtracts zero points before multiplying", () => {
  const a = new Tensor("u8", [2, 2], Uint8Array.of(12, 10, 11, 14));
  const b = new Tensor("s8", [2, 1], Int8Array.of(3, -2));
  const [y] = runOp(matMulInteger, [a, b, new Tensor("u8", [], Uint8Array.of(10))]);
  // (2,0)·(3,-2) = 6, (1,4)·(3,-2) = -5.
  assert.deepEqual([...y.data as Int32Array], [6, -5]);
});

Deno.test("qLinearMatMul() requantizes with round half to even and saturation", () => {
  const u8 = (v: number[]) => new Tensor("u8", [v.length], Uint8Array.from(v));
  const a = new Tensor("u8", [1, 2], Uint8Array.of(5, 3));
  const b = new Tensor("u8", [2, 2], Uint8Array.of(1, 200, 0, 200));
  const s = (v: number) => f32([], [v]);
  // acc = [5, 1600]; scale 0.5·1/1 → 2.5 → 2 (even), 800 → saturates at 255.
  const [y] = runOp(qLinearMatMul, [a, s(0.5), u8([0]), b, s(1), u8([0]), s(1), u8([0])]);
  assert.deepEqual([...y.data as Uint8Array], [2, 255]);
});
