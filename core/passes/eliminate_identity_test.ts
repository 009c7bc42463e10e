import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { Tensor } from "../ir/tensor.ts";
import { eliminateIdentity } from "./eliminate_identity.ts";
import { ctx, opTypes, runAndCompare, seeded } from "./_testing.ts";

Deno.test("eliminateIdentity() removes Identity, inference Dropout, no-op Cast and Reshape", () => {
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [2, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2, 3] }],
    initializers: { shape: new Tensor("s64", [2], BigInt64Array.of(2n, 3n)) },
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["r"] },
      { opType: "Identity", inputs: ["r"], outputs: ["a"] },
      { opType: "Dropout", inputs: ["a"], outputs: ["b"] },
      { opType: "Cast", inputs: ["b"], outputs: ["c"], attrs: { to: attr.int(1) } },
      { opType: "Reshape", inputs: ["c", "shape"], outputs: ["d"] },
      { opType: "Neg", inputs: ["d"], outputs: ["y"] },
    ],
  });
  const r = runAndCompare(eliminateIdentity, model, { x: seeded([2, 3]) }, 0);
  assert.equal(r.count, 4);
  assert.deepEqual(opTypes(model), ["Relu", "Neg"]);
  assert.deepEqual(model.graph.nodes[1].inputs, ["r"]);
});

Deno.test("eliminateIdentity() keeps a Cast that changes dtype and a Dropout whose mask is used", () => {
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [4] }],
    outputs: [{ name: "y", dtype: "s32", shape: [4] }, { name: "m", dtype: "bool", shape: [4] }],
    nodes: [
      { opType: "Dropout", inputs: ["x"], outputs: ["a", "m"] },
      { opType: "Cast", inputs: ["a"], outputs: ["y"], attrs: { to: attr.int(6) } },
    ],
  });
  const r = eliminateIdentity.run(model, ctx);
  assert.equal(r.changed, false);
  assert.deepEqual(opTypes(model), ["Dropout", "Cast"]);
});

Deno.test("eliminateIdentity() renames the producer when the Identity output is a graph output", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3] }],
    nodes: [
      { opType: "Sigmoid", inputs: ["x"], outputs: ["s"] },
      { opType: "Identity", inputs: ["s"], outputs: ["y"] },
    ],
  });
  runAndCompare(eliminateIdentity, model, { x: seeded([3]) }, 0);
  assert.deepEqual(opTypes(model), ["Sigmoid"]);
  assert.deepEqual(model.graph.nodes[0].outputs, ["y"]);
  assert.equal(model.graph.outputs[0].name, "y");
});

Deno.test("eliminateIdentity() keeps an Identity between a graph input and a graph output", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3] }],
    nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
  });
  assert.equal(eliminateIdentity.run(model, ctx).count, 0);
  assert.deepEqual(opTypes(model), ["Identity"]);
});

Deno.test("eliminateIdentity() keeps an output Identity whose input has other consumers", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3] }, { name: "z", dtype: "f32", shape: [3] }],
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["r"] },
      { opType: "Identity", inputs: ["r"], outputs: ["y"] },
      { opType: "Neg", inputs: ["r"], outputs: ["z"] },
    ],
  });
  assert.equal(eliminateIdentity.run(model, ctx).count, 0);
  assert.deepEqual(model.graph.outputs.map((o) => o.name), ["y", "z"]);
});

Deno.test("eliminateIdentity() keeps a Reshape that changes the shape", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3, 2] }],
    initializers: { shape: new Tensor("s64", [2], BigInt64Array.of(3n, 2n)) },
    nodes: [{ opType: "Reshape", inputs: ["x", "shape"], outputs: ["y"] }],
  });
  assert.equal(eliminateIdentity.run(model, ctx).count, 0);
});

Deno.test("eliminateIdentity() removes an opset-13 Dropout with a constant false training_mode", () => {
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [4] }],
    initializers: {
      ratio: new Tensor("f32", [], Float32Array.of(0.3)),
      train: new Tensor("bool", [], Uint8Array.of(0)),
    },
    nodes: [
      { opType: "Dropout", inputs: ["x", "ratio", "train"], outputs: ["d", ""] },
      { opType: "Abs", inputs: ["d"], outputs: ["y"] },
    ],
  });
  runAndCompare(eliminateIdentity, model, { x: seeded([4]) }, 0);
  assert.deepEqual(opTypes(model), ["Abs"]);
});

Deno.test("eliminateIdentity() leaves a Cast whose `to` does not parse", () => {
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "Cast", inputs: ["x"], outputs: ["c"], attrs: { to: attr.string("float") } },
      { opType: "Neg", inputs: ["c"], outputs: ["y"] },
    ],
  });
  assert.equal(eliminateIdentity.run(model, ctx).count, 0);
  assert.deepEqual(opTypes(model), ["Cast", "Neg"]);
});
