import { strict as assert } from "node:assert";
import { kernelIsa, supportedIsas, wasmKernels } from "./kernels.ts";
import { withIsa } from "./_testing.ts";

Deno.test("kernelIsa() defaults to the fastest path the engine validates", () => {
  assert.equal(supportedIsas().at(-1), "scalar");
  assert.equal(kernelIsa(), supportedIsas()[0]);
  assert.equal(kernelIsa(), "relaxed-simd");
});

Deno.test("supportedIsas() lists relaxed-simd first on Deno, which validates relaxed SIMD", () => {
  assert.deepEqual(supportedIsas(), ["relaxed-simd", "simd", "scalar"]);
});

Deno.test("wasmKernels() loads each path's module and none on the scalar path", () => {
  for (const isa of supportedIsas()) {
    const k = withIsa(isa, () => wasmKernels());
    if (isa === "scalar") assert.equal(k, undefined);
    else assert.equal(k?.isa, isa);
  }
});
