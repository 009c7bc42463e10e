import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { f32, s64, type Tensor } from "../ir/tensor.ts";
import { QuantEmulator } from "./emulator.ts";
import { act, coded, quantModel, REGISTRY } from "./_testing.ts";
import type { QuantModel } from "./quant_model.ts";
import type { Arithmetic } from "./int_kernels.ts";

/**
 * x [1, 2, 1, 2] → 1×1 Conv (2 output channels, bias) → y, optionally followed by an
 * activation. Hand-picked parameters:
 * x U8 scale 0.5 zp 10; W codes [[1, 2], [-3, 4]] with scales [0.1, 0.2]; bias codes
 * [5, −10] (scales s_x·s_w); y U8 scale 0.25 zp 20.
 */
function convModel(activation?: { opType: "Relu" | "Clip"; bounds?: [number, number] }) {
  const conv = activation ? "c" : "y";
  const nodes = [{ opType: "Conv", inputs: ["x", "w", "b"], outputs: [conv], name: "conv" }];
  const initializers: Record<string, Tensor> = {
    w: f32([2, 2, 1, 1], [0.1, 0.2, -0.6, 0.8]),
    b: f32([2], [0.25, -1]),
  };
  if (activation?.bounds) {
    initializers.lo = f32([], [activation.bounds[0]]);
    initializers.hi = f32([], [activation.bounds[1]]);
  }
  if (activation) {
    const inputs = activation.bounds ? ["c", "lo", "hi"] : ["c"];
    nodes.push({ opType: activation.opType, inputs, outputs: ["y"], name: "act" });
  }
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 1, 2] }],
    nodes,
    initializers,
  });
  return quantModel(model, [act("x", 0.5, 10), act("y", 0.25, 20)], {
    w: coded([1, 2, -3, 4], [0.1, 0.2], 0),
    b: coded([5, -10], [0.05, 0.1], 0, "S32"),
  }, activation ? ["c"] : []);
}

// x real: channel 0 [1, 2], channel 1 [0, −1] → codes [12, 14], [10, 8] → centred [2, 4], [0, −2]
const X = f32([1, 2, 1, 2], [1, 2, 0, -1]);

function codes(q: QuantModel, feeds: Record<string, Tensor>, arithmetic: Arithmetic = "qdq") {
  const emu = new QuantEmulator(q, REGISTRY, { arithmetic });
  const out = emu.runCodes(new Map(Object.entries(feeds)));
  return { codes: [...out.get("y")!.data as Float32Array], paths: emu.paths };
}

Deno.test("QuantEmulator runs a Conv as an integer kernel with hand-computed codes", () => {
  // acc = bias + Σ w·x: ch0 5 + [2, 4] + 2·[0, −2] = [7, 5]; ch1 −10 − 3·[2, 4] + 4·[0, −2]
  // = [−16, −30]. Multipliers 0.5·0.1/0.25 = 0.2 and 0.5·0.2/0.25 = 0.4:
  // [1.4, 1.0] → [1, 1] + 20; [−6.4, −12] → [−6, −12] + 20.
  for (const arithmetic of ["qdq", "npu"] as const) {
    const r = codes(convModel(), { x: X }, arithmetic);
    assert.deepEqual(r.codes, [21, 21, 14, 8], arithmetic);
    assert.equal(r.paths.get("conv"), "integer");
  }
});

Deno.test("QuantEmulator clamps a Conv's codes to a fused Relu's zero point", () => {
  const r = codes(convModel({ opType: "Relu" }), { x: X });
  // channel 1's negative values stop at the zero point 20 (real 0)
  assert.deepEqual(r.codes, [21, 21, 20, 20]);
  assert.equal(r.paths.get("conv"), "integer");
  assert.equal(r.paths.get("act"), "fused");
});

Deno.test("QuantEmulator clamps a Conv's codes to a fused Clip's bounds", () => {
  // Clip(−1, 0.1): lo = round(−1/0.25) + 20 = 16, hi = round(0.1/0.25) + 20 = 20
  const r = codes(convModel({ opType: "Clip", bounds: [-1, 0.1] }), { x: X });
  assert.deepEqual(r.codes, [20, 20, 16, 16]);
});

function addModel(): QuantModel {
  const model = buildModel({
    inputs: [
      { name: "a", dtype: "f32", shape: [2] },
      { name: "b", dtype: "f32", shape: [2] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [{ opType: "Add", inputs: ["a", "b"], outputs: ["y"], name: "add" }],
  });
  return quantModel(model, [act("a", 0.5, 10), act("b", 0.25, 0), act("y", 1, 5)]);
}

Deno.test("QuantEmulator adds codes as onnxruntime's QLinearAdd in qdq arithmetic", () => {
  // a [1, −2] → codes [12, 6]; b [0.5, 3] → [2, 12]. Real sums [1.5, 1] + zp 5 = [6.5, 6]:
  // ties round to even in qdq.
  const r = codes(addModel(), { a: f32([2], [1, -2]), b: f32([2], [0.5, 3]) }, "qdq");
  assert.deepEqual(r.codes, [6, 6]);
  assert.equal(r.paths.get("add"), "integer");
});

Deno.test("QuantEmulator adds codes in fixed point, ties away from zero, in npu arithmetic", () => {
  const r = codes(addModel(), { a: f32([2], [1, -2]), b: f32([2], [0.5, 3]) }, "npu");
  assert.deepEqual(r.codes, [7, 6]);
});

Deno.test("QuantEmulator requantizes only the Concat input whose parameters differ", () => {
  const model = buildModel({
    inputs: [
      { name: "a", dtype: "f32", shape: [2] },
      { name: "b", dtype: "f32", shape: [2] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [4] }],
    nodes: [{
      opType: "Concat",
      inputs: ["a", "b"],
      outputs: ["y"],
      name: "concat",
      attrs: { axis: { kind: "int", value: 0 } },
    }],
  });
  const q = quantModel(model, [act("a", 1, 0), act("b", 0.5, 0), act("y", 1, 0)]);
  // a passes as is; b codes [3, 4] (real 1.5, 2) → 1.5 rounds to even 2, 2 stays 2
  const r = codes(q, { a: f32([2], [7, 9]), b: f32([2], [1.5, 2]) });
  assert.deepEqual(r.codes, [7, 9, 2, 2]);
  assert.equal(r.paths.get("concat"), "integer");
});

Deno.test("QuantEmulator runs Abs as a lookup table over the input codes", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3] }],
    nodes: [{ opType: "Abs", inputs: ["x"], outputs: ["y"], name: "abs" }],
  });
  // x scale 1 zp 128: real −3, 5, −128 → |·| on y scale 1 zp 0 (−128 → 128)
  const q = quantModel(model, [act("x", 1, 128), act("y", 1, 0)]);
  const r = codes(q, { x: f32([3], [-3, 5, -128]) });
  assert.deepEqual(r.codes, [3, 5, 128]);
  assert.equal(r.paths.get("abs"), "table");
});

Deno.test("QuantEmulator runs PRelu with a one-element slope of rank 3 as a table", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, 2] }],
    nodes: [{ opType: "PRelu", inputs: ["x", "s"], outputs: ["y"], name: "prelu" }],
    initializers: { s: f32([1, 1, 1], [0.5]) },
  });
  // x scale 1 zp 128: −4 → −2, 6 → 6 on y scale 1 zp 10
  const q = quantModel(model, [act("x", 1, 128), act("y", 1, 10)]);
  const r = codes(q, { x: f32([1, 1, 2], [-4, 6]) });
  assert.deepEqual(r.codes, [8, 16]);
  assert.equal(r.paths.get("prelu"), "table");
});

Deno.test("QuantEmulator refuses a fused output whose producer has no integer kernel", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "Sigmoid", inputs: ["x"], outputs: ["s"], name: "sig" },
      { opType: "Relu", inputs: ["s"], outputs: ["y"], name: "relu" },
    ],
  });
  const q = quantModel(model, [act("x", 1, 128), act("y", 1, 0)], {}, ["s"]);
  assert.throws(() => new QuantEmulator(q, REGISTRY), /"sig" \(Sigmoid\).*fused/);
});

Deno.test("QuantEmulator runs a float-output Conv on its weights' codes, dequantized", () => {
  // w = 0.3 codes to 1 with scale 0.25, so the QDQ file's Conv multiplies by 0.25, not 0.3
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 1, 1] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, 1, 1] }],
    initializers: { w: f32([1, 1, 1, 1], [0.3]) },
    nodes: [{ opType: "Conv", inputs: ["x", "w"], outputs: ["y"], name: "conv" }],
  });
  const q = quantModel(model, [act("x", 1, 0), ["y", { kind: "float" }]], {
    w: coded([1], [0.25], 0),
  });
  for (const arithmetic of ["qdq", "npu"] as const) {
    const emu = new QuantEmulator(q, REGISTRY, { arithmetic });
    const y = emu.run(new Map([["x", f32([1, 1, 1, 1], [2])]])).get("y")!;
    assert.deepEqual([...y.data as Float32Array], [0.5], arithmetic);
    assert.equal(emu.paths.get("conv"), "float-inside");
  }
});

Deno.test("QuantEmulator pads with the code of Pad's constant value, saturated to the grid", () => {
  // x and y share U8 scale 0.5 zp 10 (Pad keeps its input's parameters). Pad value −1
  // → code round(−2) + 10 = 8; −7 → −14 + 10 = −4, saturated to 0 (onnxruntime's QDQ:
  // pad in float, quantize). Found by the differential generator (Pad value −1 gave 0.0).
  const x = act("x", 0.5, 10);
  for (const [value, code] of [[-1, 8], [-7, 0], [0.25, 10]] as const) {
    const model = buildModel({
      inputs: [{ name: "x", dtype: "f32", shape: [1, 2] }],
      outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
      nodes: [{ opType: "Pad", inputs: ["x", "p", "v"], outputs: ["y"], name: "pad" }],
      initializers: {
        p: s64([4], [0, 1, 0, 1]),
        v: f32([], [value]),
      },
    });
    const q = quantModel(model, [x, [x[0].replace("x", "y"), x[1]]]);
    const r = codes(q, { x: f32([1, 2], [1, 2]) });
    assert.deepEqual(r.codes, [code, 12, 14, code], `pad value ${value}`);
    assert.equal(r.paths.get("pad"), "passive");
  }
});
