/**
 * Regressions of the fusion decision: a fusible-op list and an integer-kernel list that
 * disagreed made ConvTranspose → Relu and Paddle's hardswish emulate to garbage (real
 * values read as codes). Both models are quantized from calibration, emulated in both
 * arithmetics and compared with the float executor.
 */
import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import type { Model } from "../ir/graph.ts";
import { Executor } from "../exec/executor.ts";
import { QuantEmulator } from "./emulator.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import { calibrateAndQuantize, randomFeeds, randomValues, REGISTRY } from "./_testing.ts";

/**
 * Largest |emulated − float| of output `y`, in units of its scale, over one calibration
 * sample (inputs uniform in [−range, range)), in both arithmetics; records the paths taken.
 */
function worstLsb(
  model: Model,
  q: QuantModel,
  seed: number,
  range: number,
  paths: Map<string, string>,
): number {
  const feeds = randomFeeds(model, seed, -range, range);
  const want = asFloat32(new Executor(model, REGISTRY).run(feeds).get("y")!);
  const scale = activationParams(q, "y")!.scale;
  let worst = 0;
  for (const arithmetic of ["qdq", "npu"] as const) {
    const emu = new QuantEmulator(q, REGISTRY, { arithmetic });
    const got = asFloat32(emu.run(feeds).get("y")!);
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
    }
    for (const [k, v] of emu.paths) paths.set(k, v);
  }
  return worst;
}

/**
 * x [1, C, 3, 3] → ConvTranspose (stride 2, pads 1, output_padding 1 → 6×6) → Relu,
 * + z → y. With a bias only for group 1 (the S32 bias is per weight channel).
 */
function convTransposeReluAdd(group: number): Model {
  const c = 2 * group;
  const mg = 3;
  const m = mg * group;
  const initializers = {
    w: f32([c, mg, 3, 3], randomValues(c * mg * 9, 7, -0.5, 0.5)),
    b: f32([m], randomValues(m, 8, -0.2, 0.2)),
  };
  return buildModel({
    inputs: [
      { name: "x", dtype: "f32", shape: [1, c, 3, 3] },
      { name: "z", dtype: "f32", shape: [1, m, 6, 6] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [1, m, 6, 6] }],
    initializers,
    nodes: [
      {
        name: "deconv",
        opType: "ConvTranspose",
        inputs: group === 1 ? ["x", "w", "b"] : ["x", "w"],
        outputs: ["t"],
        attrs: {
          strides: attr.ints([2, 2]),
          pads: attr.ints([1, 1, 1, 1]),
          output_padding: attr.ints([1, 1]),
          group: attr.int(group),
        },
      },
      { name: "relu", opType: "Relu", inputs: ["t"], outputs: ["r"] },
      { name: "add", opType: "Add", inputs: ["r", "z"], outputs: ["y"] },
    ],
  });
}

for (const group of [1, 2]) {
  Deno.test(`QuantEmulator runs ConvTranspose → Relu → Add (group ${group}) within 2 LSB of float`, () => {
    const model = convTransposeReluAdd(group);
    const q = calibrateAndQuantize(model, 4, 100);
    assert.deepEqual([...q.fused], ["t"]);
    const paths = new Map<string, string>();
    // Errors: x, weights, r and z each round by half a step; r's and z's steps are about
    // y's, so the sum stays within 2 of y's steps.
    const worst = worstLsb(model, q, 100, 1, paths);
    assert.ok(worst <= 2, `worst error ${worst} LSB`);
    assert.equal(paths.get("deconv"), "integer");
    assert.equal(paths.get("relu"), "fused");
    assert.equal(paths.get("add"), "integer");
  });
}

Deno.test("QuantEmulator runs Paddle's hardswish x·Clip(x+3, 0, 6)/6 within 3 LSB of float", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 64] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 64] }],
    initializers: { three: f32([], [3]), zero: f32([], [0]), six: f32([], [6]) },
    nodes: [
      { name: "add", opType: "Add", inputs: ["x", "three"], outputs: ["a"] },
      { name: "clip", opType: "Clip", inputs: ["a", "zero", "six"], outputs: ["c"] },
      { name: "mul", opType: "Mul", inputs: ["x", "c"], outputs: ["m"] },
      { name: "div", opType: "Div", inputs: ["m", "six"], outputs: ["y"] },
    ],
  });
  const q = calibrateAndQuantize(model, 4, 200, -5, 5);
  // the Add's second operand is a constant: its kernel does not apply, so no fusion
  assert.equal(q.fused.size, 0);
  const paths = new Map<string, string>();
  // x in [−5, 5] (step 10/255) times c in [0, 6] (step 6/255) errs by up to
  // 6·½·10/255 + 5·½·6/255 ≈ 0.18 before the /6, m and y round by half a step each:
  // ≈ 0.035 in y, under 3 of y's steps (≈ 5.4/255).
  const worst = worstLsb(model, q, 200, 5, paths);
  assert.ok(worst <= 3, `worst error ${worst} LSB`);
  assert.equal(paths.get("add"), "table");
  assert.equal(paths.get("clip"), "table");
  assert.equal(paths.get("mul"), "integer");
  assert.equal(paths.get("div"), "table");
});
