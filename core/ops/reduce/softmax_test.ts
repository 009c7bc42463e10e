import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { rounded, runOp } from "./_testing.ts";
import { hardmax, logSoftmax, softmax } from "./softmax.ts";
import { onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

const L3 = Math.log(3);

Deno.test("softmax() normalises the flattened trailing block before opset 13", () => {
  // exp = [1, 3, 3, 1] / 8.
  const x = f32([1, 2, 2], [0, L3, L3, 0]);
  const [y] = runOp(softmax, [x], { axis: 1 }, 11);
  assert.deepEqual(rounded(y.data as Float32Array), [0.125, 0.375, 0.375, 0.125]);
});

Deno.test("softmax() normalises a single strided axis from opset 13", () => {
  // Columns: [0, ln3] → [1/4, 3/4], [ln3, 0] → [3/4, 1/4].
  const x = f32([1, 2, 2], [0, L3, L3, 0]);
  const [y] = runOp(softmax, [x], { axis: 1 }, 13);
  assert.deepEqual(rounded(y.data as Float32Array), [0.25, 0.75, 0.75, 0.25]);
});

Deno.test("logSoftmax() is stable for large inputs", () => {
  const [y] = runOp(logSoftmax, [f32([2], [1000, 1000])], {}, 13);
  assert.deepEqual(rounded(y.data as Float32Array), rounded([-Math.LN2, -Math.LN2]));
});

Deno.test("hardmax() marks only the first maximum", () => {
  const [y] = runOp(hardmax, [f32([1, 3], [3, 1, 3])], {}, 13);
  assert.deepEqual([...y.data as Float32Array], [1, 0, 0]);
});

/** Softmax of each row in float64 (Math.exp), the independent reference, and x − max. */
function rowsF64(x: Float32Array, r: number): { y: Float64Array; d: Float64Array } {
  const y = new Float64Array(x.length);
  const d = new Float64Array(x.length);
  for (let b = 0; b < x.length; b += r) {
    let m = -Infinity;
    for (let j = b; j < b + r; j++) m = Math.max(m, x[j]);
    let s = 0;
    for (let j = b; j < b + r; j++) s += y[j] = Math.exp(d[j] = x[j] - m);
    for (let j = b; j < b + r; j++) y[j] /= s;
  }
  return { y, d };
}

Deno.test("softmax() stays within float32 rounding of float64 on every kernel path", () => {
  for (const r of [1, 3, 4, 7, 196, 1001]) {
    const rows = 5;
    const x = randomF32(rows * r, r).map((v, i) => v * (i % 3 === 0 ? 90 : 8));
    const { y: want, d } = rowsF64(x, r);
    for (const [isa, y] of onEveryIsa(() => runOp(softmax, [f32([rows, r], x)], {}, 13)[0])) {
      const got = y.data as Float32Array;
      for (let i = 0; i < want.length; i++) {
        // 4 ulps, plus the rounding of x − max in float32 (relative 2⁻²⁴·|x − max| after exp)
        const tol = (4 * 2 ** -23 + 2 ** -24 * Math.abs(d[i])) * want[i] + 1e-38;
        assert.ok(
          Math.abs(got[i] - want[i]) <= tol,
          `${isa}, r ${r}, at ${i}: ${got[i]} vs ${want[i]}`,
        );
      }
    }
  }
});

Deno.test("softmax() gives 0 for -Infinity, NaN rows for NaN, on every kernel path", () => {
  const x = f32([3, 5], [
    0,
    -Infinity,
    1,
    -Infinity,
    2,
    NaN,
    0,
    0,
    0,
    0,
    -100,
    0,
    -100,
    -100,
    -100,
  ]);
  for (const [isa, y] of onEveryIsa(() => runOp(softmax, [x], {}, 13)[0])) {
    const d = [...y.data as Float32Array];
    const e = Math.exp(1), s = 1 + e + e * e;
    assert.deepEqual(rounded(d.slice(0, 5)), rounded([1 / s, 0, e / s, 0, e * e / s]), isa);
    assert.ok(d.slice(5, 10).every(Number.isNaN), isa);
    assert.ok(Math.abs(d[11] - 1) < 2 ** -23 && d[10] < 1e-43, isa);
  }
});

Deno.test("softmax() gives NaN rows for a NaN or +Infinity past the first vector, on every kernel path", () => {
  const row = (at: number, v: number) => Array.from({ length: 9 }, (_, j) => (j === at ? v : j));
  const x = f32([3, 9], [...row(6, NaN), ...row(8, NaN), ...row(5, Infinity)]);
  for (const [isa, y] of onEveryIsa(() => runOp(softmax, [x], {}, 13)[0])) {
    assert.ok([...y.data as Float32Array].every(Number.isNaN), isa);
  }
});
