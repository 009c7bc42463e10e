import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { f32, s64 } from "../../ir/tensor.ts";
import { removeHeadTailNodes, setOutputNodes } from "./graph_edits.ts";

/** x → Transpose → Conv → Reshape → Transpose → y. */
function model() {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4, 4, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4, 2, 4] }],
    initializers: { w: f32([2, 2, 1, 1], [1, 0, 0, 1]), shape: s64([4], [1, 2, 4, 4]) },
    nodes: [
      {
        opType: "Transpose",
        name: "t_in",
        inputs: ["x"],
        outputs: ["a"],
        attrs: { perm: attr.ints([0, 3, 1, 2]) },
      },
      { opType: "Conv", name: "conv", inputs: ["a", "w"], outputs: ["c"] },
      { opType: "Reshape", name: "reshape", inputs: ["c", "shape"], outputs: ["r"] },
      {
        opType: "Transpose",
        name: "t_out",
        inputs: ["r"],
        outputs: ["y"],
        attrs: { perm: attr.ints([0, 2, 3, 1]) },
      },
    ],
  });
}

Deno.test("removeHeadTailNodes() removes matching head and tail nodes repeatedly", () => {
  const m = model();
  const removed = removeHeadTailNodes(m, ["Transpose", "Reshape"], []);
  assert.deepEqual(removed.map((r) => r.name), ["t_in", "t_out", "reshape"]);
  assert.deepEqual(removed[0].parameters, { perm: [0, 3, 1, 2] });
  assert.deepEqual(m.graph.nodes.map((n) => n.name), ["conv"]);
  assert.deepEqual(m.graph.nodes[0].inputs[0], "x");
  assert.deepEqual(m.graph.outputs.map((o) => o.name), ["c"]);
});

Deno.test("removeHeadTailNodes() leaves a matching node that touches no model input or output", () => {
  const m = model();
  assert.deepEqual(removeHeadTailNodes(m, [], ["reshape"]), []);
  assert.equal(m.graph.nodes.length, 4);
});

Deno.test("setOutputNodes() makes the named nodes' outputs the only outputs and drops the rest", () => {
  const m = model();
  setOutputNodes(m, ["conv"]);
  assert.deepEqual(m.graph.outputs.map((o) => o.name), ["c"]);
  assert.deepEqual(m.graph.nodes.map((n) => n.name), ["t_in", "conv"]);
});
