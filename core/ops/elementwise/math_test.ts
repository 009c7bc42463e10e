import { strict as assert } from "node:assert";
import { f32, Tensor } from "../../ir/tensor.ts";
import { erf } from "./erf.ts";
import { abs, erfOp, isInf, round, roundHalfEven, sign } from "./math.ts";
import { runOp, values } from "./_test_util.ts";
import { ERF_TABLE } from "./_erf_reference.ts";

Deno.test("roundHalfEven() rounds ties to the even neighbour", () => {
  const xs = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, -3.5, 4.5];
  assert.deepEqual(xs.map(roundHalfEven).map((v) => v + 0), [0, 2, 2, 0, -2, -2, 2, 3, -4, 4]);
  assert.ok(Number.isNaN(roundHalfEven(NaN)));
  assert.equal(roundHalfEven(Infinity), Infinity);
  assert.equal(roundHalfEven(-Infinity), -Infinity);
});

Deno.test("Round works on float16 through float32", () => {
  const h = new Tensor("f16", [3], Uint16Array.of(0x3800, 0x3e00, 0x4100)); // 0.5 1.5 2.5
  const [y] = runOp(round, [h]);
  assert.equal(y.dtype, "f16");
  assert.deepEqual(Array.from(y.data as Uint16Array), [0x0000, 0x4000, 0x4000]); // 0 2 2
});

Deno.test("erf() matches reference values to double precision", () => {
  for (const [x, v] of ERF_TABLE) {
    assert.ok(Math.abs(erf(x) - v) <= 4e-16, `erf(${x}) = ${erf(x)}, expected ${v}`);
    assert.ok(Math.abs(erf(-x) + v) <= 4e-16, `erf(${-x})`);
  }
  // erfc(3) = 2.209049699858544e-5 and erfc(4) = 1.541725790028002e-8.
  assert.ok(Math.abs((1 - erf(3)) / 2.209049699858544e-5 - 1) < 1e-9);
  assert.ok(Math.abs((1 - erf(4)) / 1.541725790028002e-8 - 1) < 1e-6);
  assert.equal(erf(7), 1);
  assert.equal(erf(0), 0);
  assert.ok(Number.isNaN(erf(NaN)));
});

Deno.test("Erf rounds each value once into float32", () => {
  const [y] = runOp(erfOp, [f32([2], [0.5, -2])]);
  assert.deepEqual(values(y), [Math.fround(0.5204998778130465), Math.fround(-0.9953222650189527)]);
});

Deno.test("Abs and Sign handle integers and NaN", () => {
  const [a] = runOp(abs, [new Tensor("s8", [3], Int8Array.of(-128, -5, 7))]);
  assert.deepEqual(values(a), [-128, 5, 7]); // int8 |-128| wraps as in C
  const [s] = runOp(sign, [f32([4], [-3, 0, 2, NaN])]);
  const v = values(s);
  assert.deepEqual(v.slice(0, 3), [-1, 0, 1]);
  assert.ok(Number.isNaN(v[3]));
});

Deno.test("IsInf honours detect_positive and detect_negative", () => {
  const x = f32([4], [Infinity, -Infinity, 1, NaN]);
  const neg = { detect_positive: { kind: "int" as const, value: 0 } };
  assert.deepEqual(values(runOp(isInf, [x])[0]), [1, 1, 0, 0]);
  assert.deepEqual(values(runOp(isInf, [x], neg)[0]), [0, 1, 0, 0]);
});
