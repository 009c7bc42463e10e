/**
 * A constant-mode Pad shares its input's parameters; its fill value must be representable
 * on that grid. The differential generator found -1 padded after a Softplus emulating as 0
 * (the shared range [0, 6] saturated the fill value). Expected values are hand-computed.
 */
import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { asFloat32, f32, s64 } from "../ir/tensor.ts";
import type { Model } from "../ir/graph.ts";
import { QuantEmulator } from "./emulator.ts";
import { quantizeDefault, REGISTRY, statsOf } from "./_testing.ts";

/** x [1, 2] → Relu → r → Pad (one value each side, `mode`, fill `value`) → y [1, 4]. */
function reluPad(mode: string, value: number, opset = 17): Model {
  const pads = [0, 1, 0, 1];
  return buildModel({
    opset,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    initializers: opset >= 11 ? { pads: s64([4], pads), v: f32([], [value]) } : {},
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["r"], name: "relu" },
      {
        opType: "Pad",
        inputs: opset >= 11 ? ["r", "pads", "v"] : ["r"],
        outputs: ["y"],
        name: "pad",
        attrs: opset >= 11
          ? { mode: attr.string(mode) }
          : { mode: attr.string(mode), pads: attr.ints(pads), value: attr.float(value) },
      },
    ],
  });
}

/** Relu's output observed over [0, 6]; the padded output over [-1, 6]. */
const STATS = statsOf({ x: [-6, 6], r: [0, 6], y: [-1, 6] });

Deno.test("quantizeModel() widens a Pad's shared range to cover a fill value outside it", () => {
  const q = quantizeDefault(reluPad("constant", -1), STATS);
  const r = q.activations.get("r");
  const y = q.activations.get("y");
  assert.ok(r?.kind === "quant" && y?.kind === "quant");
  // still one group: the Pad moves codes
  assert.equal(y.dominator, "r");
  // range [-1, 6]: scale 7/255, zero point round(1 / (7/255)) = round(36.43) = 36
  assert.equal(r.scale, Math.fround(7 / 255));
  assert.equal(r.zeroPoint, 36);
  assert.equal(y.scale, r.scale);
  assert.equal(y.zeroPoint, 36);
});

Deno.test("quantizeModel() reads the fill value of an opset-10 Pad from its attribute", () => {
  const q = quantizeDefault(reluPad("constant", 7, 10), STATS);
  const r = q.activations.get("r");
  assert.ok(r?.kind === "quant");
  // range [0, 7]: scale 7/255, zero point 0
  assert.equal(r.scale, Math.fround(7 / 255));
  assert.equal(r.zeroPoint, 0);
});

Deno.test("quantizeModel() keeps the input's range for a Pad that copies input values", () => {
  const q = quantizeDefault(reluPad("edge", -1), STATS);
  const r = q.activations.get("r");
  assert.ok(r?.kind === "quant");
  assert.equal(r.scale, Math.fround(6 / 255));
  assert.equal(r.zeroPoint, 0);
});

Deno.test("QuantEmulator pads with the fill value's code when it lies outside the input's range", () => {
  const q = quantizeDefault(reluPad("constant", -1), STATS);
  const feeds = new Map([["x", f32([1, 2], [3, -2])]]);
  for (const arithmetic of ["qdq", "npu"] as const) {
    const y = asFloat32(new QuantEmulator(q, REGISTRY, { arithmetic }).run(feeds).get("y")!);
    const s = 7 / 255;
    // fill -1 → code round(-36.43) + 36 = 0 → (0 - 36)·s = -0.988 (it read 0 before);
    // x = 3 on x's grid (scale 12/255) is 64 steps = 3.0118, Relu keeps it, on r's grid
    // 64·12/7 = 109.71 → 110 steps; Relu(-2) = 0 → code 36 → 0
    const want = [-36 * s, 110 * s, 0, -36 * s];
    y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${arithmetic} y[${i}] = ${v}`));
  }
});
