import { strict as assert } from "node:assert";
import { applyEnvironment } from "../../cli.ts";
import { UsageError } from "../errors/mod.ts";
import { kernelIsa, useKernelIsa } from "../wasm/kernels.ts";

function withKernelsVariable(value: string, body: () => void): void {
  const before = kernelIsa();
  Deno.env.set("AXB_KERNELS", value);
  try {
    body();
  } finally {
    Deno.env.delete("AXB_KERNELS");
    useKernelIsa(before);
  }
}

Deno.test("applyEnvironment() selects the kernel path AXB_KERNELS names", () => {
  withKernelsVariable("scalar", () => {
    applyEnvironment();
    assert.equal(kernelIsa(), "scalar");
  });
  withKernelsVariable("simd", () => {
    applyEnvironment();
    assert.equal(kernelIsa(), "simd");
  });
});

Deno.test("applyEnvironment() rejects an unknown AXB_KERNELS with the paths it accepts", () => {
  withKernelsVariable("avx512", () => {
    assert.throws(
      () => applyEnvironment(),
      (e: unknown) =>
        e instanceof UsageError &&
        /AXB_KERNELS is "avx512", expected one of .*simd/.test(e.message),
    );
  });
});
