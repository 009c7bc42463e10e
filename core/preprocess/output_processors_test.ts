import { strict as assert } from "node:assert";
import { applyOutputProcessors } from "./output_processors.ts";
import { captureLogger, runModel, tinyConvModel } from "./_testing.ts";
import { defaultOutputProcessor, type OutputProcessor } from "../config/build_config.ts";
import { buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { ConfigError } from "../errors/mod.ts";

function proc(over: Partial<OutputProcessor>): OutputProcessor {
  return { ...defaultOutputProcessor(), tensor_name: "out", ...over };
}

// Pixels (x0, x1, x2): (1,1,1), (0,0,0), (5,5,5), (−5,−5,−6) in NCHW [1, 3, 2, 2].
const X = f32([1, 3, 2, 2], [1, 0, 5, -5, 1, 0, 5, -5, 1, 0, 5, -6]);
// y0 = x0 + 2 x1 + 3 x2 + 0.5, y1 = −x0 + 0.25 x2 − 1 → NCHW planes:
const Y0 = [6.5, 0.5, 30.5, -32.5];
const Y1 = [-1.75, -1, -4.75, 2.5];

Deno.test("applyOutputProcessors() with dst_perm [0,2,3,1] gives the NHWC output under the same name", () => {
  const m = tinyConvModel(1, 2, 2);
  const log = captureLogger();
  const r = applyOutputProcessors(m, [proc({ dst_perm: [0, 2, 3, 1] })], log);
  assert.deepEqual(r.outputs, [{
    name: "out",
    dtype: "f32",
    shape: [1, 2, 2, 2],
    steps: ["transpose"],
    batchAxis: 0,
  }]);
  assert.deepEqual(m.graph.outputs[0], {
    name: "out",
    type: { dtype: "f32", shape: [1, 2, 2, 2] },
  });
  const y = runModel(m, { data: X }).get("out");
  assert.deepEqual(y?.shape, [1, 2, 2, 2]);
  // NHWC: per pixel (y0, y1).
  assert.deepEqual([...(y?.data as Float32Array)], Y0.flatMap((v, i) => [v, Y1[i]]));
  assert.deepEqual(log.lines, [
    "INFO postprocess tensor [out]",
    "INFO op: op:post_transpose_1, AxTranspose, {'perm': [0, 2, 3, 1]}",
    "INFO tensor: out, (1, 2, 2, 2), FP32",
  ]);
});

Deno.test("applyOutputProcessors() with output_dtype U8 clips and rounds half to even", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [6] }],
    outputs: [{ name: "out", dtype: "f32", shape: [6] }],
    nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["out"] }],
    opset: 13,
  });
  const r = applyOutputProcessors(
    m,
    [proc({ tensor_name: "DEFAULT", output_dtype: "U8" })],
    captureLogger(),
  );
  assert.deepEqual(r.outputs[0].steps, ["quant"]);
  const y = runModel(m, { x: f32([6], [-3, 0.5, 1.5, 2.4, 254.6, 300]) }).get("out");
  assert.ok(y?.is("u8"));
  assert.deepEqual([...y.data], [0, 0, 2, 2, 255, 255]);
});

Deno.test("applyOutputProcessors() logs the default configuration when none is given", () => {
  const m = tinyConvModel();
  const log = captureLogger();
  const r = applyOutputProcessors(m, [], log);
  assert.deepEqual(log.lines, [
    "WARNING apply default output processor configuration to ['out']",
    "INFO postprocess tensor [out]",
  ]);
  assert.equal(m.graph.nodes.length, 1);
  assert.deepEqual(r.outputs[0].steps, []);
});

Deno.test("applyOutputProcessors() keeps internal consumers of an output on the float value", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "a", dtype: "f32", shape: [2] }, { name: "b", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "Neg", inputs: ["x"], outputs: ["a"] },
      { opType: "Neg", inputs: ["a"], outputs: ["b"] },
    ],
    opset: 13,
  });
  const log = captureLogger();
  applyOutputProcessors(m, [proc({ tensor_name: "a", output_dtype: "U8" })], log);
  assert.equal(log.lines[0], "WARNING apply default output processor configuration to ['b']");
  const res = runModel(m, { x: f32([2], [-7.5, 3]) });
  assert.deepEqual([...(res.get("a")?.data as Uint8Array)], [8, 0]);
  assert.deepEqual([...(res.get("b")?.data as Float32Array)], [-7.5, 3]);
});

Deno.test("applyOutputProcessors() refuses unknown outputs and bad permutations", () => {
  assert.throws(
    () => applyOutputProcessors(tinyConvModel(), [proc({ tensor_name: "prob" })], captureLogger()),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "output_processors[0].tensor_name" &&
      /"prob"/.test(e.message),
  );
  assert.throws(
    () => applyOutputProcessors(tinyConvModel(), [proc({ dst_perm: [0, 2, 1] })], captureLogger()),
    (e: unknown) => e instanceof ConfigError && e.field === "output_processors[0].dst_perm",
  );
});

Deno.test("applyOutputProcessors() with dst_perm [1, 0] on a (1, 3) output gives (3, 1) with the batch on axis 1", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3] }],
    outputs: [{ name: "out", dtype: "f32", shape: [1, 3] }],
    nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["out"] }],
    opset: 13,
  });
  const r = applyOutputProcessors(m, [proc({ dst_perm: [1, 0] })], captureLogger());
  assert.deepEqual(r.outputs[0].shape, [3, 1]);
  assert.equal(r.outputs[0].batchAxis, 1);
  const y = runModel(m, { x: f32([1, 3], [1, -2, 3]) }).get("out");
  assert.deepEqual(y?.shape, [3, 1]);
  assert.deepEqual([...(y?.data as Float32Array)], [1, 0, 3]);
});
