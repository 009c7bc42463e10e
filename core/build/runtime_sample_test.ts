import { strict as assert } from "node:assert";
import { defaultInputProcessor, type InputProcessor } from "../config/build_config.ts";
import { f32 } from "../ir/tensor.ts";
import type { ValueInfo } from "../ir/graph.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { runtimeSample } from "./runtime_sample.ts";

function proc(over: Partial<InputProcessor>): InputProcessor {
  return { ...defaultInputProcessor(), tensor_name: "data", ...over };
}

function input(shape: number[]): ValueInfo[] {
  return [{ name: "data", type: { dtype: "f32", shape } }];
}

Deno.test("runtimeSample() undoes normalisation and layout, rounding and saturating to U8", () => {
  // Runtime pixels (NHWC) (12, 28, 45) and (0, 255, 30) normalised with mean (10, 20, 30),
  // std (2, 4, 5): (1, 2, 3) and (-5, 58.75, 0); channel 0 of pixel 1 is -6 instead, which
  // maps back to -2 and saturates to 0.
  const sample = f32([1, 3, 1, 2], [1, -6, 2, 58.75, 3, 0]);
  const p = proc({
    tensor_layout: "NCHW",
    src_layout: "NHWC",
    src_dtype: "U8",
    mean: [10, 20, 30],
    std: [2, 4, 5],
  });
  const r = runtimeSample(new Map([["data", sample]]), input([1, 3, 1, 2]), [p], defaultRegistry())
    .get("data");
  assert.ok(r?.ok);
  assert.equal(r.tensor.dtype, "u8");
  assert.deepEqual(r.tensor.shape, [1, 1, 2, 3]);
  assert.deepEqual([...r.tensor.data as Uint8Array], [12, 28, 45, 0, 255, 30]);
});

Deno.test("runtimeSample() drops the padding the pre-processing adds", () => {
  // padding [start, end] per axis: one row added at the top of axis 2
  const p = proc({ src_dtype: "FP32", padding: [0, 0, 0, 0, 1, 0, 0, 0] });
  const sample = f32([1, 1, 3, 2], [0, 0, 1, 2, 3, 4]);
  const r = runtimeSample(new Map([["data", sample]]), input([1, 1, 3, 2]), [p], defaultRegistry())
    .get("data");
  assert.ok(r?.ok);
  assert.deepEqual(r.tensor.shape, [1, 1, 2, 2]);
  assert.deepEqual([...r.tensor.data as Float32Array], [1, 2, 3, 4]);
});

Deno.test("runtimeSample() gives the reason when a YUV source cannot be reconstructed", () => {
  const p = proc({
    tensor_format: "RGB",
    src_format: "YUV420SP",
    src_dtype: "U8",
    csc_mode: "FullRange",
  });
  const sample = f32([1, 3, 2, 2], new Array(12).fill(0.5));
  const r = runtimeSample(new Map([["data", sample]]), input([1, 3, 2, 2]), [p], defaultRegistry())
    .get("data");
  assert.deepEqual(r, {
    ok: false,
    reason: "input_processors[0]: its colour-space conversion cannot be undone",
  });
});

Deno.test("runtimeSample() passes an input without a processor through unchanged", () => {
  const sample = f32([1, 2], [0.25, -1]);
  const r = runtimeSample(new Map([["data", sample]]), input([1, 2]), [], defaultRegistry())
    .get("data");
  assert.ok(r?.ok);
  assert.equal(r.tensor, sample);
});
