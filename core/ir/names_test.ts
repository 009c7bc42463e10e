import { strict as assert } from "node:assert";
import { attr } from "./builder.ts";
import { Graph } from "./graph.ts";
import { NameScope } from "./names.ts";
import { f32 } from "./tensor.ts";

Deno.test("NameScope.fresh() returns the base when free and numbered variants after", () => {
  const names = new NameScope(new Graph());
  assert.equal(names.fresh("t"), "t");
  assert.equal(names.fresh("t"), "t_1");
  assert.equal(names.fresh("t"), "t_2");
  assert.equal(names.has("t_1"), true);
});

Deno.test("NameScope sees inputs, outputs, initializers, value_info, node names and outputs", () => {
  const g = new Graph({
    inputs: [{ name: "in" }],
    outputs: [{ name: "out" }],
    nodes: [{
      name: "node",
      opType: "Relu",
      domain: "",
      inputs: ["in"],
      outputs: ["out"],
      attrs: new Map(),
    }],
  });
  g.initializers.set("w", f32([1], [0]));
  g.valueInfo.set("info", { name: "info" });
  const names = new NameScope(g);
  for (const n of ["in", "out", "w", "info", "node"]) assert.equal(names.fresh(n), `${n}_1`);
});

Deno.test("NameScope sees the names of nested subgraphs at every depth", () => {
  const deepest = new Graph({
    nodes: [{
      name: "deep_node",
      opType: "Relu",
      domain: "",
      inputs: ["x"],
      outputs: ["deep_value"],
      attrs: new Map(),
    }],
  });
  const middle = new Graph({
    inputs: [{ name: "mid_in" }],
    nodes: [{
      name: "inner_if",
      opType: "If",
      domain: "",
      inputs: ["c"],
      outputs: ["mid_out"],
      attrs: new Map([["then_branch", attr.graph(deepest)], ["else_branch", attr.graph(deepest)]]),
    }],
  });
  const root = new Graph({
    nodes: [{
      name: "loop",
      opType: "Loop",
      domain: "",
      inputs: [],
      outputs: ["r"],
      attrs: new Map([["body", attr.graph(middle)]]),
    }],
  });
  const names = new NameScope(root);
  for (const n of ["deep_value", "deep_node", "mid_in", "mid_out", "inner_if", "r"]) {
    assert.equal(names.has(n), true, n);
  }
  assert.equal(names.fresh("deep_value"), "deep_value_1");
});
