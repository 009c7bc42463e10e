import { strict as assert } from "node:assert";
import { attr, buildModel } from "./builder.ts";
import {
  capturedNames,
  Graph,
  type Node,
  nodeDependencies,
  nodeLabel,
  outerScopeNames,
} from "./graph.ts";
import { f32 } from "./tensor.ts";
import { GraphError } from "../errors/mod.ts";

function node(name: string, opType: string, inputs: string[], outputs: string[]): Node {
  return { name, opType, domain: "", inputs, outputs, attrs: new Map() };
}

/** x → a = Relu(x) → b = Neg(a) → y = Add(a, b); outputs [y]. */
function chain(): Graph {
  const g = new Graph({
    name: "g",
    inputs: [{ name: "x" }],
    outputs: [{ name: "y" }],
    nodes: [
      node("relu", "Relu", ["x"], ["a"]),
      node("neg", "Neg", ["a"], ["b"]),
      node("add", "Add", ["a", "b"], ["y"]),
    ],
  });
  g.valueInfo.set("a", { name: "a", type: { dtype: "f32", shape: [2] } });
  return g;
}

/** A body graph reading `captured` from its enclosing scope: out = Identity(captured). */
function body(captured: string, out = "body_out"): Graph {
  return new Graph({
    name: "body",
    outputs: [{ name: out }],
    nodes: [node("body_id", "Identity", [captured], [out])],
  });
}

const names = (nodes: readonly Node[]) => nodes.map((n) => n.name);

Deno.test("Graph.producers() and consumers() map each value to its producer and readers", () => {
  const g = chain();
  const p = g.producers();
  assert.equal(p.get("a")?.name, "relu");
  assert.equal(p.get("y")?.name, "add");
  assert.equal(p.has("x"), false);
  const c = g.consumers();
  assert.deepEqual(names(c.get("a") ?? []), ["neg", "add"]);
  assert.deepEqual(names(c.get("b") ?? []), ["add"]);
  assert.equal(c.has("y"), false);
});

Deno.test("Graph.runtimeInputs lists the inputs that are not initializers", () => {
  const g = new Graph({ inputs: [{ name: "x" }, { name: "w" }] });
  g.initializers.set("w", f32([1], [1]));
  assert.deepEqual(g.runtimeInputs.map((v) => v.name), ["x"]);
  assert.equal(g.isInput("w"), true);
  assert.equal(g.isOutput("w"), false);
  assert.equal(g.isBoundary("x"), true);
});

Deno.test("Graph.topologicalOrder() puts producers first whatever the stored order", () => {
  const g = chain();
  g.nodes.reverse();
  assert.deepEqual(names(g.topologicalOrder()), ["relu", "neg", "add"]);
  g.sortTopologically();
  assert.deepEqual(names(g.nodes), ["relu", "neg", "add"]);
});

Deno.test("Graph.topologicalOrder() orders a node after the producer its subgraph captures", () => {
  const g = new Graph({
    inputs: [{ name: "x" }],
    outputs: [{ name: "y" }],
    nodes: [
      {
        ...node("if", "If", ["x"], ["y"]),
        attrs: new Map([["then_branch", attr.graph(body("a"))], [
          "else_branch",
          attr.graph(body("a")),
        ]]),
      },
      node("relu", "Relu", ["x"], ["a"]),
    ],
  });
  assert.deepEqual(names(g.topologicalOrder()), ["relu", "if"]);
});

Deno.test("Graph.topologicalOrder() throws a GraphError naming a value on a cycle", () => {
  const g = new Graph({
    name: "loop",
    nodes: [node("p", "Relu", ["b"], ["a"]), node("q", "Relu", ["a"], ["b"])],
  });
  assert.throws(
    () => g.topologicalOrder(),
    (e: unknown) =>
      e instanceof GraphError && /Graph "loop" has a cycle through value/.test(e.message),
  );
});

Deno.test("Graph.replaceAllUses() rewrites every node input and returns the count", () => {
  const g = chain();
  g.initializers.set("c", f32([2], [1, 2]));
  assert.equal(g.replaceAllUses("a", "c"), 2);
  assert.deepEqual(g.nodes.map((n) => n.inputs), [["x"], ["c"], ["c", "b"]]);
  assert.equal(g.replaceAllUses("c", "c"), 0);
});

Deno.test("Graph.replaceAllUses() never renames a graph output", () => {
  const g = chain();
  g.outputs.push({ name: "a" });
  g.replaceAllUses("a", "x");
  assert.deepEqual(g.outputs.map((v) => v.name), ["y", "a"]);
  assert.deepEqual(g.nodes[0].outputs, ["a"], "the output keeps its producer");
  // Inputs and outputs merging is impossible: the output list never changes.
  g.replaceAllUses("y", "x");
  assert.deepEqual(g.outputs.map((v) => v.name), ["y", "a"]);
});

Deno.test("Graph.replaceAllUses() rewrites subgraph captures but not a body that shadows the name", () => {
  const capturing = body("a", "cap_out");
  const shadowing = new Graph({
    inputs: [{ name: "a" }],
    outputs: [{ name: "a" }],
    nodes: [node("inner", "Relu", ["a"], ["s"])],
  });
  const g = new Graph({
    inputs: [{ name: "x" }],
    outputs: [{ name: "y" }],
    nodes: [
      node("relu", "Relu", ["x"], ["a"]),
      {
        ...node("if", "If", ["x"], ["y"]),
        attrs: new Map([
          ["then_branch", attr.graph(capturing)],
          ["else_branch", attr.graph(shadowing)],
        ]),
      },
    ],
  });
  assert.equal(g.replaceAllUses("a", "x"), 1);
  assert.deepEqual(capturing.nodes[0].inputs, ["x"]);
  assert.deepEqual(shadowing.nodes[0].inputs, ["a"]);
  assert.deepEqual(shadowing.outputs.map((v) => v.name), ["a"]);
});

Deno.test("Graph.renameValue() renames the producer, the uses and the value_info", () => {
  const g = chain();
  g.renameValue("a", "a2");
  assert.deepEqual(g.nodes.map((n) => [n.inputs, n.outputs]), [
    [["x"], ["a2"]],
    [["a2"], ["b"]],
    [["a2", "b"], ["y"]],
  ]);
  assert.equal(g.valueInfo.has("a"), false);
  assert.equal(g.valueInfo.get("a2")?.name, "a2");
});

Deno.test("Graph.renameValue() lets a new producer take over a graph output", () => {
  // y = Identity(b): drop the Identity, then b's producer writes y.
  const g = new Graph({
    inputs: [{ name: "x" }],
    outputs: [{ name: "y" }],
    nodes: [node("neg", "Neg", ["x"], ["b"]), node("id", "Identity", ["b"], ["y"])],
  });
  g.removeNodes([g.nodes[1]]);
  g.renameValue("b", "y");
  assert.deepEqual(g.nodes.map((n) => [n.name, n.outputs]), [["neg", ["y"]]]);
  assert.deepEqual(g.outputs.map((v) => v.name), ["y"]);
});

Deno.test("Graph.renameValue() refuses graph inputs, outputs, initializers and taken names", () => {
  const g = chain();
  g.initializers.set("w", f32([1], [1]));
  for (const from of ["x", "y", "w"]) {
    assert.throws(() => g.renameValue(from, "fresh"), GraphError, from);
  }
  assert.throws(() => g.renameValue("a", "b"), /"b" is already defined/);
  assert.throws(() => g.renameValue("nowhere", "fresh"), /no node produces it/);
});

Deno.test("Graph.detachOutput() keeps the output name for a new producer", () => {
  const g = chain();
  g.valueInfo.set("y", { name: "y", type: { dtype: "f32", shape: [2] } });
  assert.equal(g.detachOutput("y", "y_raw"), "y_raw");
  assert.deepEqual(g.nodes[2].outputs, ["y_raw"]);
  assert.deepEqual(g.outputs.map((v) => v.name), ["y"]);
  assert.equal(g.valueInfo.get("y_raw")?.name, "y_raw");
  assert.throws(() => g.detachOutput("a", "a_raw"), /not a graph output computed by a node/);
});

Deno.test("Graph.addNodes(), replaceNode() and removeNodes() edit the node list in place", () => {
  const g = chain();
  const first = node("first", "Relu", ["x"], ["f"]);
  const last = node("last", "Relu", ["y"], ["z"]);
  g.addNodes([first], 0);
  g.addNodes([last]);
  assert.deepEqual(names(g.nodes), ["first", "relu", "neg", "add", "last"]);
  const sigmoid = node("sig", "Sigmoid", ["a"], ["b"]);
  g.replaceNode(g.nodes[2], sigmoid);
  assert.deepEqual(names(g.nodes), ["first", "relu", "sig", "add", "last"]);
  g.removeNodes([first, last]);
  assert.deepEqual(names(g.nodes), ["relu", "sig", "add"]);
  assert.throws(() => g.replaceNode(first, sigmoid), /not a node of graph "g"/);
});

Deno.test("outerScopeNames() and capturedNames() list what bodies read from outside", () => {
  const inner = new Graph({
    inputs: [{ name: "i" }],
    outputs: [{ name: "o" }, { name: "outer_direct" }],
    nodes: [node("add", "Add", ["i", "outer_a"], ["o"])],
  });
  assert.deepEqual(outerScopeNames(inner).sort(), ["outer_a", "outer_direct"]);
  const loopNode: Node = {
    ...node("loop", "Loop", ["", ""], ["r"]),
    attrs: new Map([["body", attr.graph(inner)]]),
  };
  assert.deepEqual(nodeDependencies(loopNode).sort(), ["outer_a", "outer_direct"]);
  const g = new Graph({ nodes: [loopNode] });
  assert.deepEqual([...capturedNames(g)].sort(), ["outer_a", "outer_direct"]);
});

Deno.test("nodeLabel() names unnamed nodes by their operator", () => {
  assert.equal(nodeLabel(node("conv1", "Conv", [], [])), "conv1");
  assert.equal(nodeLabel(node("", "Conv", [], [])), "(unnamed Conv)");
});

Deno.test("buildModel() builds the declared inputs, outputs, nodes and opsets", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["y"] }],
    opset: 11,
    domains: { "com.microsoft": 1 },
  });
  assert.deepEqual(names(m.graph.nodes), ["Relu_0"]);
  assert.deepEqual(m.graph.inputs[0].type, { dtype: "f32", shape: [1, 4] });
  assert.deepEqual([...m.opsetImports], [["", 11], ["com.microsoft", 1]]);
});
