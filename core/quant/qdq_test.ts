import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { f32, s64 } from "../ir/tensor.ts";
import { toQdqModel } from "./qdq_export.ts";
import { fromQdqModel, isQdqModel } from "./qdq_import.ts";
import { QUANT_METADATA_KEY } from "./qdq_export.ts";
import { quantizeDefault, statsOf } from "./_testing.ts";
import type { QuantModel } from "./quant_model.ts";

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
