import { strict as assert } from "node:assert";
import { valueRange } from "./calibrate.ts";
import { Histogram } from "./histogram.ts";
import { onEveryIsa, randomF32 } from "../wasm/_testing.ts";

Deno.test("valueRange() finds the extremes, skipping NaN, on every path", () => {
  const v = Float32Array.of(0.5, Number.NaN, -3, 7.25, 2, Number.NaN, -1);
  for (const [isa, r] of onEveryIsa(() => valueRange(v))) {
    assert.deepEqual(r, { lo: -3, hi: 7.25 }, isa);
  }
  for (const [isa, r] of onEveryIsa(() => valueRange(Float32Array.of(Number.NaN)))) {
    assert.deepEqual(r, { lo: Infinity, hi: -Infinity }, isa);
  }
});

Deno.test("valueRange() reports the first zero's sign when an extreme is zero", () => {
  // the first zero sits in lane 1, the other-signed one in lane 0 of the next vector
  const relu = Float32Array.of(3, 0, 2, 5, -0, 4, 1, 6, 1);
  const neg = Float32Array.of(-2, -0, -1, -5, 0, -4, -3, -6, -1);
  for (const [isa, r] of onEveryIsa(() => [valueRange(relu), valueRange(neg)])) {
    assert.ok(Object.is(r[0].lo, 0), `${isa}: relu-like min`);
    assert.ok(Object.is(r[1].hi, -0), `${isa}: non-positive max`);
  }
});

Deno.test("Histogram.add() bins the same on every path, ends and NaN included", () => {
  const v = randomF32(5001, 4).map((x) => 3 * x);
  v[0] = Number.NaN;
  v[1] = Infinity;
  v[2] = -Infinity;
  v[3] = 2; // exactly hi: the last bin
  const runs = onEveryIsa(() => {
    const h = new Histogram(-1.5, 2, 37);
    h.add(v);
    h.add(v.subarray(0, 11));
    return h;
  });
  const ref = runs.get("scalar")!;
  assert.equal(ref.total, 5012);
  assert.equal(ref.counts.reduce((a, b) => a + b, 0), 5010);
  for (const [isa, h] of runs) {
    assert.deepEqual(h.counts, ref.counts, isa);
    assert.equal(h.total, ref.total, isa);
  }
});
