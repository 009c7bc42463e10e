import { strict as assert } from "node:assert";
import { binariesModule, compileKernels } from "./build_wasm.ts";
import * as committed from "../core/wasm/_binaries.ts";

Deno.test("compileKernels() reproduces the committed binaries from core/wasm/assembly", async () => {
  const built = await compileKernels();
  assert.equal(
    committed.simd,
    btoa(String.fromCharCode(...built.simd)),
    "core/wasm/_binaries.ts is stale: run deno task wasm",
  );
  assert.equal(
    committed.relaxedSimd,
    btoa(String.fromCharCode(...built.relaxedSimd)),
    "core/wasm/_binaries.ts is stale: run deno task wasm",
  );
  const text = await Deno.readTextFile(new URL("../core/wasm/_binaries.ts", import.meta.url));
  assert.equal(text, binariesModule(built), "core/wasm/_binaries.ts was edited by hand");
});
