import { strict as assert } from "node:assert";
import type { ValueInfo } from "../ir/graph.ts";
import { Tensor, toNumbers } from "../ir/tensor.ts";
import type { DType } from "../ir/dtype.ts";
import { InputDataError, ModelFormatError } from "../errors/mod.ts";
import type { HorizonMeta } from "../container/horizon_meta.ts";
import { horizonRunInputs } from "./horizon_inputs.ts";
import { modelRunner } from "./model_runner.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { runCompiled } from "../container/runtime.ts";
import { horizonSampleMeta, horizonSampleModel } from "../container/_horizon_testing.ts";

const H = 2;
const W = 4;

function input(dtype: DType, shape: number[]): ValueInfo {
  return { name: "data", type: { dtype, shape } };
}

function meta(typeRt: string, layoutRt = "NHWC"): HorizonMeta {
  return horizonSampleMeta({ typeRt, layoutRt });
}

function u8(shape: number[], values: number[]): Tensor {
  return new Tensor("u8", shape, Uint8Array.from(values));
}

Deno.test("horizonRunInputs() turns NV12 bytes into yuv444_128 NCHW float: each chroma pair covers 2x2 pixels", () => {
  const [plan] = horizonRunInputs([input("f32", [1, 3, H, W])], meta("nv12"));
  assert.equal(plan.path, "convert");
  assert.deepEqual(plan.runtime.type, { dtype: "u8", shape: [1, 3, 4, 1] });
  // Y plane 2x4, then one UV row (2 pairs) for the 2x4 image
  const y = [10, 20, 30, 40, 50, 60, 70, 80];
  const uv = [100, 200, 110, 210];
  const out = toNumbers(plan.adapt(u8([1, 3, 4, 1], [...y, ...uv])));
  const want = [
    ...y.map((v) => v - 128),
    ...[100, 100, 110, 110, 100, 100, 110, 110].map((v) => v - 128),
    ...[200, 200, 210, 210, 200, 200, 210, 210].map((v) => v - 128),
  ];
  assert.deepEqual(out, want);
  assert.match(plan.note, /nv12 uint8 \(1, 3, 4, 1\) → yuv444_128 float32 \(1, 3, 2, 4\) \(NCHW\)/);
});

Deno.test("horizonRunInputs() moves NHWC rgb bytes to an NCHW int8 input minus 128", () => {
  const [plan] = horizonRunInputs([input("s8", [1, 3, 1, 2])], meta("rgb"));
  assert.deepEqual(plan.runtime.type, { dtype: "u8", shape: [1, 1, 2, 3] });
  const t = plan.adapt(u8([1, 1, 2, 3], [0, 128, 255, 1, 2, 3]));
  assert.equal(t.dtype, "s8");
  assert.deepEqual(toNumbers(t), [-128, -127, 0, -126, 127, -125]);
});

Deno.test("horizonRunInputs() keeps NCHW runtime bgr planes in place and feeds NHWC intermediates as they come", () => {
  const [nchw] = horizonRunInputs([input("f32", [1, 3, 1, 2])], meta("bgr", "NCHW"));
  assert.deepEqual(nchw.runtime.type, { dtype: "u8", shape: [1, 3, 1, 2] });
  assert.deepEqual(toNumbers(nchw.adapt(u8([1, 3, 1, 2], [1, 2, 3, 4, 5, 6]))), [
    -127,
    -126,
    -125,
    -124,
    -123,
    -122,
  ]);
  const [nhwc] = horizonRunInputs([input("f32", [1, 1, 2, 3])], meta("rgb"));
  assert.deepEqual(toNumbers(nhwc.adapt(u8([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]))), [
    -127,
    -126,
    -125,
    -124,
    -123,
    -122,
  ]);
});

Deno.test("horizonRunInputs() passes uint8 image inputs and float32 featuremaps through", () => {
  const [img] = horizonRunInputs([input("u8", [1, 3, 4, 1])], meta("nv12"));
  assert.equal(img.path, "pass");
  const bytes = u8([1, 12], Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual(img.adapt(bytes).shape, [1, 3, 4, 1]);
  const [fm] = horizonRunInputs([input("f32", [1, 10])], meta("featuremap"));
  assert.equal(fm.path, "pass");
  assert.deepEqual(fm.runtime.type, { dtype: "f32", shape: [1, 10] });
});

Deno.test("horizonRunInputs() feeds the container type when hb_model_modifier removed the head node", () => {
  const m = {
    ...meta("nv12"),
    removed_nodes: [{
      name: "data_transpose",
      op_type: "Transpose",
      parameters: { boundary: "input", tensor: "data", perm: [0, 3, 1, 2] },
    }],
  };
  const [plan] = horizonRunInputs([input("f32", [1, 3, H, W])], m);
  assert.equal(plan.path, "raw");
  assert.deepEqual(plan.runtime.type, { dtype: "f32", shape: [1, 3, H, W] });
  assert.match(plan.note, /head node removed by hb_model_modifier/);
});

Deno.test("horizonRunInputs() refuses runtime types the container input cannot take, and data of the wrong size", () => {
  assert.throws(
    () => horizonRunInputs([input("u8", [1, 10])], meta("featuremap")),
    (e: unknown) => e instanceof ModelFormatError && /featuremap is float32/.test(e.message),
  );
  assert.throws(
    () => horizonRunInputs([input("f32", [1, 10])], meta("rgb")),
    /needs a uint8 input or a float32\/int8 4-D image with 3 channel\(s\)/,
  );
  assert.throws(
    () => horizonRunInputs([input("f32", [1, 3, 3, 4])], meta("nv12")),
    /nv12 needs even height and width, the model input is 3x4/,
  );
  const [plan] = horizonRunInputs([input("f32", [1, 3, H, W])], meta("nv12"));
  assert.throws(
    () => plan.adapt(u8([1, 8], [0, 0, 0, 0, 0, 0, 0, 0])),
    (e: unknown) =>
      e instanceof InputDataError &&
      /Input "data" needs uint8 \(1, 3, 4, 1\) \(12 values\), got uint8 with 8 values/.test(
        e.message,
      ),
  );
});

Deno.test("modelRunner() runs a Horizon container from rgb bytes as the compiled model runs their intermediate", () => {
  const model = horizonSampleModel({ typeRt: "rgb", head: "none" });
  const notes: string[] = [];
  const runner = modelRunner(model, defaultRegistry(), "m.bin", { info: (l) => notes.push(l) });
  assert.equal(runner.kind, "HorizonModel");
  assert.deepEqual(runner.inputs[0].type, { dtype: "u8", shape: [1, 4, 4, 3] });
  assert.match(notes[0], /rgb uint8 \(1, 4, 4, 3\) → RGB_128 float32 \(1, 3, 4, 4\)/);
  const pixels = Array.from({ length: 48 }, (_, i) => (i * 37) % 256);
  const got = runner.run(new Map([["data", u8([1, 4, 4, 3], pixels)]]), false).get("prob");
  const nchw = new Float32Array(48);
  for (let q = 0; q < 16; q++) {
    for (let c = 0; c < 3; c++) nchw[c * 16 + q] = pixels[q * 3 + c] - 128;
  }
  const want = runCompiled(model, new Map([["data", new Tensor("f32", [1, 3, 4, 4], nchw)]]))
    .outputs.get("prob");
  assert.ok(got && want);
  assert.deepEqual(toNumbers(got), toNumbers(want));
});
