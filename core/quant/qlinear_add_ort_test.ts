/**
 * The `qdq` arithmetic of a quantized Add against onnxruntime-node, which fuses the QDQ
 * group into QLinearAdd at level `extended` (its AVX2 kernel on this project's x86-64
 * machines): every pair of 8-bit input codes, on parameters where the twice-rounded
 * constant of the kernel and the fused one disagree.
 */
import { strict as assert } from "node:assert";
import * as ort from "onnxruntime-node";
import { buildModel } from "../ir/builder.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import { QuantEmulator } from "./emulator.ts";
import { toQdqModel } from "./qdq_export.ts";
import { act, quantModel, REGISTRY } from "./_testing.ts";

const N = 256 * 256;

Deno.test("QuantEmulator runs a U8 Add as onnxruntime's QLinearAdd for every pair of input codes", async () => {
  // resnet18's layer3.0 residual Add after relaxed-simd calibration, and a zero point
  // that is not the midpoint
  const params = [
    {
      sa: 0.029587168246507645,
      za: 129,
      sb: 0.032952528446912766,
      zb: 129,
      sc: 0.021437641233205795,
      zc: 0,
    },
    { sa: 0.0123, za: 7, sb: 0.0311, zb: 200, sc: 0.037, zc: 101 },
  ];
  for (const p of params) {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: "a", dtype: "f32", shape: [1, N] }, {
        name: "b",
        dtype: "f32",
        shape: [1, N],
      }],
      outputs: [{ name: "y", dtype: "f32", shape: [1, N] }],
      nodes: [{ name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["y"] }],
    });
    const q = quantModel(model, [act("a", p.sa, p.za), act("b", p.sb, p.zb), act("y", p.sc, p.zc)]);
    const a = new Float32Array(N);
    const b = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      a[i] = Math.fround(p.sa) * ((i >> 8) - p.za);
      b[i] = Math.fround(p.sb) * ((i & 255) - p.zb);
    }
    const ours = asFloat32(
      new QuantEmulator(q, REGISTRY).runCodes(
        new Map([["a", f32([1, N], a)], ["b", f32([1, N], b)]]),
      )
        .get("y")!,
    );
    const session = await ort.InferenceSession.create(encodeModel(toQdqModel(q)), {
      graphOptimizationLevel: "extended",
    });
    const y = (await session.run({
      a: new ort.Tensor("float32", a, [1, N]),
      b: new ort.Tensor("float32", b, [1, N]),
    })).y.data as Float32Array;
    await session.release();
    const sc = Math.fround(p.sc);
    for (let i = 0; i < N; i++) {
      const theirs = Math.round(y[i] / sc) + p.zc;
      assert.equal(
        ours[i] + 0,
        theirs + 0,
        `codes (${i >> 8}, ${i & 255}) with ${JSON.stringify(p)}`,
      );
    }
  }
});
