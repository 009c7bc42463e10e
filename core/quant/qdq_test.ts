import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32, s64, Tensor } from "../ir/tensor.ts";
import { QUANT_METADATA_KEY, toQdqModel } from "./qdq_export.ts";
import { fromQdqModel, isQdqModel } from "./qdq_import.ts";
import { quantizeDefault, statsOf } from "./_testing.ts";
import type { QuantModel } from "./quant_model.ts";
import { quantOperand } from "./kernel_applicability.ts";

/** x → Conv → c → Relu → r → Reshape → y, and x + 3 → Clip → z (a constant-operand Add). */
function tinyQuantModel(): QuantModel {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 1, 2] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 4] },
      { name: "z", dtype: "f32", shape: [1, 2, 1, 2] },
    ],
    initializers: {
      w: f32([2, 2, 1, 1], [0.5, -2, 0.5, 0.2]),
      b: f32([2], [0.1, -0.3]),
      shape: s64([2], [1, 4]),
      three: f32([], [3]),
      zero: f32([], [0]),
      six: f32([], [6]),
    },
    nodes: [
      { opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"] },
      { opType: "Relu", inputs: ["c"], outputs: ["r"] },
      { opType: "Reshape", inputs: ["r", "shape"], outputs: ["y"] },
      { opType: "Add", inputs: ["x", "three"], outputs: ["a"] },
      { opType: "Clip", inputs: ["a", "zero", "six"], outputs: ["z"] },
    ],
  });
  const stats = statsOf({
    x: [-1, 1],
    c: [-3, 2],
    r: [0, 2],
    y: [0, 2],
    a: [2, 4],
    z: [2, 4],
  });
  return quantizeDefault(model, stats);
}

function assertSameQuant(back: QuantModel, q: QuantModel) {
  assert.deepEqual([...back.fused].sort(), [...q.fused].sort());
  assert.deepEqual(
    [...back.activations.keys()].sort(),
    [...q.activations.keys()].sort(),
  );
  for (const [name, a] of q.activations) {
    const b = back.activations.get(name)!;
    assert.ok(a.kind === "quant" && b.kind === "quant", name);
    assert.equal(b.scale, a.scale, name);
    assert.equal(b.zeroPoint, a.zeroPoint, name);
    assert.equal(b.qtype, a.qtype, name);
    assert.equal(b.state, a.state, name);
    assert.equal(b.dominator, a.dominator, name);
  }
  assert.deepEqual([...back.constants.keys()].sort(), [...q.constants.keys()].sort());
  for (const [name, c] of q.constants) {
    const d = back.constants.get(name)!;
    assert.deepEqual([...d.codes], [...c.codes], name);
    assert.deepEqual([...d.scales], [...c.scales], name);
    assert.equal(d.axis, c.axis, name);
    assert.equal(d.qtype, c.qtype, name);
  }
}

Deno.test("fromQdqModel() reads back what toQdqModel() wrote", () => {
  const q = tinyQuantModel();
  const qdq = toQdqModel(q);
  assert.ok(isQdqModel(qdq));
  assertSameQuant(fromQdqModel(qdq), q);
});

Deno.test("fromQdqModel() derives fused and shared tensors when the metadata is missing", () => {
  const q = tinyQuantModel();
  const qdq = toQdqModel(q);
  qdq.metadataProps.delete(QUANT_METADATA_KEY);
  const back = fromQdqModel(qdq);
  // Conv → Relu fuses (the Conv output has no QDQ pair); the Add with a constant does not
  assert.deepEqual([...back.fused], ["c"]);
  assert.equal(back.activations.get("a")?.kind, "quant");
  const y = back.activations.get("y");
  assert.ok(y?.kind === "quant");
  assert.equal(y.state, "OVERLAPPED");
  assert.equal(y.dominator, "r");
});

Deno.test("fromQdqModel() resolves a negative DequantizeLinear axis against the weight's rank", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 3] }],
    initializers: {
      wq: new Tensor("s8", [2, 3], Int8Array.of(1, 2, 3, -1, -2, -3)),
      ws: f32([3], [0.5, 0.25, 0.125]),
      wz: new Tensor("s8", [3], new Int8Array(3)),
    },
    nodes: [
      {
        opType: "DequantizeLinear",
        inputs: ["wq", "ws", "wz"],
        outputs: ["w"],
        attrs: { axis: attr.int(-1) },
      },
      { opType: "MatMul", inputs: ["x", "w"], outputs: ["y"] },
    ],
  });
  const q = fromQdqModel(model);
  const w = q.constants.get("w")!;
  assert.equal(w.axis, 1);
  // column c dequantizes with scale c: [1·0.5, 2·0.25, 3·0.125, −0.5, −0.5, −0.375]
  const real = q.model.graph.initializers.get("w")!;
  assert.deepEqual([...real.data as Float32Array], [0.5, 0.5, 0.375, -0.5, -0.5, -0.375]);
});

Deno.test("toQdqModel() stores S8 weights as uint8 codes + 128 with zero point 128, or int8 when asked", () => {
  const q = tinyQuantModel();
  const w = q.constants.get("w")!;
  const unsigned = toQdqModel(q).graph.initializers;
  assert.equal(unsigned.get("w_quantized")!.dtype, "u8");
  assert.deepEqual([...unsigned.get("w_quantized")!.data], [...w.codes].map((c) => c + 128));
  assert.deepEqual([...unsigned.get("w_zero_point")!.data], [128, 128]);
  // the S32 bias keeps its type
  assert.equal(unsigned.get("b_quantized")!.dtype, "s32");
  const signed = toQdqModel(q, { weightCodes: "S8" }).graph.initializers;
  assert.equal(signed.get("w_quantized")!.dtype, "s8");
  assert.deepEqual([...signed.get("w_quantized")!.data], [...w.codes]);
  // both read back as the same int8 codes
  assertSameQuant(fromQdqModel(toQdqModel(q, { weightCodes: "S8" })), q);
});

/** x → Conv(W, b) → y with a hand-written DequantizeLinear for W (codes, scales, zero points). */
function convWithCodedWeight(dtype: "u8" | "s8", codes: number[], zeroPoints: number[]) {
  const Codes = dtype === "u8" ? Uint8Array : Int8Array;
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 1, 1] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 1, 1] }],
    initializers: {
      wq: new Tensor(dtype, [2, 2, 1, 1], Codes.from(codes)),
      ws: f32([2], [0.5, 0.25]),
      wz: new Tensor(dtype, [2], Codes.from(zeroPoints)),
    },
    nodes: [
      {
        opType: "DequantizeLinear",
        inputs: ["wq", "ws", "wz"],
        outputs: ["w"],
        attrs: { axis: attr.int(0) },
      },
      { opType: "Conv", inputs: ["x", "w"], outputs: ["y"] },
    ],
  });
}

Deno.test("fromQdqModel() reads uint8 weights with zero point 128 as int8 codes", () => {
  const q = fromQdqModel(convWithCodedWeight("u8", [129, 126, 255, 1], [128, 128]));
  const w = q.constants.get("w")!;
  assert.equal(w.qtype, "S8");
  assert.deepEqual([...w.codes], [1, -2, 127, -127]);
  assert.deepEqual([...w.zeroPoints], [0, 0]);
  const real = q.model.graph.initializers.get("w")!;
  assert.deepEqual([...real.data as Float32Array], [0.5, -1, 31.75, -31.75]);
});

Deno.test("fromQdqModel() keeps other zero points, and such weights are not integer-kernel codes", () => {
  const q = fromQdqModel(convWithCodedWeight("u8", [130, 100, 0, 255], [100, 10]));
  const w = q.constants.get("w")!;
  assert.equal(w.qtype, "U8");
  assert.deepEqual([...w.zeroPoints], [100, 10]);
  const real = q.model.graph.initializers.get("w")!;
  // (130 − 100)·0.5, (100 − 100)·0.5, (0 − 10)·0.25, (255 − 10)·0.25
  assert.deepEqual([...real.data as Float32Array], [15, 0, -2.5, 61.25]);
  assert.equal(quantOperand(q, "w").kind, "constant");
  assert.equal((quantOperand(q, "w") as { codes?: unknown }).codes, undefined);
});
