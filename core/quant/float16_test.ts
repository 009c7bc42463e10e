import { strict as assert } from "node:assert";
import * as ort from "onnxruntime-node";
import { buildModel } from "../ir/builder.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import { withFloat16Nodes } from "./float16.ts";
import { QuantEmulator } from "./emulator.ts";
import { toQdqModel } from "./qdq_export.ts";
import { act, quantModel, REGISTRY } from "./_testing.ts";

// x → Mul(w) "half" → m → Add(b) → y, and x → Add(b) "other" → z: only "half" is float16.
const X = [1.0009765625 + 2 ** -12, 3.14159, -0.3333333, 65504 / 3, 1e-3, -7.777, 0.1, 2.5];
const W = [0.1, 0.2, 0.3, 1 / 3, 0.7, -1.1, 3.3, 1.0001];
const B = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08];

function model() {
  return buildModel({
    opset: 17,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 8] },
      { name: "z", dtype: "f32", shape: [1, 8] },
    ],
    initializers: { w: f32([8], W), b: f32([8], B) },
    nodes: [
      { name: "half", opType: "Mul", inputs: ["x", "w"], outputs: ["m"] },
      { name: "add", opType: "Add", inputs: ["m", "b"], outputs: ["y"] },
      { name: "other", opType: "Add", inputs: ["x", "b"], outputs: ["z"] },
    ],
  });
}

/** Hand-computed: float16 inputs and weights, float32 product, float16 result. */
function expected(): { y: number[]; z: number[] } {
  const h = Math.f16round;
  const f = Math.fround;
  return {
    y: X.map((x, i) => f(h(f(h(f(x)) * h(f(W[i])))) + f(B[i]))),
    z: X.map((x, i) => f(f(x) + f(B[i]))),
  };
}

Deno.test("withFloat16Nodes() rounds a node's inputs, weights and outputs to float16 and leaves other readers alone", () => {
  const q = quantModel(model(), []);
  const r = withFloat16Nodes(q, new Set(["half", "absent"]));
  assert.deepEqual(r.nodes, ["half"]);
  assert.equal(q.model.graph.nodes.length, 3, "the input model is not modified");
  assert.deepEqual([...asFloat32(q.model.graph.initializers.get("w")!)], W.map(Math.fround));
  const out = new QuantEmulator(r.quant, REGISTRY).run(new Map([["x", f32([1, 8], X)]]));
  const want = expected();
  assert.deepEqual([...asFloat32(out.get("y")!)], want.y);
  assert.deepEqual([...asFloat32(out.get("z")!)], want.z);
});

Deno.test("withFloat16Nodes() returns the model unchanged when no node is float16", () => {
  const q = quantModel(model(), []);
  const r = withFloat16Nodes(q, new Set());
  assert.equal(r.quant, q);
  assert.deepEqual(r.nodes, []);
});

Deno.test("withFloat16Nodes() exports Cast pairs that onnxruntime computes bit for bit like the emulator", async () => {
  // a quantized input in front of the float16 node: it dequantizes, then rounds
  const q = quantModel(model(), [act("x", 0.1, 0, "S8")]);
  const r = withFloat16Nodes(q, new Set(["half"]));
  const qdq = toQdqModel(r.quant);
  const casts = qdq.graph.nodes.filter((n) => n.opType === "Cast");
  assert.equal(casts.length, 4, "one pair on the input edge, one on the output");
  const s = await ort.InferenceSession.create(encodeModel(qdq));
  const x = Float32Array.from(X);
  const got = await s.run({ x: new ort.Tensor("float32", x, [1, 8]) });
  const emu = new QuantEmulator(r.quant, REGISTRY).run(new Map([["x", f32([1, 8], X)]]));
  assert.deepEqual([...(got.y.data as Float32Array)], [...asFloat32(emu.get("y")!)]);
});
