import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { gelu } from "./activations.ts";
import { erfOp } from "./math.ts";
import { erf } from "./erf.ts";
import { runOp } from "./_test_util.ts";
import { firstBitDifference, onEveryIsa, randomF32, withIsa } from "../../wasm/_testing.ts";
import { supportedIsas } from "../../wasm/kernels.ts";
import type { RegisteredOp } from "../op.ts";

/** Random values over [-8, 8), grid points and half-way points of the 1/64 grid, specials. */
function inputs(): Float32Array {
  const r = randomF32(4099, 7).map((v) => v * 8);
  const grid = Array.from({ length: 800 }, (_, i) => (i - 400) / 64);
  const halves = Array.from({ length: 800 }, (_, i) => (i - 400 + 0.5) / 64);
  const special = [0, -0, NaN, Infinity, -Infinity, 6, -6, 5.999999, 1e-30, -1e-30, 3.4e38];
  return Float32Array.from([...r, ...grid, ...halves, ...special]);
}

/**
 * A dense sweep for the float32 kernel: every 37th float32 in [-4.5, 4.5] near the
 * region split (0.921875) and the clamp (4), 2¹⁹ evenly spaced values over [-6, 6], a
 * walk through the bit patterns of every exponent (subnormals included), and specials.
 */
function sweep(): Float32Array {
  const out: number[] = [];
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  for (const centre of [0.921875, 4]) {
    f[0] = centre;
    const at = bits[0];
    for (let d = -200_000; d <= 200_000; d += 37) {
      bits[0] = at + d;
      out.push(f[0], -f[0]);
    }
  }
  const n = 2 ** 19;
  for (let i = 0; i <= n; i++) out.push(-6 + 12 * i / n);
  for (let b = 0; b < 0x7f800000; b += 0x1000 + 7) {
    bits[0] = b;
    out.push(f[0], -f[0]);
  }
  out.push(0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 0.921875, 4);
  return Float32Array.from(out);
}

/** The spacing of float32 values at |v| (an ulp; the subnormal spacing below 2⁻¹²⁶). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

function run(op: RegisteredOp, opset: number, x: Float32Array): Float32Array {
  return runOp(op, [f32([x.length], x)], {}, opset)[0].data as Float32Array;
}

for (const [name, op, opset] of [["Erf", erfOp, 13], ["Gelu", gelu, 20]] as const) {
  Deno.test(`${name} gives the scalar path's float32 bits on the simd path when inputs are odd`, () => {
    const results = onEveryIsa(() => run(op, opset, inputs()));
    const scalar = results.get("scalar")!;
    assert.ok(results.has("simd"), "this engine runs the simd kernels");
    const at = firstBitDifference(results.get("simd")!, scalar);
    assert.equal(at, -1, `simd differs at ${at}: ${results.get("simd")![at]} vs ${scalar[at]}`);
  });
}

Deno.test("Erf on the exact paths stays within one float32 rounding of the float64 series", () => {
  const x = inputs();
  for (const isa of ["simd", "scalar"] as const) {
    const y = withIsa(isa, () => run(erfOp, 13, x));
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

Deno.test("Erf on the relaxed-simd path stays within 2 float32 ulp of erf() on a dense sweep", () => {
  assert.ok(supportedIsas().includes("relaxed-simd"), "this engine runs relaxed SIMD");
  const x = sweep();
  const y = withIsa("relaxed-simd", () => run(erfOp, 13, x));
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const want = erf(x[i]);
    if (Number.isNaN(want)) {
      assert.ok(Number.isNaN(y[i]), `erf(NaN) is ${y[i]}`);
      continue;
    }
    if (want === 0) {
      assert.ok(Object.is(y[i], want), `erf(${Object.is(x[i], -0) ? "-0" : x[i]}) is ${y[i]}`);
      continue;
    }
    const err = Math.abs(y[i] - want) / ulp32(want);
    assert.ok(err <= 2, `erf(${x[i]}) is ${y[i]}, want ${want} (${err.toFixed(2)} ulp)`);
    worst = Math.max(worst, err);
  }
  // the kernel is no table copy of the reference: it differs somewhere
  assert.ok(worst > 0.5, `largest error ${worst} ulp`);
});

Deno.test("Gelu on the relaxed-simd path stays within 2 ulp plus |x|·2⁻²⁴ of the float64 Gelu", () => {
  const x = sweep();
  const y = withIsa("relaxed-simd", () => run(gelu, 20, x));
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const want = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
    if (!Number.isFinite(want)) {
      assert.ok(Object.is(y[i], want), `gelu(${v}) is ${y[i]}, want ${want}`);
      continue;
    }
    if (v === 0) {
      assert.ok(Object.is(y[i], v), `gelu(${Object.is(v, -0) ? "-0" : v}) is ${y[i]}`);
      continue;
    }
    // erf's own error (1 + erf cancels for negative x) scaled by |x|/2, plus the roundings
    const bound = 2 * ulp32(want) + Math.abs(v) * 2 ** -24;
    assert.ok(Math.abs(y[i] - want) <= bound, `gelu(${v}) is ${y[i]}, want ${want}`);
  }
});
