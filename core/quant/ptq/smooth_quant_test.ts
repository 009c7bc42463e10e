import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { asFloat32, f32 } from "../../ir/tensor.ts";
import { Executor } from "../../exec/executor.ts";
import { smoothQuant } from "./smooth_quant.ts";
import { heldOutError, normal, quantizeOn, REGISTRY, samplesOf } from "./_testing.ts";
import { randomValues } from "../_testing.ts";

const OPTS = { strength: 0.5, threshold: 0.2 };

/**
 * x [1, 8, 16] → LayerNormalization (γ: channels 3 and 11 ×40) → h → MatMul (W [16, 8],
 * rows 3 and 11 ÷40) → y: two outlier channels stretch h's one U8 scale, so the other 14,
 * which carry as much of y, lose precision.
 */
function layerNormMatMul() {
  const outlier = (j: number) => j === 3 || j === 11;
  const gamma = Float32Array.from({ length: 16 }, (_, j) => (outlier(j) ? 40 : 1));
  const w = randomValues(128, 4).map((v, i) => (outlier(Math.floor(i / 8)) ? v / 40 : v));
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 16] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 8, 8] }],
    initializers: {
      gamma: f32([16], gamma),
      beta: f32([16], randomValues(16, 3, -0.1, 0.1)),
      w: f32([16, 8], w),
    },
    nodes: [
      {
        opType: "LayerNormalization",
        inputs: ["x", "gamma", "beta"],
        outputs: ["h"],
        name: "ln",
        attrs: { axis: attr.int(-1) },
      },
      { opType: "MatMul", inputs: ["h", "w"], outputs: ["y"], name: "mm" },
    ],
  });
}

/** x [1, 4, 3, 3] → Conv 3×3 (channel 2 ×30) → c → Conv 1×1 and Conv 1×1 → Add → y. */
function convIntoTwoPointwise() {
  const w0 = randomValues(4 * 4 * 9, 5);
  for (let i = 2 * 36; i < 3 * 36; i++) w0[i] *= 30;
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4, 3, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 3, 3] }],
    initializers: {
      w0: f32([4, 4, 3, 3], w0),
      b0: f32([4], [0.1, -0.2, 0.3, 0.05]),
      w1: f32([2, 4, 1, 1], randomValues(8, 6)),
      w2: f32([2, 4, 1, 1], randomValues(8, 7)),
    },
    nodes: [
      {
        opType: "Conv",
        inputs: ["x", "w0", "b0"],
        outputs: ["c"],
        name: "conv0",
        attrs: { pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Conv", inputs: ["c", "w1"], outputs: ["p"], name: "pw1" },
      { opType: "Conv", inputs: ["c", "w2"], outputs: ["q"], name: "pw2" },
      { opType: "Add", inputs: ["p", "q"], outputs: ["y"], name: "add" },
    ],
  });
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  const peak = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / peak;
}

Deno.test("smoothQuant() keeps the float outputs of LayerNorm → MatMul within 1e-5", () => {
  const model = layerNormMatMul();
  const samples = samplesOf("x", [1, 8, 16], 4, 1, normal);
  const { model: smoothed, smoothed: list } = smoothQuant(model, samples, REGISTRY, OPTS);
  assert.deepEqual(list.map((s) => [s.tensor, s.producer, s.readers]), [["h", "ln", ["mm"]]]);
  const a = new Executor(model, REGISTRY);
  const b = new Executor(smoothed, REGISTRY);
  for (const s of samplesOf("x", [1, 8, 16], 4, 50, normal)) {
    const d = maxRelativeDifference(asFloat32(b.run(s).get("y")!), asFloat32(a.run(s).get("y")!));
    assert.ok(d < 1e-5, `relative difference ${d}`);
  }
  // the input model keeps its weights
  assert.equal(model.graph.nodes[1].inputs[1], "w");
});

Deno.test("smoothQuant() keeps the float outputs of a Conv read by two 1×1 Convs within 1e-5", () => {
  const model = convIntoTwoPointwise();
  const samples = samplesOf("x", [1, 4, 3, 3], 4, 1, normal);
  const { model: smoothed, smoothed: list } = smoothQuant(model, samples, REGISTRY, OPTS);
  assert.deepEqual(list.map((s) => s.readers), [["pw1", "pw2"]]);
  const a = new Executor(model, REGISTRY);
  const b = new Executor(smoothed, REGISTRY);
  for (const s of samplesOf("x", [1, 4, 3, 3], 4, 60, normal)) {
    const d = maxRelativeDifference(asFloat32(b.run(s).get("y")!), asFloat32(a.run(s).get("y")!));
    assert.ok(d < 1e-5, `relative difference ${d}`);
  }
});

Deno.test("smoothQuant() raises the quantized cosine when two channels are outliers", () => {
  const model = layerNormMatMul();
  const calib = samplesOf("x", [1, 8, 16], 16, 1, normal);
  const heldOut = samplesOf("x", [1, 8, 16], 16, 77, normal);
  const before = heldOutError(quantizeOn(model, calib), model, heldOut);
  const { model: smoothed } = smoothQuant(model, calib, REGISTRY, OPTS);
  const after = heldOutError(quantizeOn(smoothed, calib), model, heldOut);
  assert.ok(after.cosine > before.cosine, `cosine ${before.cosine} -> ${after.cosine}`);
  assert.ok(after.mse < before.mse / 2, `mse ${before.mse} -> ${after.mse}`);
});

Deno.test("smoothQuant() scales by max|X_j|^α / max|W_j|^(1−α) (hand-computed)", () => {
  // x = [1, 1] → MatMul B1 → h = [8, 1, 1, 1] → MatMul B2 → y
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1] }],
    initializers: {
      b1: f32([2, 4], [8, 0, 0, 0, 0, 1, 1, 1]),
      b2: f32([4, 1], [0.5, 2, 1, 1]),
    },
    nodes: [
      { opType: "MatMul", inputs: ["x", "b1"], outputs: ["h"], name: "p" },
      { opType: "MatMul", inputs: ["h", "b2"], outputs: ["y"], name: "r" },
    ],
  });
  const feeds = [new Map([["x", f32([1, 2], [1, 1])]])];
  const { model: out } = smoothQuant(model, feeds, REGISTRY, OPTS);
  const g = out.graph;
  // s = [√8/√0.5, √1/√2, 1, 1] = [4, 0.70711, 1, 1]
  const b2 = asFloat32(g.initializers.get(g.nodes[1].inputs[1])!);
  [2, 2 * Math.SQRT1_2, 1, 1].forEach((v, j) => assert.ok(Math.abs(b2[j] - v) < 1e-6, `${b2}`));
  const b1 = asFloat32(g.initializers.get(g.nodes[0].inputs[1])!);
  [2, 0, 0, 0, 0, Math.SQRT2, 1, 1].forEach((v, j) =>
    assert.ok(Math.abs(b1[j] - v) < 1e-6, `${b1}`)
  );
});

Deno.test("smoothQuant() leaves the model alone when no tensor passes the threshold", () => {
  const model = layerNormMatMul();
  const samples = samplesOf("x", [1, 8, 16], 2, 1, normal);
  const r = smoothQuant(model, samples, REGISTRY, { strength: 0.5, threshold: 0 });
  assert.equal(r.model, model);
  assert.deepEqual(r.smoothed, []);
});
