import { strict as assert } from "node:assert";
import { f32, s64, Tensor } from "../../ir/tensor.ts";
import {
  gelu,
  hardSwish,
  inverseSigmoid,
  relu,
  sigmoid,
  sigmoidOp,
  silu,
  swish,
} from "./activations.ts";
import { clip, prelu } from "./clip.ts";
import { dropout } from "./identity.ts";
import { constant } from "./constant.ts";
import { runOp, values } from "./_test_util.ts";
import { firstBitDifference, onEveryIsa, randomF32, withIsa } from "../../wasm/_testing.ts";

Deno.test("sigmoid() stays finite and accurate for large |x|", () => {
  assert.equal(sigmoid(-800), 0);
  assert.equal(sigmoid(800), 1);
  // e^-40 / (1 + e^-40) = 4.248354255291589e-18
  assert.ok(Math.abs(sigmoid(-40) / 4.248354255291589e-18 - 1) < 1e-12);
  const [y] = runOp(sigmoidOp, [f32([3], [0, 2, -2])]);
  assert.deepEqual(values(y), [
    0.5,
    Math.fround(0.8807970779778823),
    Math.fround(0.11920292202211755),
  ]);
});

Deno.test("Gelu exact and tanh forms give the textbook values", () => {
  // 0.5*x*(1+erf(x/√2)) at x = 1: 0.8413447460685429, rounded once on the exact paths
  // (relaxed-simd's float32 Gelu is held to 2 ulp instead: erf_wasm_test.ts)
  const [e] = withIsa("simd", () => runOp(gelu, [f32([2], [1, -1])], {}, 20));
  assert.deepEqual(values(e), [Math.fround(0.8413447460685429), Math.fround(-0.15865525393145707)]);
  const tanh = { approximate: { kind: "string" as const, value: "tanh" } };
  const [t] = runOp(gelu, [f32([1], [1])], tanh, 20);
  // 0.5*(1+tanh(√(2/π)*1.044715)) = 0.8411919906082768
  assert.deepEqual(values(t), [Math.fround(0.8411919906082768)]);
});

Deno.test("Silu, Swish and HardSwish match their definitions", () => {
  const x = f32([3], [-1, 0, 2]);
  const expected = [-1 * sigmoid(-1), 0, 2 * sigmoid(2)].map(Math.fround);
  assert.deepEqual(values(runOp(silu, [x])[0]), expected);
  const alpha = { alpha: { kind: "float" as const, value: 2 } };
  assert.deepEqual(
    values(runOp(swish, [x], alpha)[0]),
    [-sigmoid(-2), 0, 2 * sigmoid(4)].map(Math.fround),
  );
  assert.deepEqual(values(runOp(hardSwish, [f32([4], [-3, 3, 1, -4])])[0]).map((v) => v + 0), [
    0,
    3,
    Math.fround(2 / 3),
    0,
  ]);
});

Deno.test("InverseSigmoid clamps to [0,1] and by eps before the logit", () => {
  const [y] = runOp(inverseSigmoid, [f32([4], [0.5, 0.75, 0, 2])]);
  const v = values(y);
  assert.equal(v[0], 0);
  assert.equal(v[1], Math.fround(Math.log(3)));
  assert.equal(v[2], Math.fround(Math.log(1e-5 / 1)));
  assert.equal(v[3], Math.fround(Math.log(1 / 1e-5)));
});

Deno.test("Relu keeps NaN and works on int64", () => {
  const v = values(runOp(relu, [f32([3], [NaN, -1, 2])])[0]);
  assert.ok(Number.isNaN(v[0]));
  assert.deepEqual(v.slice(1), [0, 2]);
  assert.deepEqual(values(runOp(relu, [s64([2], [-5, 5])])[0]), [0, 5]);
});

Deno.test("Clip reads bounds from inputs (opset 11+) or attributes (opset 6) and supports int8", () => {
  const x = f32([4], [-5, 0, 5, NaN]);
  const [a] = runOp(clip, [x, f32([], [-1]), undefined], {}, 13);
  assert.deepEqual(values(a).slice(0, 3), [-1, 0, 5]);
  assert.ok(Number.isNaN(values(a)[3]));
  const [b] = runOp(clip, [x], { max: { kind: "float", value: 1 } }, 6);
  assert.deepEqual(values(b).slice(0, 3), [-5, 0, 1]);
  const i8 = new Tensor("s8", [3], Int8Array.of(-100, 5, 100));
  const [c] = runOp(clip, [
    i8,
    new Tensor("s8", [], Int8Array.of(-10)),
    new Tensor("s8", [], Int8Array.of(10)),
  ]);
  assert.deepEqual(values(c), [-10, 5, 10]);
});

Deno.test("PRelu broadcasts a per-channel slope and rejects a slope larger than X", () => {
  const x = f32([1, 2, 2], [-1, 2, -3, 4]);
  const [y] = runOp(prelu, [x, f32([2, 1], [0.5, 0.1])]);
  assert.deepEqual(values(y), [-0.5, 2, Math.fround(-0.3), 4]);
  assert.throws(() => runOp(prelu, [f32([2], [1, 2]), f32([2, 2])]), /unidirectional/);
});

Deno.test("Dropout is the identity with an all-true mask, and refuses training mode", () => {
  const x = f32([2], [1, 2]);
  const [y, mask] = runOp(dropout, [x, f32([], [0.5]), new Tensor("bool", [], Uint8Array.of(0))]);
  assert.deepEqual(values(y), [1, 2]);
  assert.equal(mask.dtype, "bool");
  assert.deepEqual(values(mask), [1, 1]);
  assert.throws(
    () => runOp(dropout, [x, f32([], [0.5]), new Tensor("bool", [], Uint8Array.of(1))]),
    /training_mode/,
  );
});

Deno.test("Constant builds int64 lists and float scalars from attributes", () => {
  const [a] = runOp(constant, [], { value_ints: { kind: "ints", value: [3, -1] } });
  assert.equal(a.dtype, "s64");
  assert.deepEqual(a.shape, [2]);
  assert.deepEqual(values(a), [3, -1]);
  const [b] = runOp(constant, [], { value_float: { kind: "float", value: 0.25 } });
  assert.deepEqual(b.shape, []);
  assert.deepEqual(values(b), [0.25]);
  assert.throws(() => runOp(constant, []), /exactly one/);
});

Deno.test("relu() and clip() give the same bits on every path, NaN and -0 included", () => {
  const v = randomF32(1003, 11);
  for (const i of [0, 7, 500]) v[i] = Number.NaN;
  v[9] = -0;
  v[10] = Number.NEGATIVE_INFINITY;
  const x = f32([1003], [...v]);
  const bounds: [number, number][] = [[0, 6], [-0.25, 0.5], [0.5, -0.5], [-Infinity, 0.125]];
  const runs = onEveryIsa(() =>
    [
      runOp(relu, [x])[0],
      ...bounds.map(([lo, hi]) => runOp(clip, [x, f32([], [lo]), f32([], [hi])])[0]),
    ].map((t) => t.data as Float32Array)
  );
  const scalar = runs.get("scalar")!;
  for (const [isa, ys] of runs) {
    ys.forEach((y, i) => assert.equal(firstBitDifference(y, scalar[i]), -1, `${isa} output ${i}`));
  }
});
