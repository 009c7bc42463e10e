import { strict as assert } from "node:assert";
import { buildModel } from "../../ir/builder.ts";
import { asFloat32, f32 } from "../../ir/tensor.ts";
import { act, quantModel } from "../../quant/_testing.ts";
import { onInputGrids } from "./case_io.ts";

Deno.test("onInputGrids() rounds a quantized float input to its grid and leaves others", () => {
  const model = buildModel({
    inputs: [
      { name: "x", dtype: "f32", shape: [3] },
      { name: "z", dtype: "f32", shape: [1] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [3] }],
    nodes: [{ opType: "Add", inputs: ["x", "z"], outputs: ["y"], name: "add" }],
  });
  // x on U8, scale 0.5, zero point 0; z without parameters
  const params = quantModel(model, [act("x", 0.5, 0)]);
  const out = onInputGrids(
    new Map([["x", f32([3], [0.2, 0.8, -1])], ["z", f32([1], [0.3])]]),
    params,
  );
  // 0.2/0.5 = 0.4 → 0; 0.8/0.5 = 1.6 → 2 → 1.0; -1 → code -2 saturates at 0
  assert.deepEqual([...asFloat32(out.get("x")!)], [0, 1, 0]);
  assert.deepEqual([...asFloat32(out.get("z")!)], [Math.fround(0.3)]);
});
