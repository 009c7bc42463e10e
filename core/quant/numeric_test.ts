import { strict as assert } from "node:assert";
import {
  affineFromRange,
  applyFixedPoint,
  dequantizeValue,
  quantizeValue,
  roundHalfAway,
  roundHalfEven,
  toFixedPoint,
} from "./numeric.ts";

Deno.test("roundHalfAway() rounds ties away from zero", () => {
  assert.deepEqual([2.5, -2.5, 1.5, -1.5, 0.4, -0.6].map(roundHalfAway), [3, -3, 2, -2, 0, -1]);
});

Deno.test("roundHalfEven() rounds ties to even", () => {
  assert.deepEqual([2.5, -2.5, 1.5, -1.5, 0.5, 3.7].map(roundHalfEven), [2, -2, 2, -2, 0, 4]);
});

Deno.test("roundHalfEven() keeps non-ties, signed zeros and non-finite values", () => {
  const cases: [number, number][] = [
    [-0.5, -0], // tie between -1 and -0: the even one is -0
    [-0.4999999, -0],
    [0.49999999999999994, 0], // the largest double below ½
    [-0.7, -1],
    [8388606.5, 8388606], // a float32 tie just below 2^23
    [8388607.5, 8388608],
    [-8388607.5, -8388608],
    [2 ** 52 + 1, 2 ** 52 + 1],
    [-(2 ** 60), -(2 ** 60)],
    [Infinity, Infinity],
    [-Infinity, -Infinity],
  ];
  for (const [x, want] of cases) assert.ok(Object.is(roundHalfEven(x), want), `${x}`);
  assert.ok(Number.isNaN(roundHalfEven(NaN)));
});

Deno.test("affineFromRange() gives U8 scale (max-min)/255 and the zero point of 0", () => {
  // [-1, 3]: scale 4/255, zero point round(1/(4/255)) = round(63.75) = 64
  const a = affineFromRange(-1, 3, "U8");
  assert.ok(Math.abs(a.scale - 4 / 255) < 1e-9);
  assert.equal(a.zeroPoint, 64);
});

Deno.test("affineFromRange() widens a positive range to include zero", () => {
  const a = affineFromRange(2, 6, "U8");
  assert.equal(a.zeroPoint, 0);
  assert.ok(Math.abs(a.scale - 6 / 255) < 1e-9);
});

Deno.test("affineFromRange() is symmetric with zero point 0 for S8", () => {
  const a = affineFromRange(-0.5, 2.54, "S8");
  assert.equal(a.zeroPoint, 0);
  assert.ok(Math.abs(a.scale - 0.02) < 1e-9);
});

Deno.test("quantizeValue() saturates and dequantizeValue() inverts on codes", () => {
  const a = { scale: 0.1, zeroPoint: 10 };
  assert.equal(quantizeValue(100, a, "U8"), 255);
  assert.equal(quantizeValue(-100, a, "U8"), 0);
  assert.equal(quantizeValue(0.5, a, "U8"), 15);
  assert.ok(Math.abs(dequantizeValue(15, a) - 0.5) < 1e-12);
});

Deno.test("toFixedPoint() and applyFixedPoint() reproduce acc·m rounded half away", () => {
  for (const m of [0.5, 0.0123, 1.7e-4, 0.999999, 3.25]) {
    const fp = toFixedPoint(m);
    assert.ok(fp.multiplier >= 2 ** 30 && fp.multiplier < 2 ** 31);
    for (const acc of [0, 1, -1, 12345, -98765, 2 ** 30, -(2 ** 30) + 7]) {
      const exact = acc * (fp.multiplier / 2 ** fp.shift);
      assert.equal(applyFixedPoint(acc, fp), roundHalfAway(exact), `m=${m} acc=${acc}`);
    }
  }
});

Deno.test("applyFixedPoint() rounds an exact half away from zero", () => {
  const fp = toFixedPoint(0.5); // multiplier 2^30, shift 31
  assert.equal(applyFixedPoint(3, fp), 2);
  assert.equal(applyFixedPoint(-3, fp), -2);
});
