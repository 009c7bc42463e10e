import { strict as assert } from "node:assert";
import { attr, buildModel } from "./builder.ts";
import { cloneModel } from "./clone.ts";
import { f32 } from "./tensor.ts";

function model() {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [{ opType: "Add", inputs: ["x", "w"], outputs: ["y"], attrs: { k: attr.int(1) } }],
    initializers: { w: f32([2], [1, 2]) },
    opset: 13,
  });
}

Deno.test("cloneModel() gives a copy whose graph edits leave the original alone", () => {
  const original = model();
  const copy = cloneModel(original);
  copy.graph.nodes[0].inputs[1] = "x";
  copy.graph.nodes[0].attrs.set("k", attr.int(2));
  copy.graph.outputs[0].name = "z";
  copy.graph.initializers.delete("w");
  copy.graph.addNodes([{ ...copy.graph.nodes[0], name: "extra" }]);
  copy.opsetImports.set("", 17);
  const n = original.graph.nodes;
  assert.equal(n.length, 1);
  assert.deepEqual(n[0].inputs, ["x", "w"]);
  assert.deepEqual(n[0].attrs.get("k"), attr.int(1));
  assert.equal(original.graph.outputs[0].name, "y");
  assert.ok(original.graph.initializers.has("w"));
  assert.equal(original.opsetImports.get(""), 13);
});

Deno.test("cloneModel() shares tensors, which are never mutated in place", () => {
  const original = model();
  const copy = cloneModel(original);
  assert.equal(copy.graph.initializers.get("w"), original.graph.initializers.get("w"));
});
