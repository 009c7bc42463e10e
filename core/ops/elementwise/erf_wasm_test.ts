import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { gelu } from "./activations.ts";
import { erfOp } from "./math.ts";
import { erf } from "./erf.ts";
import { runOp } from "./_test_util.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../../wasm/_testing.ts";
import type { RegisteredOp } from "../op.ts";

/** Random values over [-8, 8), grid points and half-way points of the 1/64 grid, specials. */
function inputs(): Float32Array {
  const r = randomF32(4099, 7).map((v) => v * 8);
  const grid = Array.from({ length: 800 }, (_, i) => (i - 400) / 64);
  const halves = Array.from({ length: 800 }, (_, i) => (i - 400 + 0.5) / 64);
  const special = [0, -0, NaN, Infinity, -Infinity, 6, -6, 5.999999, 1e-30, -1e-30, 3.4e38];
  return Float32Array.from([...r, ...grid, ...halves, ...special]);
}

function outputsOnEveryIsa(op: RegisteredOp, opset: number): Map<string, Float32Array> {
  const x = f32([inputs().length], inputs());
  return onEveryIsa(() => runOp(op, [x], {}, opset)[0].data as Float32Array);
}

for (const [name, op, opset] of [["Erf", erfOp, 13], ["Gelu", gelu, 20]] as const) {
  Deno.test(`${name} gives the same float32 bits on every kernel path when inputs are odd`, () => {
    const results = outputsOnEveryIsa(op, opset);
    const scalar = results.get("scalar")!;
    for (const [isa, y] of results) {
      const at = firstBitDifference(y, scalar);
      assert.equal(at, -1, `${isa} differs at ${at}: ${y[at]} vs ${scalar[at]}`);
    }
  });
}

Deno.test("Erf on the wasm path stays within one float32 rounding of the float64 series", () => {
  const x = inputs();
  const results = outputsOnEveryIsa(erfOp, 13);
  for (const [isa, y] of results) {
    for (let i = 0; i < x.length; i++) {
      const want = erf(x[i]);
      if (Number.isNaN(want)) {
        assert.ok(Number.isNaN(y[i]), `${isa}: erf(NaN)`);
        continue;
      }
      // one rounding to float32 (half an ulp, 2^-24 relative) of a 1e-13-accurate value
      const bound = Math.abs(want) * (2 ** -24 + 1e-12);
      assert.ok(Math.abs(y[i] - want) <= bound, `${isa}: erf(${x[i]})`);
    }
  }
});
