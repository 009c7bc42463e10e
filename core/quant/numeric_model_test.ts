import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { quantizeDefault, statsOf } from "./_testing.ts";
import type { NumericModel } from "./numeric_model.ts";
import { inScheme, wideTailTensors } from "./numeric_model.ts";

/** The symmetric scheme with Conv as the only wide-output operator (Horizon §8). */
const SYMMETRIC: NumericModel = {
  name: "int8 symmetric",
  activation8: "S8",
  activation16: "S16",
  wideOutputOps: ["Conv"],
};

/** x → Conv (1×1, 1 channel) → c → Relu → y; `tail` false adds a Sigmoid after the Relu. */
function convRelu(tail: boolean) {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 1, 2] }],
    outputs: [{ name: tail ? "r" : "y", dtype: "f32", shape: [1, 1, 1, 2] }],
    initializers: { w: f32([1, 1, 1, 1], [0.5]), b: f32([1], [0.25]) },
    nodes: [
      { opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], name: "conv" },
      { opType: "Relu", inputs: ["c"], outputs: ["r"], name: "relu" },
      ...(tail ? [] : [{ opType: "Sigmoid", inputs: ["r"], outputs: ["y"], name: "sig" }]),
    ],
  });
}

Deno.test("quantizeModel() gives S8 activations with zero point 0 and scale amax/127 when the scheme is symmetric", () => {
  const stats = statsOf({ x: [-0.5, 2.54], c: [-1, 1], r: [0, 1], y: [0.2, 0.9] });
  const q = quantizeDefault(convRelu(false), stats, { numeric: SYMMETRIC });
  const x = q.activations.get("x");
  assert.ok(x?.kind === "quant");
  assert.equal(x.qtype, "S8");
  assert.equal(x.zeroPoint, 0);
  assert.equal(x.scale, Math.fround(2.54 / 127));
  const y = q.activations.get("y");
  // a one-sided range [0.2, 0.9] is widened to contain 0, still symmetric: 0.9/127
  assert.ok(y?.kind === "quant" && y.qtype === "S8" && y.zeroPoint === 0);
  assert.equal(y.scale, Math.fround(0.9 / 127));
});

Deno.test("quantizeModel() keeps a tail Conv's output and its Relu in float (int32 output, ReLU on CPU)", () => {
  const stats = statsOf({ x: [-1, 1], c: [-1, 1], r: [0, 1] });
  const q = quantizeDefault(convRelu(true), stats, { numeric: SYMMETRIC });
  assert.equal(q.fused.size, 0);
  assert.equal(q.activations.get("c")?.kind, "float");
  assert.equal(q.activations.get("r")?.kind, "float");
  assert.equal(q.activations.get("x")?.kind, "quant");
  // the same model with the default scheme fuses the Relu into the Conv
  const dflt = quantizeDefault(convRelu(true), stats);
  assert.deepEqual([...dflt.fused], ["c"]);
});

Deno.test("quantizeModel() uses fixed parameters instead of the calibrated range for a named input", () => {
  const stats = statsOf({ x: [-100, 50], c: [-1, 1], r: [0, 1], y: [0, 1] });
  const fixed = new Map([["x", { qtype: "S8" as const, scale: 1, zeroPoint: 0 }]]);
  const q = quantizeDefault(convRelu(false), stats, {
    numeric: SYMMETRIC,
    fixedActivations: fixed,
  });
  const x = q.activations.get("x");
  assert.ok(x?.kind === "quant");
  assert.deepEqual([x.scale, x.zeroPoint, x.min, x.max], [1, 0, -128, 127]);
});

Deno.test("inScheme() maps the unsigned defaults to the scheme and keeps explicit requests", () => {
  assert.equal(inScheme("U8", SYMMETRIC), "S8");
  assert.equal(inScheme("U16", SYMMETRIC), "S16");
  assert.equal(inScheme("FP32", SYMMETRIC), "FP32");
  assert.equal(inScheme("S16", { ...SYMMETRIC, activation16: "U16" }), "S16");
});

Deno.test("wideTailTensors() is empty for a Conv whose Relu is read by another operator", () => {
  assert.deepEqual([...wideTailTensors(convRelu(false).graph, SYMMETRIC)], []);
  assert.deepEqual([...wideTailTensors(convRelu(true).graph, SYMMETRIC)].sort(), ["c", "r"]);
});
