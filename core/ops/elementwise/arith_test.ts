import { strict as assert } from "node:assert";
import { f32, s64, Tensor } from "../../ir/tensor.ts";
import { add, div, mod, mul, sub } from "./arith.ts";
import { pow } from "./pow.ts";
import { max, mean, sum } from "./variadic.ts";
import { runOp, values } from "./_test_util.ts";
import { onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

const i32 = (v: number[]) => new Tensor("s32", [v.length], Int32Array.from(v));
const fmod = (v: number) => ({ fmod: { kind: "int" as const, value: v } });

Deno.test("Div truncates integer quotients toward zero for every sign", () => {
  const [y] = runOp(div, [i32([7, -7, 7, -7, 1]), i32([2, 2, -2, -2, 3])]);
  assert.deepEqual(values(y), [3, -3, -3, 3, 0]);
  const [z] = runOp(div, [s64([4], [7, -7, 7, -7]), s64([4], [2, 2, -2, -2])]);
  assert.deepEqual(values(z), [3, -3, -3, 3]);
});

Deno.test("Div raises KernelError for integer division by zero and IEEE results for floats", () => {
  assert.throws(() => runOp(div, [i32([1, 2]), i32([1, 0])]), /division by zero/);
  assert.throws(() => runOp(div, [s64([1], [1]), s64([1], [0])]), /division by zero/);
  const [y] = runOp(div, [f32([3], [1, -1, 0]), f32([3], [0, 0, 0])]);
  const v = values(y);
  assert.equal(v[0], Infinity);
  assert.equal(v[1], -Infinity);
  assert.ok(Number.isNaN(v[2]));
});

Deno.test("Mod with fmod=0 takes the divisor's sign (Python) for integers", () => {
  const [y] = runOp(mod, [i32([7, -7, 7, -7, 6]), i32([3, 3, -3, -3, -3])], fmod(0));
  assert.deepEqual(values(y), [1, 2, -2, -1, 0]);
  const [z] = runOp(mod, [s64([4], [7, -7, 7, -7]), s64([4], [3, 3, -3, -3])], fmod(0));
  assert.deepEqual(values(z), [1, 2, -2, -1]);
});

Deno.test("Mod with fmod=1 takes the dividend's sign (C fmod)", () => {
  const [y] = runOp(mod, [i32([7, -7, 7, -7]), i32([3, 3, -3, -3])], fmod(1));
  assert.deepEqual(values(y), [1, -1, 1, -1]);
  const [f] = runOp(mod, [f32([3], [5.5, -5.5, 5.5]), f32([3], [2, 2, -2])], fmod(1));
  assert.deepEqual(values(f), [1.5, -1.5, 1.5]);
});

Deno.test("Mod rejects float inputs with fmod=0 and integer zero divisors", () => {
  assert.throws(() => runOp(mod, [f32([1], [1]), f32([1], [2])], fmod(0)), /fmod=1/);
  assert.throws(() => runOp(mod, [i32([1]), i32([0])], fmod(0)), /division by zero/);
});

Deno.test("Mul wraps 32-bit integer products like C", () => {
  const [y] = runOp(mul, [i32([65536, 46341, -3]), i32([65536, 46341, 5])]);
  // 46341^2 = 2147488281 = 2^31 + 4633 → -2147479015 as int32
  assert.deepEqual(values(y), [0, -2147479015, -15]);
  const u8 = (v: number[]) => new Tensor("u8", [v.length], Uint8Array.from(v));
  const [d] = runOp(sub, [u8([1, 200]), u8([2, 100])]);
  assert.deepEqual(values(d), [255, 100]);
});

Deno.test("Pow keeps the base type for mixed base and exponent types", () => {
  const [a] = runOp(pow, [i32([2, 3, -2]), f32([3], [3, 0.5, 3])]);
  assert.equal(a.dtype, "s32");
  assert.deepEqual(values(a), [8, 1, -8]); // 3^0.5 = 1.73 truncates to 1
  const [b] = runOp(pow, [f32([2], [2, 4]), s64([2], [-1, 2])]);
  assert.equal(b.dtype, "f32");
  assert.deepEqual(values(b), [0.5, 16]);
  // onnxruntime computes integer Pow in double: 3^39 rounds, 3^40 and 0^-1 overflow.
  const [c] = runOp(pow, [s64([4], [3, 3, -1, 0]), s64([4], [39, 40, -3, -1])]);
  const min64 = -(2n ** 63n);
  assert.deepEqual(Array.from(c.data as BigInt64Array), [4052555153018976256n, min64, -1n, min64]);
  const [d] = runOp(pow, [i32([3, 2]), i32([21, -1])]);
  assert.deepEqual(values(d), [-2147483648, 0]);
});

Deno.test("Pow squares float32 as Math.pow(x, 2) rounded to float32, edge values included", () => {
  const xs = [0, -0, 1.5, -3.25e-7, 1e20, -2e19, 1e-30, NaN, Infinity, -Infinity, 16777217];
  for (const e of [f32([], [2]), f32([1, 1], [2])]) {
    const [y] = runOp(pow, [f32([xs.length], xs), e]);
    const want = Float32Array.from(xs, (v) => Math.pow(Math.fround(v), 2));
    assert.deepEqual(y.shape, e.rank === 2 ? [1, xs.length] : [xs.length]);
    assert.deepEqual([...(y.data as Float32Array)], [...want]);
  }
});

Deno.test("Sum and Mean broadcast three inputs; Max propagates NaN", () => {
  const [s] = runOp(sum, [f32([2, 1], [1, 2]), f32([3], [10, 20, 30]), f32([], [100])]);
  assert.deepEqual(s.shape, [2, 3]);
  assert.deepEqual(values(s), [111, 121, 131, 112, 122, 132]);
  const [m] = runOp(mean, [f32([2], [1, 2]), f32([2], [3, 6])]);
  assert.deepEqual(values(m), [2, 4]);
  const [x] = runOp(max, [f32([3], [1, NaN, 5]), f32([3], [2, 0, 4])]);
  const v = values(x);
  assert.equal(v[0], 2);
  assert.ok(Number.isNaN(v[1]));
  assert.equal(v[2], 5);
});

Deno.test("add(), sub(), mul() and div() give the same float32 bits on every path", () => {
  const shapes: [number[], number[]][] = [
    [[3, 37], [3, 37]],
    [[2, 5, 40], [40]],
    [[2, 5, 40], [1]],
    [[1], [4, 33]],
    [[4, 1, 20], [1, 6, 20]],
    [[6, 3], [6, 1]],
  ];
  let seed = 50;
  for (const [sa, sb] of shapes) {
    const a = f32(sa, [...randomF32(sa.reduce((x, d) => x * d, 1), seed++)]);
    const b = f32(sb, [...randomF32(sb.reduce((x, d) => x * d, 1), seed++)]);
    for (const op of [add, sub, mul, div]) {
      const runs = onEveryIsa(() => runOp(op, [a, b])[0].data as Float32Array);
      const ref = runs.get("scalar")!;
      for (const [isa, y] of runs) {
        // 0/0 gives NaN, whose payload bits are the engine's choice
        y.forEach((v, i) =>
          assert.ok(Object.is(v, ref[i]), `${isa} ${op.opType} ${sa}|${sb} at ${i}`)
        );
      }
    }
  }
});
