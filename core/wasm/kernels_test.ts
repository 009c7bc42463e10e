import { strict as assert } from "node:assert";
import { kernelIsa, supportedIsas, wasmKernels } from "./kernels.ts";
import { randomF32, withIsa } from "./_testing.ts";

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

Deno.test("packARows() packs a row-major A to packA's bytes on every wasm path", () => {
  for (const isa of supportedIsas().filter((i) => i !== "scalar")) {
    const { heap, fn } = withIsa(isa, () => wasmKernels())!;
    for (const m of [1, 3, 4, 5, 8, 9, 13]) {
      // k past one KC block (256) and not a multiple of 4; rows padded to a wider stride
      for (const k of [1, 3, 4, 7, 258, 515]) {
        const lda = k + 3;
        const a = heap.put(randomF32(m * lda, m * 1000 + k));
        const bytes = fn.packedABytes(m, k);
        const want = heap.alloc(bytes), got = heap.alloc(bytes);
        fn.packA(want, a, lda, 1, m, k, 1);
        fn.packARows(got, a, lda, m, k);
        const w = heap.i32(want, bytes / 4), g = heap.i32(got, bytes / 4);
        assert.deepEqual(g, w, `${isa}, m ${m}, k ${k}`);
        for (const p of [a, want, got]) heap.free(p);
      }
    }
  }
});
