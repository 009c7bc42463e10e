import { strict as assert } from "node:assert";
import * as ort from "onnxruntime-node";
import { attr, buildModel } from "../ir/builder.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import { Executor } from "../exec/executor.ts";
import { calibrate } from "./calibrate.ts";
import { QuantEmulator } from "./emulator.ts";
import { toQdqModel } from "./qdq_export.ts";
import { fromQdqModel } from "./qdq_import.ts";
import type { NumericModel } from "./numeric_model.ts";
import { activationParams } from "./quant_model.ts";
import {
  channelAbsMax,
  perChannelCandidates,
  withPerChannelActivations,
} from "./per_channel_activations.ts";
import { quantizeDefault, randomFeeds, REGISTRY } from "./_testing.ts";

const SYMMETRIC: NumericModel = { name: "int8 symmetric", activation8: "S8", activation16: "S16" };

/**
 * x[1,2,4,4] → conv_a (1×1, 2→3: channel 2 is 100× smaller) → a → conv_b (1×1, 3→2) → y,
 * and, when asked, a side reader of `a` writing `p`: a MaxPool (a data-movement operator
 * sharing a's parameters) or an Add (a → Add(a, a) → p).
 */
function model(side?: "MaxPool" | "Add") {
  return buildModel({
    opset: 17,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 2, 4, 4] },
      ...(side ? [{ name: "p", dtype: "f32" as const, shape: [1, 3, 4, 4] }] : []),
    ],
    initializers: {
      wa: f32([3, 2, 1, 1], [1, 0.5, -0.7, 1, 0.01, 0.005]),
      wb: f32([2, 3, 1, 1], [0.3, 0.2, 40, -0.4, 0.6, -30]),
    },
    nodes: [
      { name: "conv_a", opType: "Conv", inputs: ["x", "wa"], outputs: ["a"] },
      { name: "conv_b", opType: "Conv", inputs: ["a", "wb"], outputs: ["y"] },
      ...(side === "MaxPool"
        ? [{
          name: "pool",
          opType: "MaxPool",
          inputs: ["a"],
          outputs: ["p"],
          attrs: { kernel_shape: attr.ints([1, 1]) },
        }]
        : []),
      ...(side === "Add"
        ? [{ name: "add", opType: "Add", inputs: ["a", "a"], outputs: ["p"] }]
        : []),
    ],
  });
}

function quantized(side?: "MaxPool" | "Add") {
  const m = model(side);
  const samples = Array.from({ length: 8 }, (_, i) => randomFeeds(m, 11 + i));
  const stats = calibrate(new Executor(m, REGISTRY), samples, { method: "MinMax" });
  return { m, samples, q: quantizeDefault(m, stats, { numeric: SYMMETRIC }) };
}

Deno.test("perChannelCandidates() takes own-parameter S8 tensors between Convs, not graph inputs or tensors other operators touch", () => {
  assert.deepEqual([...perChannelCandidates(quantized().q)].sort(), ["a", "y"]);
  // shared by a MaxPool; read by an Add, which onnxruntime would fuse into QLinearAdd
  assert.deepEqual([...perChannelCandidates(quantized("MaxPool").q)].sort(), ["y"]);
  assert.deepEqual([...perChannelCandidates(quantized("Add").q)].sort(), ["y"]);
});

Deno.test("channelAbsMax() is the max |x| per channel over every sample", () => {
  const m = buildModel({
    opset: 17,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 2] }],
    nodes: [{ opType: "Neg", inputs: ["x"], outputs: ["y"] }],
  });
  const s1 = new Map([["x", f32([1, 2, 2], [1, -3, 0.5, 0.25])]]);
  const s2 = new Map([["x", f32([1, 2, 2], [-2, 1, 0.1, -0.75])]]);
  const r = channelAbsMax(m, [s1, s2], new Set(["x", "y"]), REGISTRY);
  assert.deepEqual([...r.get("x")!], [3, 0.75]);
  assert.deepEqual([...r.get("y")!], [3, 0.75]);
});

Deno.test("withPerChannelActivations() gives each channel its own range, never coarser than the tensor's scale", () => {
  const { q } = quantized();
  const s = activationParams(q, "a")!.scale;
  // channel 0 wider than the tensor's (clipped) range, channel 1 at 127 · s / 4, channel 2 unseen
  const r = withPerChannelActivations(q, new Map([["a", Float32Array.of(1000, 127 * s / 4, 0)]]));
  assert.deepEqual(r.tensors, ["a"]);
  const p = activationParams(r.quant, "a")!;
  assert.equal(p.channels?.axis, 1);
  assert.deepEqual([...p.channels!.scales], [s, Math.fround(s / 4), s]);
  assert.equal(activationParams(q, "a")!.channels, undefined, "the input is not modified");
});

Deno.test("per-channel activations: onnxruntime on the QDQ file matches the emulator within 1 LSB, the file reads back, and the small channel gains precision", async () => {
  const { m, samples, q } = quantized();
  const r = withPerChannelActivations(
    q,
    channelAbsMax(m, samples, perChannelCandidates(q), REGISTRY),
  );
  assert.deepEqual([...r.tensors].sort(), ["a", "y"]);
  const qdq = toQdqModel(r.quant);
  const back = fromQdqModel(qdq);
  assert.deepEqual(
    [...activationParams(back, "a")!.channels!.scales],
    [...activationParams(r.quant, "a")!.channels!.scales],
  );
  const session = await ort.InferenceSession.create(encodeModel(qdq));
  const emu = new QuantEmulator(r.quant, REGISTRY);
  const perTensor = new QuantEmulator(q, REGISTRY);
  const ys = activationParams(r.quant, "y")!.channels!.scales;
  let within = 0;
  let total = 0;
  let errPerChannel = 0;
  let errPerTensor = 0;
  for (let seed = 100; seed < 104; seed++) {
    const feeds = randomFeeds(m, seed);
    const x = asFloat32(feeds.get("x")!);
    const got = (await session.run({ x: new ort.Tensor("float32", x, [1, 2, 4, 4]) })).y
      .data as Float32Array;
    const mine = asFloat32(emu.run(feeds).get("y")!);
    const coarse = asFloat32(perTensor.run(feeds).get("y")!);
    const exact = asFloat32(new Executor(m, REGISTRY).run(feeds).get("y")!);
    for (let i = 0; i < got.length; i++) {
      total++;
      if (Math.abs(got[i] - mine[i]) <= ys[Math.floor(i / 16)] * 1.0001) within++;
    }
    // a's channel 2 is 100× smaller than the others; conv_b amplifies it back
    for (let i = 0; i < exact.length; i++) {
      errPerChannel += Math.abs(mine[i] - exact[i]);
      errPerTensor += Math.abs(coarse[i] - exact[i]);
    }
  }
  assert.ok(within / total >= 0.99, `${within}/${total} within 1 LSB`);
  assert.ok(errPerChannel < errPerTensor * 0.75, `${errPerChannel} vs ${errPerTensor}`);
});

Deno.test("QuantEmulator runs a Relu fused behind a Conv with per-channel input in float, matching onnxruntime", async () => {
  // x → conv_a → a (per channel) → conv_b → b → Relu → y (per tensor; b is fused)
  const m = buildModel({
    opset: 17,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 4, 4] }],
    initializers: {
      wa: f32([3, 2, 1, 1], [1, 0.5, -0.7, 1, 0.01, 0.005]),
      wb: f32([2, 3, 1, 1], [0.3, 0.2, 40, -0.4, 0.6, -30]),
    },
    nodes: [
      { name: "conv_a", opType: "Conv", inputs: ["x", "wa"], outputs: ["a"] },
      { name: "conv_b", opType: "Conv", inputs: ["a", "wb"], outputs: ["b"] },
      { name: "relu", opType: "Relu", inputs: ["b"], outputs: ["y"] },
    ],
  });
  const samples = Array.from({ length: 8 }, (_, i) => randomFeeds(m, 11 + i));
  const stats = calibrate(new Executor(m, REGISTRY), samples, { method: "MinMax" });
  const q = quantizeDefault(m, stats, { numeric: SYMMETRIC });
  assert.ok(q.fused.has("b"), "conv_b requantizes straight into the Relu's output");
  const r = withPerChannelActivations(q, channelAbsMax(m, samples, new Set(["a"]), REGISTRY));
  assert.deepEqual(r.tensors, ["a"]);
  const session = await ort.InferenceSession.create(encodeModel(toQdqModel(r.quant)));
  const emu = new QuantEmulator(r.quant, REGISTRY);
  const lsb = activationParams(r.quant, "y")!.scale;
  for (let seed = 200; seed < 204; seed++) {
    const feeds = randomFeeds(m, seed);
    const x = asFloat32(feeds.get("x")!);
    const got = (await session.run({ x: new ort.Tensor("float32", x, [1, 2, 4, 4]) })).y
      .data as Float32Array;
    const mine = asFloat32(emu.run(feeds).get("y")!);
    for (let i = 0; i < got.length; i++) {
      assert.ok(Math.abs(got[i] - mine[i]) <= lsb * 1.0001, `y[${i}]: ${mine[i]} vs ${got[i]}`);
    }
  }
  assert.equal(emu.paths.get("relu"), "float-inside");
});
